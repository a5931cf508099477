// The quality benchmark at 20 seeds, as assertions: seeded, so the outcome is the same every run.
// bench/quality.bench.ts runs the same code over 100 seeds for docs/benchmarks.md.
import { describe, expect, test } from 'vitest'
import { quadraticPb2, quadraticPbt } from './quality/pb2.js'
import { type QuadraticMethod, quadraticMethods } from './quality/quadratic.js'
import { type QualitySummary, scoreOverSeeds, seedsUpTo } from './quality/score.js'
import { TRIANGLE_TARGET, triangleFixed, trianglePbt } from './quality/triangle.js'

const SEEDS = seedsUpTo(20)
const quadratic = (method: QuadraticMethod) => scoreOverSeeds(quadraticMethods[method], SEEDS, 'Q', (q) => q >= 1.19)
const triangle = (make: typeof trianglePbt, population: number) =>
  scoreOverSeeds(
    (seed) => make(population, seed),
    SEEDS,
    'meanAccuracy',
    (a) => a > TRIANGLE_TARGET,
  )
const hitRate = (s: QualitySummary) => s.hits / s.runs

describe('quality on the tutorial quadratic toy (20 seeds)', () => {
  test('PBT reaches Q >= 1.19 in nearly every run, synchronous and asynchronous', async () => {
    const sync = await quadratic('PBT, synchronous')
    const async = await quadratic('PBT, asynchronous')
    expect(hitRate(sync)).toBeGreaterThanOrEqual(0.95)
    expect(hitRate(async)).toBeGreaterThanOrEqual(0.85)
    // The oracle h = [1, 1] needs 25+ steps at lr 0.05; PBT first has to find it.
    expect(sync.medianHitIteration).toBeGreaterThan(25)
    expect(sync.medianHitIteration).toBeLessThan(60)
  })

  test('grid search and exploit-only never leave the 0.59 plateau of the fixed h', async () => {
    for (const method of ['grid search', 'exploit only'] as const) {
      const summary = await quadratic(method)
      expect(summary.hits).toBe(0)
      expect(summary.medianBest).toBeCloseTo(1.2 - 0.75 * 0.81, 3)
    }
  })

  test('explore-only and random search reach the target less often and later than PBT', async () => {
    const pbt = await quadratic('PBT, synchronous')
    for (const method of ['explore only', 'random search'] as const) {
      const summary = await quadratic(method)
      expect(summary.hits).toBeGreaterThan(0)
      expect(summary.hits).toBeLessThan(pbt.hits)
      expect(summary.medianHitIteration).toBeGreaterThan(pbt.medianHitIteration as number)
    }
  })
})

describe("quality on Ray's triangle-wave toy (20 seeds)", () => {
  test('without PBT no population reaches accuracy 200', async () => {
    for (const population of [2, 4, 8]) expect((await triangle(triangleFixed, population)).hits).toBe(0)
  })

  test('with PBT, bigger populations reach it more often and sooner', async () => {
    const [p2, p4, p8] = [await triangle(trianglePbt, 2), await triangle(trianglePbt, 4), await triangle(trianglePbt, 8)]
    expect(hitRate(p2)).toBeGreaterThanOrEqual(0.4)
    expect(hitRate(p4)).toBeGreaterThanOrEqual(0.85)
    expect(hitRate(p8)).toBeGreaterThanOrEqual(0.95)
    expect(p4.medianHitIteration).toBeLessThan(p2.medianHitIteration as number)
    expect(p8.medianHitIteration).toBeLessThan(p4.medianHitIteration as number)
  })
})

describe('PB2 on the tutorial quadratic toy (10 seeds; bench/pb2-quality.bench.ts runs 100)', () => {
  test("with 2 trials PB2 reaches Q >= 1.19 in every run, no later than Ray's PB2 (median 29) and sooner than PBT", async () => {
    const seeds = seedsUpTo(10)
    const pb2 = await scoreOverSeeds(
      (seed) => quadraticPb2(2, seed),
      seeds,
      'Q',
      (q) => q >= 1.19,
    )
    const pbt = await scoreOverSeeds(
      (seed) => quadraticPbt(2, seed),
      seeds,
      'Q',
      (q) => q >= 1.19,
    )
    expect(pb2.hits).toBe(seeds.length)
    expect(pb2.medianHitIteration).toBeLessThanOrEqual(29)
    expect(pb2.medianHitIteration).toBeLessThan(pbt.medianHitIteration as number)
  })
})
