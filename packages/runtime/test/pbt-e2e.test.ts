// Ray's end-to-end PBT tests (test_trial_scheduler_pbt.py, test_trial_scheduler.py), run through run().
import { choice, experiment, grid, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'

/** Ray's MockTrainingFuncSync: resumes `iter` from a checkpoint, uses the (possibly explored) config's `a`. */
async function* mockTrainingFuncSync({ config, checkpoint }: { config: { a: number; c: number }; checkpoint: { iter: number } | undefined }) {
  let iter = checkpoint?.iter ?? 0
  for (;;) {
    iter++
    yield withCheckpoint({ mean_accuracy: iter + config.a, a: config.a }, { iter })
  }
}

/** Ray's synchSetup: three trials a = param, interval 1, stop at iteration 3, mutations { c: () => 1 }. */
const synchSetup = (synch: boolean, param: readonly number[] = [10, 20, 40]) =>
  run(
    experiment(`synchSetup ${synch ? 'synch' : 'asynch'} ${param.join(',')}`)
      .space({ a: grid([...param]), c: 1 })
      .mutate({ c: () => 1 })
      .pbt({ perturbationInterval: 1, synch })
      .metric('mean_accuracy', 'max')
      .stop({ trainingIteration: 3 })
      .seed(100)
      .train(mockTrainingFuncSync),
  )

const finals = (grid: Awaited<ReturnType<typeof synchSetup>>) => grid.trials.map((t) => t.metrics?.mean_accuracy)

describe('PopulationBasedTrainingSynchTest', () => {
  test('testSynchPass: every trial ends cloned from the best, at 3 + 40', async () => {
    expect(finals(await synchSetup(true))).toEqual([43, 43, 43])
  })

  test('testSynchPassLast: the best trial listed first works as well, at 3 + 30', async () => {
    expect(finals(await synchSetup(true, [30, 20, 10]))).toEqual([33, 33, 33])
  })

  test('testAsynchFail: asynchronous mode clones across different iterations, so not every trial reaches 43', async () => {
    const values = finals(await synchSetup(false))
    expect(values.some((v) => v !== 43)).toBe(true)
  })
})

describe('PopulationBasedTrainingConfigTest', () => {
  test('testNoConfig: mutation keys missing from the space are filled, nested ones included, and the run succeeds', async () => {
    const grid = await run(
      experiment('testNoConfig')
        .mutate({ a: uniform(0, 0.3), b: [1, 2, 3], c: { c1: () => 0.5, c2: choice([2, 3, 4]) } }, { newKeys: ['a', 'b', 'c'] })
        .pbt({ perturbationInterval: 1 })
        .metric('mean_accuracy', 'max')
        .stop({ trainingIteration: 3 })
        .samples(4)
        .seed(3)
        .train(async function* ({ config }) {
          const { a, b, c } = config as unknown as { a: number; b: number; c: { c1: number; c2: number } }
          for (;;) yield { mean_accuracy: a * b * (c.c1 + c.c2) }
        }),
    )
    expect(grid.trials).toHaveLength(4)
    for (const trial of grid.trials) {
      expect(trial.status).toBe('TERMINATED')
      const config = trial.initialConfig as { a: number; b: number; c: { c1: number; c2: number } }
      expect(config.a).toBeGreaterThanOrEqual(0)
      expect(config.a).toBeLessThan(0.3)
      expect([1, 2, 3]).toContain(config.b)
      expect(config.c.c1).toBe(0.5)
      expect([2, 3, 4]).toContain(config.c.c2)
    }
  })
})

describe('E2EPopulationBasedTestingSuite', () => {
  test('testCheckpointing: three samples, 30 iterations, every trial terminates with a checkpoint', async () => {
    const grid = await run(
      experiment('testCheckpointing')
        .space({ lr: uniform(0.001, 0.1) })
        .mutate({ lr: uniform(0.001, 0.1) })
        .pbt({ perturbationInterval: 2 })
        .metric('score', 'max')
        .stop({ trainingIteration: 30 })
        .samples(3)
        .seed(7)
        .train(async function* ({ config, checkpoint }: { config: { lr: number }; checkpoint: { score: number } | undefined }) {
          let score = checkpoint?.score ?? 0
          for (;;) {
            score += config.lr
            yield withCheckpoint({ score }, { score })
          }
        }),
    )
    expect(grid.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED'])
    expect(grid.trials.map((t) => t.metrics?.trainingIteration)).toEqual([30, 30, 30])
    expect(grid.trials.every((t) => t.metrics?.checkpointed === true)).toBe(true)
    expect(grid.schedulerStats.perturbations).toBeGreaterThan(0)
  })
})

describe('Ray scheduler suites', () => {
  test.each([false, true])('testPBTNanInf: NaN and infinite metrics do not crash PBT (synch %s)', async (synch) => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1]
    const results = await run(
      experiment(`testPBTNanInf ${synch}`)
        .space({ kind: grid([0, 1, 2, 3]), lr: 0.1 })
        .mutate({ lr: uniform(0.01, 1) })
        .pbt({ perturbationInterval: 1, synch })
        .metric('value', 'max')
        .stop({ trainingIteration: 6 })
        .seed(1)
        .train(async function* ({ trialId }) {
          // Keyed by trial, not config: exploits copy the donor's config.
          const value = values[Number(trialId.slice(-1))] as number
          for (;;) yield withCheckpoint({ value }, {})
        }),
    )
    expect(results.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED', 'TERMINATED'])
    // NaN ranks lowest, so the NaN trial is the one exploited, and it never donates.
    expect(results.lineage.length).toBeGreaterThan(0)
    expect(new Set(results.lineage.map((e) => e.targetId.slice(-1)))).toEqual(new Set(['0']))
    expect(results.lineage.every((e) => e.donorId.slice(-1) !== '0')).toBe(true)
    // The best result skips NaN and infinities, as Ray's get_best_result does.
    expect(results.best.metrics?.value).toBe(1)
  })

  test('testAnonymousMetricEndToEndPBT: a trainable that yields numbers reports _metric, which PBT ranks', async () => {
    const results = await run(
      experiment('testAnonymousMetricEndToEndPBT')
        .space({ x: grid([1, 2, 3]) })
        .mutate({ x: [1, 2, 3] })
        .pbt({ perturbationInterval: 1 })
        .metric('_metric', 'max')
        .stop({ trainingIteration: 4 })
        .seed(2)
        // A bare number is a report of `_metric` at runtime; the builder's types ask for objects.
        .train(async function* ({ config }: { config: { x: number } }) {
          for (;;) yield config.x
        } as never),
    )
    expect(results.best.metrics?._metric).toBe(3)
  })
})
