// Ray's testPerturbationValues and testSummarizeHyperparamChanges (operation strings), on the pure explore().
import { type Config, type MutationSpecShape, qrandint, quniform, randint, uniform } from '@vitune/dsl'
import { describe, expect, test, vi } from 'vitest'
import { deriveStream, type RandomStream } from '../src/random.js'
import { type ExploreOptions, explore, fillMissing } from '../src/schedulers/pbt-explore.js'
import { filterMutatedParams, summarizeHyperparamChanges } from '../src/schedulers/pbt-summary.js'

const options = (resampleProbability: number, extra: Partial<ExploreOptions> = {}): ExploreOptions => ({
  resampleProbability,
  perturbationFactors: [1.2, 0.8],
  keepInBounds: false,
  ...extra,
})

/** The set of values explore produces for `v` over 100 draws from one seeded stream (Ray's assertProduces). */
function produces(config: Config, mutations: MutationSpecShape, o: ExploreOptions, pick: (c: Config) => unknown = (c) => c.v): Set<unknown> {
  const stream = deriveStream(0, 'explore')
  const seen = new Set<unknown>()
  for (let i = 0; i < 100; i++) seen.add(pick(explore(config, mutations, o, stream).config))
  return seen
}

/** A resample function with its own seeded stream, as Ray's `lambda: random.choice([10, 100])`. */
function choiceFn(values: readonly number[]): () => number {
  const stream: RandomStream = deriveStream(0, 'resample')
  return () => values[Math.floor(stream.next() * values.length)] as number
}

describe('testPerturbationValues', () => {
  const list = [3, 4, 8, 10]

  test('a list shifts one step left or right, clamped at the ends', () => {
    expect(produces({ v: 4 }, { v: list }, options(0))).toEqual(new Set([3, 8]))
    expect(produces({ v: 3 }, { v: list }, options(0))).toEqual(new Set([3, 4]))
    expect(produces({ v: 10 }, { v: list }, options(0))).toEqual(new Set([8, 10]))
  })

  test('a value not in the list, or resample probability 1, draws from the whole list', () => {
    expect(produces({ v: 7 }, { v: list }, options(0))).toEqual(new Set(list))
    expect(produces({ v: 4 }, { v: list }, options(1))).toEqual(new Set(list))
  })

  test('list membership compares by value, as Python does, so object values still shift', () => {
    const layers = [
      [32, 32],
      [64, 64],
      [128, 128],
    ]
    expect(produces({ v: [64, 64] }, { v: layers }, options(0), (c) => JSON.stringify(c.v))).toEqual(new Set(['[32,32]', '[128,128]']))
  })

  test('a set or a string is not a mutation', () => {
    const stream = deriveStream(0, 'explore')
    expect(() => explore({ v: 4 }, { v: new Set(list) as never }, options(0), stream)).toThrow(/unsupported mutation at `v`/)
    expect(() => explore({ v: 4 }, { v: 'invalid' as never }, options(0), stream)).toThrow(/unsupported mutation at `v`/)
  })

  test('a continuous value is multiplied by a perturbation factor, or resampled', () => {
    expect(produces({ v: 100 }, { v: choiceFn([10, 100]) }, options(0))).toEqual(new Set([80, 120]))
    expect(produces({ v: 100 }, { v: choiceFn([10, 100]) }, options(1))).toEqual(new Set([10, 100]))
  })

  test('nested mutations recurse into nested configs', () => {
    const stream = deriveStream(0, 'explore')
    const seenB = new Set<unknown>()
    const seen3 = new Set<unknown>()
    for (let i = 0; i < 100; i++) {
      const { config } = explore({ a: { b: 4 }, 1: { 2: { 3: 100 } } }, { a: { b: list }, 1: { 2: { 3: choiceFn([10, 100]) } } }, options(0), stream)
      seenB.add((config.a as Config).b)
      seen3.add(((config[1] as Config)[2] as Config)[3])
    }
    expect(seenB).toEqual(new Set([3, 8]))
    expect(seen3).toEqual(new Set([80, 120]))
  })

  test('customExplore is called exactly once per explore, on the whole config, after the built-in mutations', () => {
    const custom = vi.fn((c: Config) => c)
    const stream = deriveStream(0, 'explore')
    for (let i = 0; i < 100; i++) explore({ a: { b: 4 }, c: 1 }, { a: { b: list } }, options(0, { customExplore: custom }), stream)
    expect(custom).toHaveBeenCalledTimes(100)
    expect(Object.keys(custom.mock.calls[0]?.[0] ?? {})).toEqual(['a', 'c'])
  })

  test('customExplore must return a config', () => {
    expect(() => explore({ v: 1 }, { v: [1, 2] }, options(0, { customExplore: () => undefined as never }), deriveStream(0, 'x'))).toThrow(/customExplore/)
  })
})

describe('explore: operations and the donor config (testSummarizeHyperparamChanges)', () => {
  test('operations name what was done per key; nested keys nest; a one-element list is a noop shift', () => {
    const stream = deriveStream(3, 'ops')
    const { operations } = explore({ a: 1, b: 5, n: { c: 2 } }, { a: [1], b: choiceFn([1]), n: { c: [1, 2, 3] } }, options(0), stream)
    expect(operations.a).toMatch(/^shift (left|right) \(noop\)$/)
    expect(operations.b).toMatch(/^\* (1\.2|0\.8)$/)
    expect((operations.n as Record<string, unknown>).c).toMatch(/^shift (left|right)$/)
    expect(explore({ a: 1 }, { a: [1, 2] }, options(1), stream).operations).toEqual({ a: 'resample' })
  })

  test('keys outside the mutations are carried over from the donor unchanged, and the donor config is not modified', () => {
    const donor = Object.freeze({ lr: 0.1, batch: 32, nested: Object.freeze({ keep: 'x' }) })
    const { config } = explore(donor, { lr: uniform(0, 1) }, options(0), deriveStream(0, 'x'))
    expect(config.batch).toBe(32)
    expect(config.nested).toEqual({ keep: 'x' })
    expect(donor.lr).toBe(0.1)
  })
})

describe('explore: Ray defects fixed on purpose', () => {
  test('integer domains are rounded, never truncated toward 0 (ray#65747)', () => {
    // Ray: int(1 * 0.8) = 0, and 0 is absorbing. Rounded, 1 stays 1 under both factors.
    expect(produces({ v: 1 }, { v: randint(0, 100) }, options(0))).toEqual(new Set([1]))
    expect(produces({ v: 4 }, { v: randint(0, 100) }, options(0))).toEqual(new Set([3, 5]))
  })

  test('keepInBounds clamps perturbed values into the domain and onto its grid (ray#12717)', () => {
    expect(produces({ v: 0.9 }, { v: quniform(0, 0.9, 0.1) }, options(0, { keepInBounds: true }))).toEqual(new Set([0.7, 0.9]))
    expect(produces({ v: 0.9 }, { v: uniform(0, 1) }, options(0, { keepInBounds: true }))).toEqual(new Set([0.9 * 0.8, 1]))
    expect(produces({ v: 10 }, { v: qrandint(0, 10, 5) }, options(0, { keepInBounds: true }))).toEqual(new Set([10]))
  })

  test('keepInBounds false reproduces Ray: 0.9 * 1.2 leaves quniform(0, 0.9, 0.1)', () => {
    const seen = produces({ v: 0.9 }, { v: quniform(0, 0.9, 0.1) }, options(0))
    expect([...seen].some((v) => (v as number) > 0.9)).toBe(true)
  })
})

describe('fillMissing (Ray _fill_config, testNoConfig)', () => {
  test('fills top-level mutation keys the config lacks, nested objects included, and leaves present keys alone', () => {
    const filled = fillMissing({ a: 0.1 }, { a: uniform(0, 0.3), b: [1, 2, 3], c: { c1: () => 0.5, c2: [2, 3, 4] } }, deriveStream(0, 'fill')) as Config
    expect(filled.a).toBe(0.1)
    expect([1, 2, 3]).toContain(filled.b)
    expect((filled.c as Config).c1).toBe(0.5)
    expect([2, 3, 4]).toContain((filled.c as Config).c2)
    expect(fillMissing({ a: 1 }, { a: [1] }, deriveStream(0, 'fill'))).toBeUndefined()
  })
})

describe('PopulationBasedTrainingLoggingTest', () => {
  const mutations: MutationSpecShape = { a: uniform(0, 1), b: [0, 1, 2, 3, 4], c: { d: uniform(2, 3), e: { f: [-1, 0, 1] } } }

  test('testFilterHyperparamConfig: keeps only the mutated leaves, in config order', () => {
    const config = { a: 0.5, b: 2, x: 'kept out', c: { d: 2.5, y: 1, e: { f: 0, z: 2 } } }
    expect(filterMutatedParams(config, mutations)).toEqual({ a: 0.5, b: 2, c: { d: 2.5, e: { f: 0 } } })
  })

  test('testSummarizeHyperparamChanges: one line per key, operations in between, nested keys indented', () => {
    const old = { a: 0.5, b: 2, c: { d: 2.5, e: { f: 0 } } }
    const next = { a: 0.4, b: 4, c: { d: 3, e: { f: 1 } } }
    const ops = { a: '* 0.8', b: 'resample', c: { d: '* 1.2', e: { f: 'shift right' } } }
    expect(summarizeHyperparamChanges(old, next, ops)).toBe(
      [
        'a : 0.5 --- (* 0.8) --> 0.4',
        'b : 2 --- (resample) --> 4',
        'c : ',
        '    d : 2.5 --- (* 1.2) --> 3',
        '    e : ',
        '        f : 0 --- (shift right) --> 1',
        '',
      ].join('\n'),
    )
    // Missing operations are fine; extra keys in the new params are ignored.
    expect(summarizeHyperparamChanges({ a: 1 }, { a: 2, extra: 3 })).toBe('a : 1 -----> 2\n')
    expect(summarizeHyperparamChanges({}, {})).toBe('')
    expect(() => summarizeHyperparamChanges({ a: 1 }, { b: 2 })).toThrow(/lack `a`/)
  })

  test('a real explore summarizes as Ray logs it, with a noop shift for a one-element list', () => {
    const spec: MutationSpecShape = { one: [1], lr: uniform(0, 1) }
    const donor = { one: 1, lr: 0.5, other: 'x' }
    const { config, operations } = explore(donor, spec, options(0), deriveStream(1, 'summary'))
    const summary = summarizeHyperparamChanges(filterMutatedParams(donor, spec), filterMutatedParams(config, spec), operations)
    expect(summary).toMatch(/^one : 1 --- \(shift (left|right) \(noop\)\) --> 1\nlr : 0\.5 --- \(\* (1\.2|0\.8)\) --> (0\.6|0\.4)\n$/)
  })
})
