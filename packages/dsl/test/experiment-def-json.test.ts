import { describe, expect, test } from 'vitest'
import {
  choice,
  type ExperimentDef,
  experiment,
  grid,
  lograndint,
  loguniform,
  qlograndint,
  qloguniform,
  qrandint,
  qrandn,
  quniform,
  randint,
  randn,
  sampleFrom,
  uniform,
} from '../src/index.js'

/** The definition with every function removed, as JSON.stringify drops them. */
function withoutFunctions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'function' ? null : withoutFunctions(v)))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => typeof v !== 'function' && v !== undefined)
        .map(([k, v]) => [k, withoutFunctions(v)]),
    )
  }
  return value
}

/** Paths of every function in the definition: the only things allowed not to survive JSON. */
function functionPaths(value: unknown, path = 'def'): string[] {
  if (typeof value === 'function') return [path]
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([k, v]) => functionPaths(v, `${path}.${k}`))
}

/** Every leaf that JSON would change (NaN, Infinity, -0) or objects it would flatten (Date, Map, class instances). */
function nonJsonValues(value: unknown, path = 'def'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? [] : [path]
  if (typeof value === 'bigint' || typeof value === 'symbol') return [path]
  if (typeof value !== 'object' || value === null) return []
  const proto = Object.getPrototypeOf(value)
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return [path]
  return Object.entries(value).flatMap(([k, v]) => nonJsonValues(v, `${path}.${k}`))
}

const trainable = async function* () {
  yield { Q: 1 }
}

const everything = (): ExperimentDef =>
  experiment('json round trip')
    .space({
      lr: qloguniform(5e-3, 1e-1, 5e-4),
      h0: grid([0, 1, 0.01, 0.99]),
      h1: sampleFrom((c: { h0: number }) => 1 - c.h0),
      u: uniform(-1, 1),
      qu: quniform(0, 33, 3),
      lu: loguniform(1e-4, 1e-1, 2),
      n: randn(0, 2),
      qn: qrandn(0, 1, 0.5),
      i: randint(0, 10),
      qi: qrandint(0, 100, 5),
      li: lograndint(1, 1000),
      qli: qlograndint(5, 500, 5),
      optimizer: choice(['adam', 'sgd']),
      model: { layers: [randint(16, 64), 32], activation: grid(['relu', 'tanh']), dropout: null, flags: [true, false] },
      name: 'quadratic',
    })
    .mutate(
      { lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), optimizer: ['adam', 'sgd'], extra: () => 3, model: { activation: ['relu', 'tanh'] } },
      { newKeys: ['extra'] },
    )
    .pbt({
      perturbationInterval: 4,
      quantileFraction: 0.5,
      resampleProbability: 0.5,
      synch: true,
      burnInPeriod: 2,
      perturbationFactors: [1.2, 0.8],
      customExplore: (config) => config,
    })
    .metric('Q', 'max')
    .stop({ trainingIteration: 100 })
    .failures({ maxFailures: 3 })
    .seed(1)
    .samples(2)
    .concurrency(2)
    .train(trainable).def

describe('ExperimentDef is plain data', () => {
  test('everything but user functions survives a JSON round trip', () => {
    const def = everything()
    const roundTripped = JSON.parse(JSON.stringify(def))
    expect(roundTripped).toEqual(withoutFunctions(def))
    expect(roundTripped.space.lr).toEqual({ $domain: 'qloguniform', low: 5e-3, high: 1e-1, q: 5e-4, base: 10 })
    expect(roundTripped.scheduler).toMatchObject({ kind: 'pbt', perturbationInterval: 4, quantileFraction: 0.5, synch: true, keepInBounds: true })
  })

  test('the functions are exactly the ones the user wrote', () => {
    expect(functionPaths(everything())).toEqual(['def.space.h1.fn', 'def.mutations.extra', 'def.scheduler.customExplore', 'def.trainable'])
  })

  test('no value changes under JSON: no NaN, Infinity, -0, Date, Map or class instance', () => {
    expect(nonJsonValues(everything())).toEqual([])
  })

  test('a round-tripped space and mutations are accepted by the builder again', () => {
    const plain = JSON.parse(JSON.stringify(everything())) as ExperimentDef
    const { h1: _computed, ...space } = plain.space
    const rebuilt = experiment(plain.name)
      .space(space)
      // Keys come from JSON here, so TypeScript cannot check them: the builder checks them when called.
      // JSON dropped the function mutation `extra`, so newKeys keeps only the keys that survived.
      .mutate(plain.mutations ?? {}, { newKeys: (plain.newMutationKeys ?? []).filter((k) => k in (plain.mutations ?? {})) as never[] })
      .pbt({ perturbationInterval: 4 })
    expect(JSON.parse(JSON.stringify(rebuilt.def.space))).toEqual(space)
  })

  test('the definition keeps its own copy: changing the objects given to the builder later changes nothing', () => {
    const space = { lr: 0.1, model: { depth: grid([2, 4]) }, layers: [8, 16] }
    const mutations = { lr: [0.1, 0.2] }
    const def = experiment('copies').space(space).mutate(mutations).def
    space.lr = 5
    ;(space.model.depth.values as number[]).length = 0
    space.layers.push(32)
    mutations.lr.push(0.4)
    expect(def.space).toEqual({ lr: 0.1, model: { depth: { $domain: 'grid', values: [2, 4] } }, layers: [8, 16] })
    expect(def.mutations).toEqual({ lr: [0.1, 0.2] })
  })

  test('a stop function stays a function and is the only part JSON drops', () => {
    const def = experiment('stop fn')
      .stop((result) => result.trainingIteration >= 3)
      .train(trainable).def
    expect(functionPaths(def)).toEqual(['def.stop', 'def.trainable'])
  })
})
