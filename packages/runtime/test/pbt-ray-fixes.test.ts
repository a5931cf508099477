// Ray's known PBT defects, fixed on purpose (docs/ray-differences.md, "PBT scheduler").
import { experiment, grid, qloguniform, randint, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { deriveStream } from '../src/random.js'
import { chooseTrialToRun } from '../src/schedulers/types.js'
import { basicSetup, MockRunner, type MockTrial, mockPbt, result } from './helpers/pbt-mock.js'

describe('synchronous mode never waits for a trial that finished or errored (ray#12122, ray#23424)', () => {
  const atBarrier = () => {
    const setup = basicSetup({ numTrials: 3, synch: true, stepOnce: false })
    const [t0, t1] = setup.trials as [MockTrial, MockTrial, MockTrial]
    setup.runner.report(t0, result(10, 1))
    setup.runner.report(t1, result(10, 2))
    expect([t0.status, t1.status]).toEqual(['PAUSED', 'PAUSED'])
    expect(setup.pbt.nextPerturbationSync).toBe(10)
    return setup
  }

  test('when the last trial still running terminates, the others are released from the barrier', () => {
    const { pbt, runner, trials } = atBarrier()
    const t2 = trials[2] as MockTrial
    t2.status = 'TERMINATED'
    runner.apply(pbt.onTrialComplete(runner, t2))
    expect(pbt.nextPerturbationSync).toBe(20)
    expect(chooseTrialToRun(pbt, runner)).toBe(trials[0])
  })

  test('when it errors for good, the barrier is released as well', () => {
    const { pbt, runner, trials } = atBarrier()
    const t2 = trials[2] as MockTrial
    t2.status = 'ERROR'
    runner.apply(pbt.onTrialError(runner, t2))
    expect(pbt.nextPerturbationSync).toBe(20)
  })

  test('a trial that errored and will retry (PENDING) is still waited for, as in Ray', () => {
    const { pbt, runner, trials } = atBarrier()
    const t2 = trials[2] as MockTrial
    t2.status = 'PENDING'
    expect(pbt.onTrialError(runner, t2)).toEqual([])
    pbt.onTrialAdd(runner, t2)
    expect(pbt.nextPerturbationSync).toBe(10)
    expect(chooseTrialToRun(pbt, runner)).toBe(t2)
  })

  test('end to end: a trial that returns while the others wait at the barrier does not stall the run', async () => {
    const results = await run(
      experiment('early finisher')
        // Trial 2 returns after 5 results; 0 and 1 reach the barrier at 6 first and would wait for it forever.
        .space({ steps: grid([30, 29, 5]), lr: 0.1 })
        .mutate({ lr: uniform(0.01, 1) })
        .pbt({ perturbationInterval: 2, synch: true, quantileFraction: 0.5 })
        .metric('score', 'max')
        .stop({ trainingIteration: 12 })
        .seed(5)
        .train(async function* ({ config, checkpoint }: { config: { steps: number; lr: number }; checkpoint: { score: number } | undefined }) {
          let score = checkpoint?.score ?? 0
          for (let i = 0; i < config.steps; i++) {
            score += config.lr
            yield withCheckpoint({ score }, { score })
          }
        }),
    )
    expect(results.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED'])
    expect(results.lineage.some((e) => e.time === 6)).toBe(true)
  })
})

describe('perturbed values stay valid', () => {
  test('with keepInBounds (the default), every explored value lies inside its domain and on its grid', async () => {
    const results = await run(
      experiment('bounds')
        .space({ lr: 0.09, width: 60, dropout: 0.5, id: grid([0, 1, 2, 3]) })
        .mutate({ lr: qloguniform(1e-3, 1e-1, 5e-4), width: randint(1, 64), dropout: uniform(0, 0.6) })
        .pbt({ perturbationInterval: 1, resampleProbability: 0 })
        .metric('score', 'max')
        .stop({ trainingIteration: 40 })
        .seed(9)
        .train(async function* ({ trialId }) {
          for (let i = 0; ; i++) yield withCheckpoint({ score: Number(trialId.slice(-1)) + i }, {})
        }),
    )
    expect(results.lineage.length).toBeGreaterThan(20)
    for (const { newConfig } of results.lineage) {
      const { lr, width, dropout } = newConfig as { lr: number; width: number; dropout: number }
      expect(lr).toBeGreaterThanOrEqual(1e-3)
      expect(lr).toBeLessThanOrEqual(1e-1)
      expect(Math.abs(lr / 5e-4 - Math.round(lr / 5e-4))).toBeLessThan(1e-9)
      expect(Number.isInteger(width)).toBe(true)
      expect(width).toBeGreaterThanOrEqual(1)
      expect(width).toBeLessThan(64)
      expect(dropout).toBeGreaterThanOrEqual(0)
      expect(dropout).toBeLessThanOrEqual(0.6)
    }
  })

  test('a small integer hyperparameter is never ratcheted down to 0 (ray#65747)', async () => {
    const results = await run(
      experiment('small ints')
        .space({ layers: 1, id: grid([0, 1, 2, 3]) })
        .mutate({ layers: randint(0, 10) })
        .pbt({ perturbationInterval: 1, resampleProbability: 0, keepInBounds: false })
        .metric('score', 'max')
        .stop({ trainingIteration: 30 })
        .seed(4)
        .train(async function* ({ trialId }) {
          for (let i = 0; ; i++) yield withCheckpoint({ score: Number(trialId.slice(-1)) + i }, {})
        }),
    )
    expect(results.lineage.length).toBeGreaterThan(10)
    // Ray: int(1 * 0.8) = 0 on the first down-step, and 0 * anything stays 0.
    expect(results.lineage.every((e) => (e.newConfig as { layers: number }).layers === 1)).toBe(true)
  })
})

describe('the scheduler state is saved with a persisted experiment (ray#30838)', () => {
  test('a scheduler restored from saveState() makes the same decisions as the original', () => {
    const original = basicSetup({ synch: true })
    const saved = structuredClone(original.pbt.saveState())
    const restored = mockPbt({ synch: true, seed: 12345 })
    restored.loadState(saved)
    const twin = new MockRunner(restored)
    // The same trials, re-added after the restore: their state is kept, not rebuilt.
    for (const t of original.trials) {
      const copy = twin.add(t.config)
      Object.assign(copy, { status: t.status, tag: t.tag, lastResult: t.lastResult, latestCheckpoint: t.latestCheckpoint })
    }
    expect(twin.trials.map((t) => restored.trialState(t.id))).toEqual(original.trials.map((t) => original.pbt.trialState(t.id)))
    expect(restored.nextPerturbationSync).toBe(original.pbt.nextPerturbationSync)
    for (const [runner, trials] of [
      [original.runner, original.trials],
      [twin, twin.trials],
    ] as const) {
      trials.forEach((t, i) => {
        runner.report(t, result(20, 10 * ((i * 3) % 5)))
      })
    }
    expect(twin.exploits.map((e) => [e.event.targetId, e.event.donorId, e.event.newConfig])).toEqual(
      original.runner.exploits.slice(-twin.exploits.length).map((e) => [e.event.targetId, e.event.donorId, e.event.newConfig]),
    )
    expect(twin.exploits.length).toBeGreaterThan(0)
    expect(restored.stats()).toEqual(original.pbt.stats())
  })

  test('the random stream continues where it stopped', () => {
    const pbt = mockPbt({ seed: 1 })
    const state = pbt.saveState()
    const a = deriveStream(0, '', state.random)
    const b = deriveStream(0, '', structuredClone(state.random))
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()])
  })
})
