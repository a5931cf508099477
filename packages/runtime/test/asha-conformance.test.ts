// Ray's AsyncHyperBandSuite (test_trial_scheduler.py), driven through the scheduler interface.
// Test names are Ray's; see reference/ray-schedulers.md §2.7.
import { describe, expect, test } from 'vitest'
import { deriveStream } from '../src/random.js'
import { AshaScheduler, type AshaSettings, ashaMilestones } from '../src/schedulers/asha.js'
import type { TrialDecision } from '../src/schedulers/types.js'
import { type DriverTrial, rayResult, SchedulerDriver } from './helpers/scheduler-driver.js'

const RAY_DEFAULTS: AshaSettings = {
  timeAttr: 'trainingIteration',
  maxT: 100,
  gracePeriod: 1,
  reductionFactor: 4,
  brackets: 1,
  stopLastTrials: true,
  metric: 'episode_reward_mean',
  mode: 'max',
}

function asha(settings: Partial<AshaSettings> = {}, seed = 0) {
  const scheduler = new AshaScheduler({ ...RAY_DEFAULTS, ...settings }, deriveStream(seed, 'scheduler'))
  return { scheduler, driver: new SchedulerDriver(scheduler) }
}

/** Ray's basicSetup: t1 reports 100·i for i = 0…9, t2 reports 450 for i = 0…4; all continue. */
function basicSetup(driver: SchedulerDriver): [DriverTrial, DriverTrial] {
  const t1 = driver.add()
  const t2 = driver.add()
  const decisions: TrialDecision[] = []
  for (let i = 0; i < 10; i++) decisions.push(driver.decide(t1, rayResult(i, 100 * i)))
  for (let i = 0; i < 5; i++) decisions.push(driver.decide(t2, rayResult(i, 450)))
  expect(decisions.every((d) => d === 'CONTINUE')).toBe(true)
  return [t1, t2]
}

describe('AsyncHyperBandSuite', () => {
  test('testAsyncHBOnComplete: a completion records its last score; reaching maxT stops', () => {
    const { driver } = asha({ maxT: 10, brackets: 1 })
    const [, t2] = basicSetup(driver)
    const t3 = driver.add()
    driver.complete(t3, rayResult(10, 1000))
    expect(driver.decide(t2, rayResult(101, 0))).toBe('STOP')
  })

  test('testAsyncHBGracePeriod: no rung below the grace period; the 2.5 rung cuts at the 66.67th percentile', () => {
    const { driver, scheduler } = asha({ gracePeriod: 2.5, reductionFactor: 3, brackets: 1 })
    expect(scheduler.rungs()[0]?.map((r) => r.milestone)).toEqual([67.5, 22.5, 7.5, 2.5])
    const [t1, t2] = basicSetup(driver)
    driver.complete(t1, rayResult(10, 1000))
    driver.complete(t2, rayResult(10, 1000))
    const t3 = driver.add()
    expect(driver.decide(t3, rayResult(1, 10))).toBe('CONTINUE')
    expect(driver.decide(t3, rayResult(2, 10))).toBe('CONTINUE')
    expect(driver.decide(t3, rayResult(3, 10))).toBe('STOP')
    expect(scheduler.stops().at(-1)).toMatchObject({ trialId: t3.id, milestone: 2.5, cutoff: 400 })
  })

  test('testAsyncHBAllCompletes: every trial reaching maxT stops', () => {
    const { driver } = asha({ maxT: 10, brackets: 10 })
    const trials = Array.from({ length: 10 }, () => driver.add())
    for (const t of trials) expect(driver.decide(t, rayResult(10, -2))).toBe('STOP')
  })

  test('testAsyncHBUsesPercentile: with rf 2 the cutoff is the median of the rung', () => {
    const { driver } = asha({ gracePeriod: 1, maxT: 10, reductionFactor: 2, brackets: 1 })
    const [t1, t2] = basicSetup(driver)
    driver.complete(t1, rayResult(10, 1000))
    driver.complete(t2, rayResult(10, 1000))
    const t3 = driver.add()
    expect(driver.decide(t3, rayResult(1, 260))).toBe('STOP') // median of {100, 450} = 275
    expect(driver.decide(t3, rayResult(2, 260))).toBe('STOP') // median of {200, 450} = 325
  })

  test('testAsyncHBNanPercentile: NaN scores never stop and are left out of cutoffs', () => {
    const { driver } = asha({ gracePeriod: 1, maxT: 10, reductionFactor: 2, brackets: 1 })
    const t1 = driver.add()
    const t2 = driver.add()
    for (let i = 0; i < 10; i++) {
      expect(driver.decide(t1, rayResult(i, 450))).toBe('CONTINUE')
      expect(driver.decide(t2, rayResult(i, Number.NaN))).toBe('CONTINUE')
    }
    driver.complete(t1, rayResult(10, 450))
    driver.complete(t2, rayResult(10, Number.NaN))
    const t3 = driver.add()
    expect(driver.decide(t3, rayResult(1, 260))).toBe('STOP')
    expect(driver.decide(t3, rayResult(2, 260))).toBe('STOP')
  })

  test('testAsyncHBSaveRestore: a restored scheduler keeps its rungs and counters', () => {
    const settings = { gracePeriod: 1, maxT: 10, reductionFactor: 2, brackets: 1 }
    const { driver, scheduler } = asha(settings)
    const trials = Array.from({ length: 10 }, () => driver.add())
    for (const t of trials.slice(0, 5)) expect(driver.decide(t, rayResult(1, 10))).not.toBe('STOP')
    expect(driver.decide(trials[5] as DriverTrial, rayResult(1, 5))).toBe('STOP')
    const saved = structuredClone(scheduler.snapshot())
    const restored = asha(settings, 99)
    restored.scheduler.restore(saved)
    expect(restored.scheduler.onTrialResult(driver, trials[6] as DriverTrial, rayResult(1, 4)).decision).toBe('STOP')
    const late = driver.add()
    restored.scheduler.onTrialAdd(driver, late)
    expect(restored.scheduler.onTrialResult(driver, late, rayResult(1, 2)).decision).toBe('STOP')
    expect(restored.scheduler.stats()).toEqual({ stopped: 3 })
  })

  test('testAsyncHBNonStopTrials: without stopLastTrials a trial past its top rung runs on unjudged', () => {
    const { driver } = asha({ metric: 'metric', gracePeriod: 1, maxT: 3, reductionFactor: 2, brackets: 1, stopLastTrials: false })
    const trials = Array.from({ length: 4 }, () => driver.add())
    const at = (t: number, metric: number) => ({ ...rayResult(t, 0), metric })
    expect([10, 8, 6, 4].map((m, i) => driver.decide(trials[i] as DriverTrial, at(2, m)))).toEqual(['CONTINUE', 'STOP', 'STOP', 'STOP'])
    const t0 = trials[0] as DriverTrial
    expect([driver.decide(t0, at(4, 10)), driver.decide(t0, at(8, 10)), driver.decide(t0, at(14, 1))]).toEqual(['CONTINUE', 'CONTINUE', 'CONTINUE'])
  })

  for (const mode of ['max', 'min'] as const) {
    const name = mode === 'max' ? 'testAlternateMetrics' : 'testAlternateMetricsMin'
    test(`${name}: the metric and mode come from the settings (${mode})`, () => {
      const metric = mode === 'max' ? 'neg_mean_loss' : 'mean_loss'
      const { driver } = asha({ gracePeriod: 1, brackets: 1, metric, mode })
      const r = (t: number, rew: number) => ({ ...rayResult(t, 0), [metric]: mode === 'max' ? rew : -rew })
      const t1 = driver.add()
      const t2 = driver.add()
      for (let i = 0; i < 10; i++) expect(driver.decide(t1, r(i, 100 * i))).toBe('CONTINUE')
      for (let i = 0; i < 5; i++) expect(driver.decide(t2, r(i, 450))).toBe('CONTINUE')
      driver.complete(t1, r(10, 1000))
      expect(driver.decide(t2, r(5, 450))).toBe('CONTINUE')
      expect(driver.decide(t2, r(6, 0))).toBe('CONTINUE')
    })
  }

  test('testAsyncHBNanInf (nanInfSetup): NaN and infinite scores and completions raise nothing', () => {
    const { driver } = asha({ gracePeriod: 1, maxT: 10, reductionFactor: 2, brackets: 3 })
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
    const trials = values.map(() => driver.add())
    for (let i = 0; i < 10; i++)
      trials.forEach((t, k) => {
        driver.decide(t, rayResult(i, values[k] as number))
      })
    trials.forEach((t, k) => {
      driver.complete(t, rayResult(10, values[k] as number))
    })
  })
})

describe('ASHA rungs and brackets (reference/ray-schedulers.md §2.2–2.3)', () => {
  test.each([
    [1, 100, 4, 0, [64, 16, 4, 1]],
    [1, 100, 4, 1, [64, 16, 4]],
    [1, 100, 4, 2, [64, 16]],
    [1, 10, 4, 0, [4, 1]],
    [1, 10, 4, 2, []],
    [1, 10, 2, 0, [8, 4, 2, 1]],
    [2.5, 100, 3, 0, [67.5, 22.5, 7.5, 2.5]],
    [1, 3, 2, 0, [2, 1]],
    [1, 81, 3, 0, [81, 27, 9, 3, 1]],
    [1, 1000, 10, 0, [100, 10, 1]],
  ])('grace %d, maxT %d, rf %d, bracket %d: milestones %j', (gracePeriod, maxT, reductionFactor, s, milestones) => {
    expect(ashaMilestones({ gracePeriod, maxT, reductionFactor }, s)).toEqual(milestones)
  })

  test('trials are drawn into brackets by a softmax over rung counts (0.665, 0.245, 0.090 for 4, 3, 2 rungs)', () => {
    const { driver, scheduler } = asha({ brackets: 3 })
    for (let i = 0; i < 4000; i++) driver.add()
    const counts = [0, 0, 0]
    for (const [, s] of scheduler.snapshot().trialBracket) counts[s] = (counts[s] as number) + 1
    expect(counts.map((c) => c / 4000)).toEqual([expect.closeTo(0.665, 1), expect.closeTo(0.245, 1), expect.closeTo(0.09, 1)])
  })

  test('a trial jumping past several milestones is judged at the highest only, and lower rungs fill in later', () => {
    const { driver, scheduler } = asha({ maxT: 10, reductionFactor: 2 })
    const t = driver.add()
    driver.decide(t, rayResult(9, 5))
    expect(scheduler.rungs()[0]?.map((r) => r.recorded.length)).toEqual([1, 0, 0, 0])
    driver.decide(t, rayResult(9, 5))
    expect(scheduler.rungs()[0]?.map((r) => r.recorded.length)).toEqual([1, 1, 0, 0])
  })

  test('ties pass: a score equal to the cutoff continues', () => {
    const { driver } = asha({ maxT: 10, reductionFactor: 2 })
    const [a, b] = [driver.add(), driver.add()]
    driver.decide(a, rayResult(1, 7))
    expect(driver.decide(b, rayResult(1, 7))).toBe('CONTINUE')
  })
})
