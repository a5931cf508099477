import { choice, experiment, grid, randint, type SpaceSpec, sampleFrom, uniform } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunError } from '../src/errors.js'
import { deriveStream } from '../src/random.js'
import { generateVariants } from '../src/search/variants.js'

const variantsOf = (space: SpaceSpec, samples = 1, seed = 1) =>
  generateVariants({ name: 'variants', space: experiment('variants').space(space).def.space, samples }, deriveStream(seed, 'variants'))

describe('generateVariants', () => {
  test('samples(n) repeats the whole grid n times, drawing random values afresh for every trial', () => {
    const trials = variantsOf({ a: grid([1, 2]), b: grid(['x', 'y', 'z']), u: uniform(0, 1) }, 3)
    expect(trials).toHaveLength(18)
    expect(trials.slice(0, 6).map((t) => [t.config.a, t.config.b])).toEqual(trials.slice(6, 12).map((t) => [t.config.a, t.config.b]))
    expect(new Set(trials.map((t) => t.config.u)).size).toBe(18)
    expect(trials.map((t) => t.index)).toEqual([...Array(18).keys()])
  })

  test('the same seed gives the same variants; another seed gives other random values', () => {
    const space = { lr: uniform(0, 1), n: randint(0, 1000), o: choice(['a', 'b', 'c']), h: grid([0, 1]) }
    expect(variantsOf(space, 2, 7)).toEqual(variantsOf(space, 2, 7))
    expect(variantsOf(space, 2, 8).map((t) => t.config.lr)).not.toEqual(variantsOf(space, 2, 7).map((t) => t.config.lr))
  })

  test('domains inside lists are sampled, and list indices are key paths (as Ray)', () => {
    const [trial] = variantsOf({ layers: [randint(16, 64), grid([8, 16]), 4] })
    expect(trial?.config.layers).toEqual([expect.any(Number), 8, 4])
    expect(Object.keys(trial?.evaluatedParams ?? {})).toEqual(['layers/1', 'layers/0'])
    expect(trial?.tag).toMatch(/^0_0=\d+,1=8$/)
  })

  test('grids sort list indices numerically, as Ray sorts tuple paths', () => {
    const values = Array.from({ length: 11 }, (_, i) => (i === 2 || i === 10 ? grid([0, 1]) : i))
    const trials = variantsOf({ l: values })
    // Path (l, 2) sorts before (l, 10), so index 2 varies fastest.
    expect(trials.map((t) => [(t.config.l as number[])[2], (t.config.l as number[])[10]])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ])
  })

  test('grid values that hold domains are resolved per trial, never shared between trials or written back', () => {
    const space = { x: grid([{ a: uniform(0, 1) }, { a: 5 }]) }
    const frozenBefore = JSON.stringify(space)
    const a = variantsOf(space, 2).map((t) => (t.config.x as { a: unknown }).a)
    expect(a.map((v) => typeof v)).toEqual(['number', 'number', 'number', 'number'])
    expect(a[0]).not.toBe(a[2])
    expect(JSON.stringify(space)).toBe(frozenBefore)
  })

  test('a definition sent through JSON (as to a worker) generates the same trials', () => {
    const def = experiment('shipped')
      .space({ lr: uniform(1e-3, 1), depth: grid([2, 4]), act: choice(['relu', 'gelu']), layers: [randint(8, 64), 4] })
      .samples(3).def
    const shipped = JSON.parse(JSON.stringify(def)) as typeof def
    const generate = (d: typeof def) => generateVariants(d, deriveStream(5, 'variants'))
    expect(generate(shipped)).toEqual(generate(def))
  })

  test('configs are frozen, so no trial can change another', () => {
    const [trial] = variantsOf({ model: { depth: 2 } })
    expect(Object.isFrozen(trial?.config)).toBe(true)
    expect(Object.isFrozen(trial?.config.model)).toBe(true)
  })

  test('sampleFrom receives a seeded random stream: the same seed gives the same values', () => {
    const space = { noise: sampleFrom((_c, random) => random()), scaled: sampleFrom((c: { noise: number }) => c.noise * 10) }
    const first = variantsOf(space, 3, 11)
    expect(first).toEqual(variantsOf(space, 3, 11))
    expect(new Set(first.map((t) => t.config.noise)).size).toBe(3)
    for (const t of first) expect(t.config.scaled).toBe((t.config.noise as number) * 10)
  })

  test('a sampleFrom may return a domain, which is then sampled', () => {
    const trials = variantsOf({ wide: grid([false, true]), x: sampleFrom((c: { wide: boolean }) => (c.wide ? uniform(100, 200) : uniform(0, 1))) })
    expect(trials[0]?.config.x).toBeLessThan(1)
    expect(trials[1]?.config.x).toBeGreaterThanOrEqual(100)
  })

  test('a sampleFrom reading a key the space lacks is an error naming both keys', () => {
    const run = () => variantsOf({ h0: grid([0, 1]), h1: sampleFrom((c: { h00: number }) => 1 - c.h00) })
    expect(run).toThrow(RunError)
    expect(run).toThrow(/VITUNE_SAMPLE_FROM_FAILED.*experiment "variants".*`space\.h1` reads `h00`, which the space does not define/)
  })

  test('a sampleFrom that throws is an error naming the key, with the cause attached', () => {
    let caught: unknown
    try {
      variantsOf({
        x: sampleFrom(() => {
          throw new Error('boom')
        }),
      })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(RunError)
    expect((caught as RunError).code).toBe('VITUNE_SAMPLE_FROM_FAILED')
    expect((caught as RunError).message).toMatch(/`space\.x` threw: boom/)
    expect((caught as RunError).cause).toBeInstanceOf(Error)
  })

  test('a sampleFrom cannot change the config it reads', () => {
    const run = () =>
      variantsOf({
        a: 1,
        b: sampleFrom((c: { a: number }) => {
          ;(c as { a: number }).a = 2
          return 0
        }),
      })
    expect(run).toThrow(/must not change the config/)
  })

  test('a sampleFrom returning a grid is an error: grids belong in the space', () => {
    expect(() => variantsOf({ x: sampleFrom(() => grid([1, 2])) })).toThrow(/returned a grid/)
  })
})
