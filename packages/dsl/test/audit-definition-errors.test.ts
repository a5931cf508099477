import { describe, expect, test } from 'vitest'
import { DEFAULT_MAX_TRIALS, type DefinitionErrorCode, ExperimentDefinitionError, experiment, grid, uniform, validateExperiment } from '../src/index.js'

// Definitions the reliability audit found silently accepted, or failing with a raw TypeError or
// RangeError (issue 13 items 7, 10, 13, 14): each is a coded error naming the experiment and key.
const NAME = 'audit inputs'
const e = () => experiment(NAME)
/** Bad values bypass the types on purpose: JavaScript users and JSON get no compiler. */
const bad = (value: unknown) => value as never
const trainable = async function* () {
  yield { Q: 1 }
}

function codeOf(build: () => unknown): { code: string; key: string | undefined; message: string } {
  try {
    build()
  } catch (error) {
    if (!(error instanceof ExperimentDefinitionError)) throw error
    return { code: error.code, key: error.key, message: error.message }
  }
  throw new Error('accepted')
}

function deep(levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = { x: 1 }
  for (let i = 0; i < levels; i++) node = { a: node }
  return node
}

const circular = () => {
  const node: Record<string, unknown> = { lr: 0.1 }
  node.self = { back: node }
  return node
}

const cases: [string, DefinitionErrorCode, string, () => unknown][] = [
  // Item 7: Ray allows any interval > 0, but with an iteration count as time a fraction only stalls synchronous PBT.
  ['pbt interval 0.5 on trainingIteration', 'VITUNE_PERTURBATION_INTERVAL', 'pbt.perturbationInterval', () => e().pbt({ perturbationInterval: 0.5 })],
  ['pbt interval 1.5, synch', 'VITUNE_PERTURBATION_INTERVAL', 'pbt.perturbationInterval', () => e().pbt({ perturbationInterval: 1.5, synch: true })],
  [
    'pbt interval 2.5 on iterationsSinceRestore',
    'VITUNE_PERTURBATION_INTERVAL',
    'pbt.perturbationInterval',
    () => e().pbt({ perturbationInterval: 2.5, timeAttr: 'iterationsSinceRestore' }),
  ],
  // Item 10.
  ['storage("/path")', 'VITUNE_STORAGE', 'storage', () => e().storage(bad('/path'))],
  ['storage({ dir })', 'VITUNE_STORAGE', 'storage.dir', () => e().storage(bad({ dir: '/path' }))],
  ['storage({ keep_checkpoints })', 'VITUNE_STORAGE', 'storage.keep_checkpoints', () => e().storage(bad({ keep_checkpoints: 2 }))],
  ['failures({ max_failures: 3 })', 'VITUNE_MAX_FAILURES', 'failures.max_failures', () => e().failures(bad({ max_failures: 3 }))],
  ['failures({ failFast: "yes" })', 'VITUNE_MAX_FAILURES', 'failures.failFast', () => e().failures(bad({ failFast: 'yes' }))],
  ['space with an own __proto__ key', 'VITUNE_SPACE_SHAPE', 'space.__proto__', () => e().space(JSON.parse('{"lr": 0.1, "__proto__": {"x": 1}}'))],
  ['nested __proto__ key', 'VITUNE_SPACE_SHAPE', 'space.model.__proto__', () => e().space(JSON.parse('{"model": {"__proto__": 1}}'))],
  [
    'mutations with a __proto__ key',
    'VITUNE_SPACE_SHAPE',
    'mutate.__proto__',
    () =>
      e()
        .space({ lr: 0.1 })
        .mutate(bad(JSON.parse('{"__proto__": [1, 2]}'))),
  ],
  ['stop with a __proto__ key', 'VITUNE_STOP', 'stop.__proto__', () => e().stop(bad(JSON.parse('{"__proto__": 3}')))],
  [
    'a string list mutating a numeric key',
    'VITUNE_MUTATION_TYPE',
    'mutate.lr',
    () =>
      e()
        .space({ lr: 0.1 })
        .mutate(bad({ lr: ['fast', 'slow'] })),
  ],
  [
    'a number list mutating a string key',
    'VITUNE_MUTATION_TYPE',
    'mutate.optimizer',
    () =>
      e()
        .space({ optimizer: 'adam' })
        .mutate(bad({ optimizer: [1, 2] })),
  ],
  [
    'a string list mutating a numeric grid',
    'VITUNE_MUTATION_TYPE',
    'mutate.lr',
    () =>
      e()
        .space({ lr: grid([0.1, 0.2]) })
        .mutate(bad({ lr: ['a'] })),
  ],
  // Item 14: raw TypeError / RangeError before.
  ['failures(null)', 'VITUNE_MAX_FAILURES', 'failures', () => e().failures(bad(null))],
  ['storage(null)', 'VITUNE_STORAGE', 'storage', () => e().storage(bad(null))],
  ['a circular space', 'VITUNE_SPACE_SHAPE', 'space.self.back', () => e().space(bad(circular()))],
  ['a circular grid value', 'VITUNE_SPACE_SHAPE', 'space.g[0].g', () => cyclicGrid()],
  ['a 20,000-deep space', 'VITUNE_SPACE_SHAPE', 'space', () => e().space(bad(deep(20_000)))],
  [
    'a 20,000-deep mutation',
    'VITUNE_SPACE_SHAPE',
    'mutate',
    () =>
      e()
        .space({ lr: 0.1 })
        .mutate(bad(deep(20_000))),
  ],
  // Item 13: the number of trials is checked before anything is expanded.
  ['a 10^7-variant grid', 'VITUNE_MAX_TRIALS', 'space', () => validateExperiment(tenMillionGrid().def)],
  ['samples(1e8)', 'VITUNE_MAX_TRIALS', 'samples', () => validateExperiment(e().space({ lr: 0.1 }).samples(1e8).train(trainable).def)],
  ['maxTrials(0)', 'VITUNE_MAX_TRIALS', 'maxTrials', () => e().maxTrials(0)],
  ['maxTrials(1.5)', 'VITUNE_MAX_TRIALS', 'maxTrials', () => e().maxTrials(1.5)],
]

function cyclicGrid() {
  const value: Record<string, unknown> = {}
  value.g = value
  return e().space(bad({ g: grid([value]) }))
}

/** 10 grids of 5 values each: 5^10 ≈ 9.8 million trials, without building a 10-million-element list. */
function tenMillionGrid() {
  const space: Record<string, unknown> = {}
  for (let i = 0; i < 10; i++) space[`k${i}`] = grid([1, 2, 3, 4, 5])
  return e().space(bad(space)).train(trainable)
}

describe('definitions the reliability audit found accepted or failing with a raw error', () => {
  test.each(cases)('%s: %s at %s', (_input, code, key, build) => {
    const error = codeOf(build)
    expect(error.code, error.message).toBe(code)
    expect(error.key).toBe(key)
    expect(error.message).toContain(`experiment "${NAME}"`)
  })

  test('the fractional-interval error says which whole interval Ray would act on, and that other time attributes may be fractional', () => {
    expect(codeOf(() => e().pbt({ perturbationInterval: 1.5 })).message).toMatch(/whole number.*Pass 2.*timeAttr/s)
    expect(() => e().pbt({ perturbationInterval: 0.5, timeAttr: 'epoch' })).not.toThrow()
    expect(() => e().pbt({ perturbationInterval: 60.5, timeAttr: 'timeTotalS' })).not.toThrow()
  })

  test('the trial-count error gives the count and says how to raise the limit; maxTrials raises it', () => {
    const error = codeOf(() => validateExperiment(tenMillionGrid().def))
    expect(error.message).toMatch(/9,765,625 trials/)
    expect(error.message).toContain(`.maxTrials(9765625)`)
    expect(() => validateExperiment(tenMillionGrid().maxTrials(10_000_000).def)).not.toThrow()
    expect(DEFAULT_MAX_TRIALS).toBe(1_000_000)
    expect(() =>
      validateExperiment(
        e()
          .space({ x: grid([1, 2]) })
          .samples(500_000)
          .train(trainable).def,
      ),
    ).not.toThrow()
  })

  test('storage and failures hints name the option meant', () => {
    expect(codeOf(() => e().storage(bad('/runs/x'))).message).toContain('.storage({ path: "/runs/x" })')
    expect(codeOf(() => e().storage(bad({ dir: 'x' }))).message).toContain('`path`')
    expect(codeOf(() => e().failures(bad({ max_failures: 3 }))).message).toContain('`maxFailures`')
    expect(codeOf(() => e().failures(bad({ fail_fast: true }))).message).toContain('`failFast`')
  })

  test('valid neighbours stay accepted: .storage() for the default directory, shared (not circular) objects, a mixed list', () => {
    expect(e().storage().def.storage).toEqual({})
    const shared = { units: 4 }
    expect(() => e().space({ a: shared, b: shared, c: grid([shared, shared]) })).not.toThrow()
    expect(() => e().space(bad(deep(30)))).not.toThrow()
    expect(() =>
      e()
        .space({ lr: 0.1 })
        .mutate({ lr: [0.1, 0.2] }),
    ).not.toThrow()
    expect(() =>
      e()
        .space({ lr: uniform(0, 1) })
        .mutate(bad({ lr: [0.1, 'auto'] })),
    ).not.toThrow()
  })
})
