// Ray's PopulationBasedTestingSuite (test_trial_scheduler.py), driven through the scheduler
// interface with a fake runner. Test names are Ray's; see reference/ray-tune-pbt.md §5.3.
import { choice, experiment, parsePolicyLine, sampleFrom } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunError } from '../src/errors.js'
import { deriveStream } from '../src/random.js'
import { PbtScheduler } from '../src/schedulers/pbt.js'
import { GLOBAL_POLICY_FILE, policyFileName, policyLogFiles } from '../src/schedulers/policy-log.js'
import type { TrialDecision } from '../src/schedulers/types.js'
import { chooseTrialToRun } from '../src/schedulers/types.js'
import { basicSetup, MockRunner, type MockTrial, result } from './helpers/pbt-mock.js'

/** Ray's helper accepts PAUSE as the decision or as the trial's status after an exploit. */
const expectPaused = (decision: TrialDecision, trial: MockTrial) => expect(decision === 'PAUSE' || trial.status === 'PAUSED').toBe(true)

describe('PopulationBasedTestingSuite', () => {
  test('basicSetup: five trials report once; asynchronous mode continues them all, synchronous mode pauses them', () => {
    expect(basicSetup().decisions).toEqual(['CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE'])
    const synch = basicSetup({ synch: true })
    synch.trials.forEach((t, i) => {
      expectPaused(synch.decisions[i] as TrialDecision, t)
    })
    // The first barrier (time 10) already ran: two lower trials cloned two upper ones.
    expect(synch.pbt.nextPerturbationSync).toBe(20)
  })

  test('testMetricError: a result without timeAttr or the metric is an error naming the trial and key', () => {
    const { runner, trials } = basicSetup()
    const bad = (extra: Record<string, unknown>) => ({ ...result(20, 0), ...extra })
    expect(() => runner.report(trials[0] as MockTrial, bad({ trainingIteration: undefined }) as never)).toThrow(RunError)
    expect(() => runner.report(trials[0] as MockTrial, bad({ trainingIteration: undefined }) as never)).toThrow(/trial 0.*`trainingIteration`/)
    expect(() => runner.report(trials[0] as MockTrial, bad({ episode_reward_mean: undefined }))).toThrow(/trial 0.*`episode_reward_mean`/)
  })

  test('testMetricLog: with requireAttrs false such results are ignored and the trial continues', () => {
    const { runner, trials, lastScores } = basicSetup({ requireAttrs: false })
    const t0 = trials[0] as MockTrial
    expect(runner.report(t0, { ...result(20, 0), trainingIteration: undefined } as never)).toBe('CONTINUE')
    expect(runner.report(t0, { ...result(20, 0), episode_reward_mean: undefined })).toBe('CONTINUE')
    expect(lastScores()).toEqual([0, 50, 100, 150, 200])
  })

  test('testCheckpointsMostPromisingTrials', () => {
    const { runner, trials, stats, lastScores } = basicSetup()
    const [t0, t1, , , t4] = trials as [MockTrial, MockTrial, MockTrial, MockTrial, MockTrial]
    // No checkpoint: the next perturbation interval is not reached yet.
    expect(lastScores()).toEqual([0, 50, 100, 150, 200])
    expect(runner.report(t0, result(15, 200))).toBe('CONTINUE')
    expect(lastScores()).toEqual([0, 50, 100, 150, 200])
    expect(stats().checkpoints).toBe(0)
    // Checkpoint: past the interval and in the upper quantile.
    expect(runner.report(t0, result(20, 200))).toBe('CONTINUE')
    expect(lastScores()).toEqual([200, 50, 100, 150, 200])
    expect(stats().checkpoints).toBe(1)
    expect(runner.report(t1, result(30, 201))).toBe('CONTINUE')
    expect(lastScores()).toEqual([200, 201, 100, 150, 200])
    expect(stats().checkpoints).toBe(2)
    // Not in the upper quantile any more.
    expect(runner.report(t4, result(30, 199))).toBe('CONTINUE')
    expect(stats()).toEqual({ checkpoints: 2, perturbations: 0 })
  })

  test('testCheckpointMostPromisingTrialsSynch', () => {
    const { runner, trials, stats, lastScores } = basicSetup({ synch: true })
    expect(lastScores()).toEqual([0, 50, 100, 150, 200])
    expect(runner.report(trials[0] as MockTrial, result(15, 200))).toBe('CONTINUE')
    expect(lastScores()).toEqual([0, 50, 100, 150, 200])
    expect(stats().checkpoints).toBe(0)
    // Trials pause until all are synced.
    for (let i = 0; i < trials.length - 1; i++) {
      const trial = trials[i] as MockTrial
      expectPaused(runner.report(trial, result(20, 200 + i)), trial)
    }
    expect(lastScores()).toEqual([200, 201, 202, 203, 200])
    expect(stats().checkpoints).toBe(0)
    const last = trials[4] as MockTrial
    expectPaused(runner.report(last, result(20, 204)), last)
    // k = ceil(5 * 0.25) = 2 upper trials.
    expect(stats().checkpoints).toBe(2)
  })

  test('testPerturbsLowPerformingTrials', () => {
    const { runner, trials, stats, lastScores } = basicSetup()
    const [t0, , t2] = trials as [MockTrial, MockTrial, MockTrial]
    expect(runner.report(t0, result(15, -100))).toBe('CONTINUE')
    expect(lastScores()).toEqual([0, 50, 100, 150, 200])
    expect(t0.tag).not.toContain('@perturbed')
    expect(stats().perturbations).toBe(0)
    // Perturbed: in the lower quantile.
    expectPaused(runner.report(t0, result(20, -100)), t0)
    expect(lastScores()).toEqual([-100, 50, 100, 150, 200])
    expect(t0.tag).toContain('@perturbed')
    expect(['3', '4']).toContain(t0.restoredFrom)
    expect(stats().perturbations).toBe(1)
    // Also perturbed.
    expectPaused(runner.report(t2, result(20, 40)), t2)
    expect(lastScores()).toEqual([-100, 50, 40, 150, 200])
    expect(stats().perturbations).toBe(2)
    expect(['3', '4']).toContain(t2.restoredFrom)
    expect(t2.tag).toContain('@perturbed')
  })

  test('testPerturbsLowPerformingTrialsSynch', () => {
    const { runner, trials, stats, lastScores } = basicSetup({ synch: true })
    const last = trials[4] as MockTrial
    expect(runner.report(last, result(15, -100))).toBe('CONTINUE')
    expect(lastScores()).toEqual([0, 50, 100, 150, 200])
    expect(last.tag).not.toContain('@perturbed')
    expect(stats().perturbations).toBe(0)
    // No perturbation until every trial is synced.
    expectPaused(runner.report(last, result(20, -100)), last)
    expect(lastScores()).toEqual([0, 50, 100, 150, -100])
    expect(last.tag).not.toContain('@perturbed')
    for (let i = 0; i < trials.length - 1; i++) {
      const trial = trials[i] as MockTrial
      expectPaused(runner.report(trial, result(20, 0 - 10 * i)), trial)
    }
    expect(lastScores()).toEqual([0, -10, -20, -30, -100])
    expect(['0', '1']).toContain(last.restoredFrom)
    expect(['0', '1']).toContain((trials[3] as MockTrial).restoredFrom)
    expect(stats().perturbations).toBe(2)
  })

  test('testPerturbWithoutResample', () => {
    const { runner, trials } = basicSetup({ resampleProbability: 0 })
    const t0 = trials[0] as MockTrial
    expectPaused(runner.report(t0, result(20, -100)), t0)
    expect(['3', '4']).toContain(t0.restoredFrom)
    // The donor's id_factor (3 or 4) is not in [100], so it is resampled.
    expect(t0.config.id_factor).toBe(100)
    expect([2.4, 1.6]).toContain(t0.config.float_factor)
    expect([8, 12]).toContain(t0.config.int_factor)
    expect(t0.config.const_factor).toBe(3)
  })

  test('testPerturbWithResample', () => {
    const { runner, trials } = basicSetup({ resampleProbability: 1 })
    const t0 = trials[0] as MockTrial
    expectPaused(runner.report(t0, result(20, -100)), t0)
    expect(t0.status).toBe('PAUSED')
    expect(['3', '4']).toContain(t0.restoredFrom)
    expect(t0.config).toEqual({ float_factor: 100, const_factor: 3, int_factor: 10, id_factor: 100 })
  })

  test('testTuneSamplePrimitives: a choice() mutation resamples to its value', () => {
    const { runner, trials } = basicSetup({
      resampleProbability: 1,
      mutations: { float_factor: () => 100.0, int_factor: () => 10, id_factor: choice([100]) },
    })
    const t0 = trials[0] as MockTrial
    expectPaused(runner.report(t0, result(20, -100)), t0)
    expect(['3', '4']).toContain(t0.restoredFrom)
    expect(t0.config).toEqual({ float_factor: 100, const_factor: 3, int_factor: 10, id_factor: 100 })
  })

  test('testTuneSampleFromError: sampleFrom cannot be a mutation', () => {
    expect(() =>
      experiment('sampleFrom mutation')
        .space({ float_factor: 1 })
        .mutate({ float_factor: sampleFrom(() => 100) as never }),
    ).toThrow(/VITUNE_SAMPLE_FROM_IN_MUTATE/)
  })

  test('testDictPerturbation', () => {
    const { runner, trials } = basicSetup({
      resampleProbability: 1,
      hyperparams: { float_factor: 2.0, nest: { nest_float: 3.0 }, int_factor: 10, const_factor: 3 },
      mutations: { float_factor: () => 100.0, nest: { nest_float: () => 101.0 }, int_factor: () => 10 },
    })
    const t0 = trials[0] as MockTrial
    expectPaused(runner.report(t0, result(20, -100)), t0)
    expect(['3', '4']).toContain(t0.restoredFrom)
    expect(t0.config).toEqual({ float_factor: 100, nest: { nest_float: 101 }, int_factor: 10, const_factor: 3 })
  })

  test('testYieldsTimeToOtherTrials', () => {
    const { pbt, runner, trials, lastScores } = basicSetup()
    const [t0, t1] = trials as [MockTrial, MockTrial]
    t0.status = 'PENDING' // not enough resources
    expectPaused(runner.report(t1, result(20, 1000)), t1)
    expect(lastScores()).toEqual([0, 1000, 100, 150, 200])
    expect(chooseTrialToRun(pbt, runner)).toBe(t0)
  })

  test('testSchedulesMostBehindTrialToRun', () => {
    const { pbt, runner, trials } = basicSetup()
    const times = [800, 700, 600, 500, 700]
    trials.forEach((t, i) => {
      runner.report(t, result(times[i] as number, 1000 + i))
    })
    expect(chooseTrialToRun(pbt, runner)).toBeUndefined()
    for (const t of trials) t.status = 'PENDING'
    expect(chooseTrialToRun(pbt, runner)).toBe(trials[3])
  })

  test('testSchedulesMostBehindTrialToRunSynch', () => {
    const { pbt, runner, trials } = basicSetup({ synch: true })
    const times = [800, 700, 600, 500, 700]
    trials.forEach((t, i) => {
      runner.report(t, result(times[i] as number, 1000 + i))
    })
    const chosen = chooseTrialToRun(pbt, runner)
    expect([trials[0], trials[1], trials[3]]).toContain(chosen)
    expect(pbt.trialState((chosen as MockTrial).id)?.lastTrainTime).toBeLessThan(pbt.nextPerturbationSync)
  })

  test('testPerturbationResetsLastPerturbTime', () => {
    const { runner, trials, stats } = basicSetup()
    const [t0, t1, t2, t3] = trials as [MockTrial, MockTrial, MockTrial, MockTrial]
    runner.report(t0, result(10000, 1005))
    runner.report(t1, result(10000, 1004))
    runner.report(t2, result(600, 1003))
    expect(stats().perturbations).toBe(0)
    runner.report(t3, result(500, 1002))
    expect(stats().perturbations).toBe(1)
    // t3 inherited the donor's perturbation time (10000): 600 is not past the interval.
    runner.report(t3, result(600, 100))
    expect(stats().perturbations).toBe(1)
    runner.report(t3, result(11000, 100))
    expect(stats().perturbations).toBe(2)
  })

  test('testLogConfig: policy files in Ray format, six fields per line, types preserved', () => {
    const { runner, trials } = basicSetup()
    const [t0, , t2] = trials as [MockTrial, MockTrial, MockTrial]
    runner.report(t0, result(15, -100))
    runner.report(t0, result(20, -100))
    runner.report(t2, result(20, 40))
    const files = policyLogFiles({ policyLog: runner.globalPolicy, trials: trials.map((t) => ({ trialId: t.id, policy: t.policy })) })
    expect([...files.keys()]).toEqual([GLOBAL_POLICY_FILE, policyFileName('0'), policyFileName('2')])
    for (const [name, text] of files) {
      const lines = text.split('\n').filter((l) => l.length > 0)
      expect(lines.length, name).toBeGreaterThan(0)
      for (const line of lines) {
        const [target, donor, targetIteration, donorIteration, donorConfig, newConfig] = parsePolicyLine(line, name)
        expect(['0tag', '2tag']).toContain(target)
        expect(['3tag', '4tag']).toContain(donor)
        // The target's previous result (Ray's quirk), and the iteration of the donor's checkpoint.
        expect(targetIteration).toBe(target === '0tag' ? 15 : 10)
        expect(donorIteration).toBe(10)
        for (const config of [donorConfig, newConfig]) {
          expect(Object.keys(config).sort()).toEqual(['const_factor', 'float_factor', 'id_factor', 'int_factor'])
          expect(config.const_factor).toBe(3)
          expect([8, 10, 12]).toContain(config.int_factor)
          expect([2.4, 2, 1.6]).toContain(config.float_factor)
          expect([3, 4, 100]).toContain(config.id_factor)
        }
      }
    }
  })

  test('testLogConfigSynch: targets are the two worst trials, donors the two best', () => {
    const { runner, trials } = basicSetup({ synch: true, stepOnce: false })
    trials.forEach((t, i) => {
      runner.report(t, result(10, i))
    })
    expect(runner.globalPolicy).toHaveLength(2)
    expect(new Set(runner.globalPolicy.map((p) => p[0]))).toEqual(new Set(['0tag', '1tag']))
    for (const [, donor, targetIteration, donorIteration] of runner.globalPolicy) {
      expect(['3tag', '4tag']).toContain(donor)
      expect([targetIteration, donorIteration]).toEqual([10, 10])
    }
    const files = policyLogFiles({ policyLog: runner.globalPolicy, trials: trials.map((t) => ({ trialId: t.id, policy: t.policy })) })
    expect([...files.keys()]).toEqual([GLOBAL_POLICY_FILE, policyFileName('0'), policyFileName('1')])
  })

  test('testPostprocessingHook: customExplore overrides the explored values', () => {
    const { runner, trials } = basicSetup({ customExplore: (config) => ({ ...config, id_factor: 42, float_factor: 43 }) })
    const t0 = trials[0] as MockTrial
    expectPaused(runner.report(t0, result(20, -100)), t0)
    expect(t0.config.id_factor).toBe(42)
    expect(t0.config.float_factor).toBe(43)
  })

  test('testFastPerturb: interval 1; an exploit works when the target has no last result', () => {
    const { runner, trials, stats } = basicSetup({ perturbationInterval: 1, stepOnce: false })
    const [, t1, t2] = trials as [MockTrial, MockTrial, MockTrial]
    expect(runner.report(t1, result(1, 10))).toBe('CONTINUE')
    expect(runner.report(t2, result(1, 200))).toBe('CONTINUE')
    expect(stats().checkpoints).toBe(1)
    t1.lastResult = undefined
    expectPaused(runner.report(t1, result(2, 0)), t1)
    expect(t1.restoredFrom).toBe('2')
    expect(runner.globalPolicy[0]?.[2]).toBe(0)
  })

  test('a donor whose perturbation report carried no checkpoint is not cloned: the exploit is skipped (Ray quirk)', () => {
    const { runner, trials, stats } = basicSetup({ numTrials: 2, perturbationInterval: 1, stepOnce: false })
    const [t0, t1] = trials as [MockTrial, MockTrial]
    runner.report(t0, result(1, 10))
    runner.report(t1, result(1, 0))
    expect(runner.report(t0, result(2, 10), { withoutCheckpoint: true })).toBe('CONTINUE')
    expect(stats().checkpoints).toBe(1)
    expect(runner.report(t1, result(2, 0))).toBe('CONTINUE')
    expect(t1.restoredFrom).toBeUndefined()
    expect(stats().perturbations).toBe(0)
    // With a checkpoint at its next perturbation step, the donor is cloned.
    runner.report(t0, result(3, 10))
    expectPaused(runner.report(t1, result(3, 0)), t1)
    expect(t1.restoredFrom).toBe('0')
  })

  test('testBurnInPeriod: no exploit before the burn-in; at it the worst trial takes the best config, and nothing hangs', () => {
    const pbt = new PbtScheduler(
      {
        perturbationInterval: 5,
        timeAttr: 'trainingIteration',
        burnInPeriod: 50,
        quantileFraction: 0.25,
        resampleProbability: 0.25,
        perturbationFactors: [1.2, 0.8],
        synch: true,
        keepInBounds: true,
        requireAttrs: true,
        metric: 'error',
        mode: 'min',
        mutations: { ignored: [1] },
      },
      deriveStream(0, 'scheduler'),
    )
    const runner = new MockRunner(pbt)
    const trials = [1, 2, 3, 4].map((num) => runner.add({ num }))
    const errors = [50, 50, 10, 100]
    const step = (t: number) => {
      trials.forEach((trial, i) => {
        runner.report(trial, { ...result(t, 0), error: errors[i] as number })
      })
    }
    step(1)
    step(30)
    expect(trials[3]?.config.num).toBe(4)
    step(50)
    expect(trials[3]?.config.num).toBe(3)
    expect(trials.every((t) => t.status === 'PAUSED')).toBe(true)
    expect(chooseTrialToRun(pbt, runner)).toBeDefined()
    const finished = runner.add({ num: 5 })
    finished.status = 'TERMINATED'
    expect(chooseTrialToRun(pbt, runner)).toBeDefined()
  })

  test('_quantiles: one scored trial has no quantiles; fraction 0 makes every trial upper (Ray quirk)', () => {
    const single = basicSetup({ numTrials: 1 })
    expect(single.runner.report(single.trials[0] as MockTrial, result(20, 1))).toBe('CONTINUE')
    expect(single.stats()).toEqual({ checkpoints: 0, perturbations: 0 })
    const zero = basicSetup({ quantileFraction: 0 })
    // After the setup every trial checkpoints at each step and nobody is exploited.
    zero.trials.forEach((t, i) => {
      zero.runner.report(t, result(20, -i))
    })
    expect(zero.stats()).toEqual({ checkpoints: 5, perturbations: 0 })
  })

  test('_quantiles: k = ceil(n * q), capped at floor(n / 2); ties rank the earlier-added trial lower', () => {
    // n = 3, q = 0.5: ceil(1.5) = 2 > 1.5, so k = 1: only the worst trial is exploited.
    const { runner, trials, stats } = basicSetup({ numTrials: 3, quantileFraction: 0.5, stepOnce: false })
    trials.forEach((t) => {
      runner.report(t, result(10, 7))
    })
    const [t0, t1, t2] = trials as [MockTrial, MockTrial, MockTrial]
    // All tied: t0 is lowest, t2 highest; t0 reported first while alone, so only t1 and t2 ranked.
    expect(runner.report(t0, result(20, 7))).not.toBe('CONTINUE')
    expect(t0.restoredFrom).toBe('2')
    expect(t1.restoredFrom).toBeUndefined()
    expect(t2.restoredFrom).toBeUndefined()
    expect(stats().perturbations).toBe(1)
  })
})
