// Ray's EarlyStoppingSuite (test_trial_scheduler.py) for MedianStoppingRule, driven through the
// scheduler interface. Test names are Ray's; see reference/ray-schedulers.md §4.4.
import { describe, expect, test } from 'vitest'
import { MedianStoppingScheduler, type MedianStoppingSettings } from '../src/schedulers/median-stopping.js'
import { type DriverTrial, rayResult, SchedulerDriver } from './helpers/scheduler-driver.js'

const BASE: MedianStoppingSettings = {
  timeAttr: 'timeTotalS',
  gracePeriod: 60,
  minSamplesRequired: 3,
  minTimeSlice: 0,
  hardStop: true,
  metric: 'episode_reward_mean',
  mode: 'max',
}

/** Trials start RUNNING: Ray's mock runner has no waiting trials, so nobody yields a slot. */
class RunningDriver extends SchedulerDriver {
  override add(): DriverTrial {
    const trial = super.add()
    trial.status = 'RUNNING'
    return trial
  }
}

function msr(settings: Partial<MedianStoppingSettings> = {}) {
  const scheduler = new MedianStoppingScheduler({ ...BASE, ...settings })
  return { scheduler, driver: new RunningDriver(scheduler) }
}

/** Ray's basicSetup: t1 reports 100·i for i = 0…9, t2 reports 450 for i = 0…4; all continue. */
function basicSetup(driver: SchedulerDriver): [DriverTrial, DriverTrial] {
  const t1 = driver.add()
  const t2 = driver.add()
  for (let i = 0; i < 10; i++) expect(driver.decide(t1, rayResult(i, 100 * i))).toBe('CONTINUE')
  for (let i = 0; i < 5; i++) expect(driver.decide(t2, rayResult(i, 450))).toBe('CONTINUE')
  return [t1, t2]
}

describe('EarlyStoppingSuite', () => {
  test('testMedianStoppingConstantPerf: a trial below the median of running means stops', () => {
    const { driver } = msr({ gracePeriod: 0, minSamplesRequired: 1 })
    const [t1, t2] = basicSetup(driver)
    driver.complete(t1, rayResult(10, 1000))
    expect(driver.decide(t2, rayResult(5, 450))).toBe('CONTINUE') // median 250
    expect(driver.decide(t2, rayResult(6, 0))).toBe('CONTINUE') // median 300, best 450
    expect(driver.decide(t2, rayResult(10, 450))).toBe('STOP') // t1's mean over [0, 10] is 500
  })

  test('testMedianStoppingOnCompleteOnly: only trials that reached the same time count', () => {
    const { driver } = msr({ gracePeriod: 0, minSamplesRequired: 1 })
    const t1 = driver.add()
    const t2 = driver.add()
    expect(driver.decide(t2, rayResult(100, 0))).toBe('CONTINUE')
    driver.complete(t1, rayResult(101, 1000))
    expect(driver.decide(t2, rayResult(101, 0))).toBe('STOP')
  })

  test('testMedianStoppingGracePeriod: no judgement before the grace period; means start at it', () => {
    const { driver } = msr({ gracePeriod: 2.5, minSamplesRequired: 1 })
    const [t1, t2] = basicSetup(driver)
    driver.complete(t1, rayResult(10, 1000))
    driver.complete(t2, rayResult(10, 1000))
    const t3 = driver.add()
    expect(driver.decide(t3, rayResult(1, 10))).toBe('CONTINUE')
    expect(driver.decide(t3, rayResult(2, 10))).toBe('CONTINUE')
    expect(driver.decide(t3, rayResult(3, 10))).toBe('STOP') // means over [2.5, 3]: 300 and 450
  })

  test('testMedianStoppingMinSamples: fewer other trials than minSamplesRequired never stop', () => {
    const { driver } = msr({ gracePeriod: 0, minSamplesRequired: 2 })
    const [t1, t2] = basicSetup(driver)
    driver.complete(t1, rayResult(10, 1000))
    const t3 = driver.add()
    expect(driver.decide(t3, rayResult(5, 10))).toBe('CONTINUE')
    driver.complete(t2, rayResult(5, 1000))
    expect(driver.decide(t3, rayResult(5, 10))).toBe('STOP')
  })

  test('testMedianStoppingUsesMedian: the median over other trials, not the mean', () => {
    const { driver, scheduler } = msr({ gracePeriod: 0, minSamplesRequired: 1 })
    const [t1, t2] = basicSetup(driver)
    driver.complete(t1, rayResult(10, 1000))
    driver.complete(t2, rayResult(10, 1000))
    const t3 = driver.add()
    expect(driver.decide(t3, rayResult(1, 260))).toBe('CONTINUE') // median of 50 and 450
    expect(driver.decide(t3, rayResult(2, 260))).toBe('STOP') // median of 100 and 450
    expect(scheduler.stops()).toEqual([{ trialId: t3.id, time: 2, best: 260, median: 275 }])
  })

  test('testMedianStoppingSoftStop: without hardStop the trial is paused instead', () => {
    const { driver } = msr({ gracePeriod: 0, minSamplesRequired: 1, hardStop: false })
    const [t1, t2] = basicSetup(driver)
    driver.complete(t1, rayResult(10, 1000))
    driver.complete(t2, rayResult(10, 1000))
    const t3 = driver.add()
    expect(driver.decide(t3, rayResult(1, 260))).toBe('CONTINUE')
    expect(driver.decide(t3, rayResult(2, 260))).toBe('PAUSE')
    // Resumed later, it runs on unjudged (Ray records nothing more of it).
    expect(driver.decide(t3, rayResult(3, 0))).toBe('CONTINUE')
  })

  for (const mode of ['max', 'min'] as const) {
    const name = mode === 'max' ? 'testAlternateMetrics' : 'testAlternateMetricsMin'
    test(`${name}: the metric, mode and time attribute come from the settings (${mode})`, () => {
      const metric = mode === 'max' ? 'neg_mean_loss' : 'mean_loss'
      const { driver } = msr({ gracePeriod: 0, minSamplesRequired: 1, timeAttr: 'trainingIteration', metric, mode })
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

  test('testMedianStoppingNanInf: NaN and infinite values and completions raise nothing', () => {
    const { driver } = msr()
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

describe('median stopping beyond Ray', () => {
  test('a trial with a NaN result does not stop everyone (ray#24809): its NaNs are left out of its mean', () => {
    const { driver } = msr({ gracePeriod: 0, minSamplesRequired: 1 })
    const poisoned = driver.add()
    driver.decide(poisoned, rayResult(1, Number.NaN))
    driver.complete(poisoned, rayResult(2, 10))
    const good = driver.add()
    expect(driver.decide(good, rayResult(1, 50))).toBe('CONTINUE')
    expect(driver.decide(good, rayResult(2, 50))).toBe('CONTINUE')
  })

  test('a trial with no result inside [gracePeriod, t] is no sample (Ray counts it with a NaN mean)', () => {
    const { driver } = msr({ gracePeriod: 5, minSamplesRequired: 1 })
    const sparse = driver.add()
    driver.decide(sparse, rayResult(1, 1000))
    driver.complete(sparse, rayResult(20, 1000))
    const t = driver.add()
    // sparse reached time 6 but reported nothing in [5, 6]: not a sample, so t continues.
    expect(driver.decide(t, rayResult(6, 1))).toBe('CONTINUE')
  })

  test('with too few samples a trial yields its slot when another waits, once per time advance', () => {
    const { driver } = msr({ gracePeriod: 0, minSamplesRequired: 1 })
    const a = driver.add()
    const waiting = driver.add()
    waiting.status = 'PENDING'
    expect(driver.decide(a, rayResult(1, 1))).toBe('PAUSE')
    expect(driver.decide(a, rayResult(1, 1))).toBe('CONTINUE')
    expect(driver.decide(a, rayResult(2, 1))).toBe('PAUSE')
  })

  test('a completion repeating the last reported result counts once', () => {
    const { driver, scheduler } = msr({ gracePeriod: 0, minSamplesRequired: 1 })
    const t = driver.add()
    const last = rayResult(3, 30)
    driver.decide(t, last)
    driver.complete(t)
    expect(scheduler.snapshot().results[0]?.[1]).toEqual([[3, 30]])
  })

  test('snapshot and restore carry on with the same decisions', () => {
    const a = msr({ gracePeriod: 0, minSamplesRequired: 1 })
    const [t1, t2] = basicSetup(a.driver)
    a.driver.complete(t1, rayResult(10, 1000))
    const b = msr({ gracePeriod: 0, minSamplesRequired: 1 })
    b.scheduler.restore(structuredClone(a.scheduler.snapshot()))
    for (const [t, r] of [
      [5, 450],
      [6, 0],
      [10, 450],
    ] as const) {
      expect(b.scheduler.onTrialResult(a.driver, t2, rayResult(t, r)).decision).toBe(a.scheduler.onTrialResult(a.driver, t2, rayResult(t, r)).decision)
    }
    expect(b.scheduler.snapshot()).toEqual(a.scheduler.snapshot())
  })
})
