// Ray's search-space tests (python/ray/tune/tests/test_var.py and test_sample.py), one test per
// Ray test, named as Ray names them. reference/ray-tune-pbt.md §5.8 lists what each asserts.
import { ExperimentDefinitionError, experiment, grid, loguniform, qloguniform, quniform, type SpaceSpec, sampleFrom } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunError } from '../src/errors.js'
import { deriveStream } from '../src/random.js'
import { sampleDomain } from '../src/search/sample.js'
import { generateVariants } from '../src/search/variants.js'

const variantsOf = (name: string, space: SpaceSpec, samples = 1) =>
  generateVariants({ name, space: experiment(name).space(space).def.space, samples }, deriveStream(1, 'variants'))

const draw = (domain: Parameters<typeof sampleDomain>[0], n: number, seed = 1) => {
  const stream = deriveStream(seed, 'samples')
  return Array.from({ length: n }, () => sampleDomain(domain, stream) as number)
}

describe('VariantGeneratorTest', () => {
  test('testGridSearch: the first key in sorted order varies fastest, tags as Ray', () => {
    const trials = variantsOf('grid_search', { bar: grid([true, false]), foo: grid([1, 2, 3]), baz: 'asd' })
    expect(trials.map((t) => t.config)).toEqual([
      { bar: true, foo: 1, baz: 'asd' },
      { bar: false, foo: 1, baz: 'asd' },
      { bar: true, foo: 2, baz: 'asd' },
      { bar: false, foo: 2, baz: 'asd' },
      { bar: true, foo: 3, baz: 'asd' },
      { bar: false, foo: 3, baz: 'asd' },
    ])
    expect(trials[0]?.evaluatedParams).toEqual({ bar: true, foo: 1 })
    expect(trials[0]?.tag).toBe('0_bar=True,foo=1')
    expect(trials[1]?.tag).toBe('1_bar=False,foo=1')
  })

  test('testGridSearchAndEval: sampleFrom values join the grid values in the tag', () => {
    const trials = variantsOf('grid_eval', { qux: sampleFrom(() => 2 + 2), bar: grid([true, false]), foo: grid([1, 2, 3]), baz: 'asd' })
    expect(trials).toHaveLength(6)
    expect(trials[0]?.config).toEqual({ bar: true, foo: 1, qux: 4, baz: 'asd' })
    expect(trials[0]?.evaluatedParams).toEqual({ bar: true, foo: 1, qux: 4 })
    expect(trials[0]?.tag).toBe('0_bar=True,foo=1,qux=4')
  })

  test('testConditionResolution: a sampleFrom may read another sampleFrom', () => {
    const trials = variantsOf('condition_resolution', {
      x: 1,
      y: sampleFrom((c: { x: number }) => c.x + 1),
      z: sampleFrom((c: { y: number }) => c.y + 1),
    })
    expect(trials).toHaveLength(1)
    expect(trials[0]?.config).toEqual({ x: 1, y: 2, z: 3 })
    expect(trials[0]?.evaluatedParams).toEqual({ y: 2, z: 3 })
    expect(trials[0]?.tag).toBe('0_y=2,z=3')
  })

  test('testConditionResolution (reversed order): a later key can be read before it is written', () => {
    const trials = variantsOf('condition_resolution_reversed', {
      z: sampleFrom((c: { y: number }) => c.y + 1),
      y: sampleFrom((c: { x: number }) => c.x + 1),
      x: 1,
    })
    expect(trials[0]?.config).toEqual({ z: 3, y: 2, x: 1 })
  })

  test('testDependentLambda: a sampleFrom may read a grid value', () => {
    const trials = variantsOf('dependent_lambda', { x: grid([1, 2]), y: sampleFrom((c: { x: number }) => c.x * 100) })
    expect(trials.map((t) => t.config)).toEqual([
      { x: 1, y: 100 },
      { x: 2, y: 200 },
    ])
  })

  test('testDependentGridSearch: grid values may themselves be sampleFrom', () => {
    const trials = variantsOf('dependent_grid_search', {
      x: grid([sampleFrom((c: { y: number }) => c.y * 100), sampleFrom((c: { y: number }) => c.y * 200)]),
      y: sampleFrom(() => 1),
    })
    expect(trials.map((t) => t.config)).toEqual([
      { x: 100, y: 1 },
      { x: 200, y: 1 },
    ])
  })

  test('testNestedValues: nested keys resolve and evaluated params join their path with "/"', () => {
    const trials = variantsOf('nested_values', {
      x: { y: { z: sampleFrom(() => 1) } },
      y: sampleFrom(() => 12),
      z: sampleFrom((c: { x: { y: { z: number } } }) => c.x.y.z * 100),
    })
    expect(trials).toHaveLength(1)
    expect(trials[0]?.config).toEqual({ x: { y: { z: 1 } }, y: 12, z: 100 })
    expect(trials[0]?.evaluatedParams).toEqual({ 'x/y/z': 1, y: 12, z: 100 })
  })

  test('testRecursiveDep: a sampleFrom that reads itself is a cycle error naming the key', () => {
    const run = () => variantsOf('recursive_dep', { foo: sampleFrom((c: { foo: number }) => c.foo) })
    expect(run).toThrow(RunError)
    expect(run).toThrow(/VITUNE_SAMPLE_FROM_CYCLE.*experiment "recursive_dep".*`foo` reads itself/)
  })

  test('testRecursiveDep (two keys): the message names both ends of the cycle', () => {
    const run = () => variantsOf('mutual', { a: sampleFrom((c: { b: number }) => c.b), b: sampleFrom((c: { a: number }) => c.a) })
    expect(run).toThrow(/`a` reads `b`, `b` reads `a`/)
  })

  test('testParseToTrials: samples(n) without domains gives n trials tagged by index', () => {
    const trials = variantsOf('tune-pong', { env: 'Pong-v0', foo: 'bar' }, 2)
    expect(trials.map((t) => [t.tag, t.config, t.evaluatedParams])).toEqual([
      ['0', { env: 'Pong-v0', foo: 'bar' }, {}],
      ['1', { env: 'Pong-v0', foo: 'bar' }, {}],
    ])
  })

  test('testLogUniform: samples span the decades of the range, for any base', () => {
    const tens = draw(loguniform(1e-10, 1e-1), 1000)
    expect(Math.abs(Math.log10(Math.min(...tens)) - -10)).toBeLessThan(0.1)
    expect(Math.abs(Math.log10(Math.max(...tens)) - -1)).toBeLessThan(0.1)
    const es = draw(loguniform(Math.E ** -4, Math.E, Math.E), 1000)
    expect(Math.abs(Math.log(Math.min(...es)) - -4)).toBeLessThan(0.1)
    expect(Math.abs(Math.log(Math.max(...es)) - 1)).toBeLessThan(0.1)
  })
})

describe('SearchSpaceTest', () => {
  test('testQuantized: bounds q does not divide are rejected; samples are exact multiples within the bounds', () => {
    const definitionError = (space: SpaceSpec) => {
      try {
        experiment('quantized').space(space)
      } catch (error) {
        return error
      }
      return undefined
    }
    for (const bad of [quniform(1e-4, 1e-1, 5e-4), quniform(-1e-1, -1e-4, 5e-4), quniform(0, 32, 3)]) {
      const error = definitionError({ x: bad })
      expect(error).toBeInstanceOf(ExperimentDefinitionError)
      expect((error as ExperimentDefinitionError).code).toBe('VITUNE_QUANTIZATION')
    }
    for (const sample of draw(qloguniform(1e-4, 1e-1, 5e-5), 1000)) {
      expect(sample).toBeGreaterThanOrEqual(1e-4)
      expect(sample).toBeLessThanOrEqual(1e-1)
      expect(Math.abs(sample / 5e-5 - Math.round(sample / 5e-5))).toBeLessThan(1e-10)
      // No float noise: the sample is the decimal multiple itself (Ray may give 0.012500000000000001).
      expect(sample).toBe(Number(sample.toFixed(5)))
    }
    const thirds = draw(quniform(0, 33, 3), 1000)
    expect(thirds.every((s) => s >= 0 && s <= 33 && s % 3 === 0)).toBe(true)
    // Rounding makes the upper bound reachable ("upper inclusive").
    expect(new Set(thirds)).toEqual(new Set([0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33]))
  })

  test('testGridSearchGenerator: a grid over a generator yields its values in order', () => {
    function* range(n: number) {
      for (let i = 0; i < n; i++) yield i
    }
    const trials = variantsOf('grid_generator', { x: grid(range(10)) })
    expect(trials.map((t) => t.config.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })
})
