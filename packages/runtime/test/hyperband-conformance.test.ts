// Ray's HyperbandSuite (test_trial_scheduler.py), driven through the scheduler interface with a
// fake runner that applies decisions. Test names are Ray's; see reference/ray-schedulers.md §3.8.
import { describe, expect, test } from 'vitest'
import { HyperBandScheduler, type HyperBandSettings } from '../src/schedulers/hyperband.js'
import { bracketSize, bracketsPerBand } from '../src/schedulers/hyperband-bracket.js'
import { chooseTrialToRun, type TrialDecision } from '../src/schedulers/types.js'
import { type DriverTrial, rayResult, SchedulerDriver } from './helpers/scheduler-driver.js'

const BASE: HyperBandSettings = {
  timeAttr: 'trainingIteration',
  maxT: 81,
  reductionFactor: 3,
  stopLastTrials: true,
  metric: 'episode_reward_mean',
  mode: 'max',
}

/** Ray's schedulerSetup: a scheduler with `n` trials added (ft_0000, ft_0001, ...). */
function setup(n: number, settings: Partial<HyperBandSettings> = {}) {
  const scheduler = new HyperBandScheduler({ ...BASE, ...settings })
  const driver = new SchedulerDriver(scheduler)
  for (let i = 0; i < n; i++) driver.add({ value: i })
  return { scheduler, driver }
}

/** The bracket new trials join (Ray's `_state["bracket"]`). */
function currentBracket(scheduler: HyperBandScheduler) {
  const bands = scheduler.bands()
  const band = bands[bands.length - 1] ?? []
  for (let i = band.length - 1; i >= 0; i--) if (band[i] !== null) return band[i] as NonNullable<(typeof band)[number]>
  throw new Error('no bracket')
}

const liveTrials = (scheduler: HyperBandScheduler, driver: SchedulerDriver) =>
  currentBracket(scheduler).live.map(([id]) => driver.trials.find((t) => t.id === id) as DriverTrial)

/** Ray's default_statistics for maxT 81, η 3: (n, r) per bracket. */
const STATS = { s0: { n: 5, r: 81 }, s1: { n: 8, r: 27 }, s4: { n: 81, r: 1 }, maxTrials: 143, brackets: 5 }

describe('HyperbandSuite', () => {
  test('testConfigSameEta: bracket sizes follow the paper for η 3 / maxT 81 and η 10 / maxT 1000', () => {
    const { scheduler } = setup(143)
    const band = scheduler.bands()[0] ?? []
    expect(band).toHaveLength(5)
    expect([band[0]?.n, band[0]?.r]).toEqual([5, 81])
    expect([band[4]?.n, band[4]?.r]).toEqual([81, 1])
    const big = setup(1158, { maxT: 1000, reductionFactor: 10 }).scheduler.bands()[0] ?? []
    expect(big).toHaveLength(4)
    expect([big[0]?.n, big[0]?.r]).toEqual([4, 1000])
    expect([big[3]?.n, big[3]?.r]).toEqual([1000, 1])
  })

  test('testConfigSameEtaSmall: maxT 1 makes bands of one bracket', () => {
    const { scheduler } = setup(2, { maxT: 1 })
    expect(scheduler.bands()).toHaveLength(2)
    expect(scheduler.bands()[0]).toHaveLength(1)
  })

  test('testSuccessiveHalving: the largest bracket halves 81 → 27 → 9 → 3 → 1', () => {
    const { scheduler, driver } = setup(STATS.maxTrials)
    let units = STATS.s4.r
    const lengths = [liveTrials(scheduler, driver).length]
    for (let round = 0; round < STATS.brackets - 1; round++) {
      const trials = liveTrials(scheduler, driver)
      for (const t of trials) t.status = 'RUNNING'
      let decision: TrialDecision = 'NOOP'
      trials.forEach((t, i) => {
        decision = driver.report(t, rayResult(units, i))
        if (i < trials.length - 1) expect(decision).toBe('PAUSE')
      })
      expect(decision).toBe('CONTINUE')
      lengths.push(liveTrials(scheduler, driver).length)
      units = Math.trunc(units * 3)
    }
    expect(lengths).toEqual([81, 27, 9, 3, 1])
  })

  test('testHalvingStop: the worst trial, reporting last, completes the rung and is stopped', () => {
    const { scheduler, driver } = setup(STATS.s0.n + STATS.s1.n)
    const trials = liveTrials(scheduler, driver)
    for (const t of trials) t.status = 'RUNNING'
    let decision: TrialDecision = 'NOOP'
    for (let i = trials.length - 1; i >= 0; i--) decision = driver.report(trials[i] as DriverTrial, rayResult(STATS.s1.r, i))
    expect(decision).toBe('STOP')
  })

  test('testStopsLastOne: when the last rung of a bracket completes, its trials stop', () => {
    const { scheduler, driver } = setup(STATS.s0.n)
    const trials = liveTrials(scheduler, driver)
    for (const t of trials) t.status = 'RUNNING'
    let decision: TrialDecision = 'NOOP'
    trials.forEach((t, i) => {
      decision = driver.report(t, rayResult(STATS.s0.r, i))
    })
    expect(decision).toBe('STOP')
    expect(driver.inStatus('TERMINATED')).toHaveLength(5)
  })

  test('testTrialErrored: an errored trial leaves the bracket, so the others complete the rung', () => {
    const { scheduler, driver } = setup(STATS.s0.n + 3)
    const [t1, t2, t3] = liveTrials(scheduler, driver) as [DriverTrial, DriverTrial, DriverTrial]
    for (const t of [t1, t2, t3]) t.status = 'RUNNING'
    driver.error(t3)
    expect(driver.report(t1, rayResult(STATS.s1.r, 10))).toBe('PAUSE')
    expect(driver.report(t2, rayResult(STATS.s1.r, 10))).toBe('CONTINUE')
  })

  test('testTrialErrored2: a straggler erroring triggers the halving', () => {
    const { scheduler, driver } = setup(STATS.s0.n + STATS.s1.n)
    const trials = liveTrials(scheduler, driver)
    for (const t of trials.slice(0, -1)) {
      t.status = 'RUNNING'
      driver.decide(t, rayResult(STATS.s1.r, 10))
    }
    const last = trials[trials.length - 1] as DriverTrial
    last.status = 'RUNNING'
    driver.error(last)
    expect(currentBracket(scheduler).live).toHaveLength(Math.ceil(STATS.s1.n / 3))
  })

  test('testTrialEndedEarly: a trial completing early leaves the bracket, so the others complete the rung', () => {
    const { scheduler, driver } = setup(STATS.s0.n + 3)
    const [t1, t2, t3] = liveTrials(scheduler, driver) as [DriverTrial, DriverTrial, DriverTrial]
    for (const t of [t1, t2, t3]) t.status = 'RUNNING'
    driver.complete(t3, rayResult(1, 12))
    expect(driver.report(t1, rayResult(STATS.s1.r, 10))).toBe('PAUSE')
    expect(driver.report(t2, rayResult(STATS.s1.r, 10))).toBe('CONTINUE')
  })

  test('testTrialEndedEarly2: a straggler completing triggers the halving', () => {
    const { scheduler, driver } = setup(STATS.s0.n + STATS.s1.n)
    const trials = liveTrials(scheduler, driver)
    for (const t of trials.slice(0, -1)) {
      t.status = 'RUNNING'
      driver.decide(t, rayResult(STATS.s1.r, 10))
    }
    const last = trials[trials.length - 1] as DriverTrial
    last.status = 'RUNNING'
    driver.complete(last, rayResult(100, 12))
    expect(currentBracket(scheduler).live).toHaveLength(Math.ceil(STATS.s1.n / 3))
  })

  test('testAddAfterHalving: a halved bracket takes new trials up to its new capacity', () => {
    const { scheduler, driver } = setup(STATS.s0.n + 1)
    const [t] = liveTrials(scheduler, driver) as [DriverTrial]
    t.status = 'RUNNING'
    expect(driver.report(t, rayResult(STATS.s1.r, 0))).toBe('CONTINUE')
    expect(currentBracket(scheduler)).toMatchObject({ n: 3, r: 81 })
    const added = driver.add()
    expect(currentBracket(scheduler).live).toHaveLength(2)
    added.status = 'RUNNING'
    expect(driver.report(added, rayResult(27, 12))).toBe('CONTINUE')
    expect(driver.report(added, rayResult(27 + 81, 12))).toBe('PAUSE')
  })

  for (const mode of ['max', 'min'] as const) {
    const name = mode === 'max' ? 'testAlternateMetrics' : 'testAlternateMetricsMin'
    test(`${name}: time attribute, metric and mode come from the settings (${mode})`, () => {
      const metric = mode === 'max' ? 'neg_mean_loss' : 'mean_loss'
      const { scheduler, driver } = setup(STATS.maxTrials, { timeAttr: 'timeTotalS', metric, mode })
      const trials = liveTrials(scheduler, driver)
      for (const t of trials) t.status = 'RUNNING'
      let decision: TrialDecision = 'NOOP'
      trials.forEach((t, i) => {
        decision = driver.report(t, { ...rayResult(1, 0), [metric]: mode === 'max' ? i : -i })
      })
      expect(decision).toBe('CONTINUE')
      expect(currentBracket(scheduler).live).toHaveLength(27)
    })
  }

  test('testJumpingTime: a trial jumping past the milestone pauses; an unfilled bracket keeps everyone', () => {
    const { scheduler, driver } = setup(81)
    const trials = liveTrials(scheduler, driver)
    expect(trials).toHaveLength(19)
    for (const t of trials) t.status = 'RUNNING'
    trials.slice(0, -1).forEach((t, i) => {
      expect(driver.report(t, rayResult(1, i))).toBe('PAUSE')
    })
    expect(driver.report(trials[trials.length - 1] as DriverTrial, rayResult(4, 17))).toBe('PAUSE')
    expect(currentBracket(scheduler).live.length).toBeLessThan(27)
  })

  test('testRemove: a removed trial leaves its bracket, running or not', () => {
    const { scheduler, driver } = setup(4)
    const [t0, t1] = driver.trials as [DriverTrial, DriverTrial]
    t0.status = 'RUNNING'
    driver.decide(t0, rayResult(1, 5))
    expect([t0.status, t1.status]).toEqual(['RUNNING', 'PENDING'])
    const isLive = (id: string) => currentBracket(scheduler).live.some(([x]) => x === id)
    expect(isLive(t1.id)).toBe(true)
    driver.complete(t1)
    expect(isLive(t1.id)).toBe(false)
    driver.add()
    const last = driver.add()
    expect(isLive(last.id)).toBe(true)
    driver.complete(last)
    expect(isLive(last.id)).toBe(false)
  })

  test('testFilterNoneBracket: brackets too small to exist are skipped when choosing a trial', () => {
    const { scheduler, driver } = setup(100, { maxT: 20 })
    expect(scheduler.bands().some((band) => band.includes(null))).toBe(true)
    expect(chooseTrialToRun(scheduler, driver)).toBeDefined()
  })

  /** Ray's _testSmallMaxT: maxT 8, η 2, 8 trials; trials 0–3 in bracket s=0 (r 8), 4–7 in s=1 (r 4). */
  function smallMaxT(stopLastTrials: boolean, overstep: boolean) {
    const { driver } = setup(8, { maxT: 8, reductionFactor: 2, stopLastTrials })
    const trials = driver.trials
    for (const t of trials) t.status = 'RUNNING'
    const status = () => trials.map((t) => t.status)
    const restartPromoted = () => {
      while (driver.launchNext() !== undefined) {}
    }
    for (let i = 0; i < 4; i++) driver.report(trials[i] as DriverTrial, rayResult(4, (i + 1) * 10))
    for (let i = 4; i < 8; i++) driver.report(trials[i] as DriverTrial, rayResult(overstep ? 8 : 4, (i + 1) * 10))
    restartPromoted()
    const afterFirst = status()
    for (let i = 0; i < 4; i++) if (trials[i]?.status === 'RUNNING') driver.report(trials[i] as DriverTrial, rayResult(8, (i + 1) * 10))
    for (let i = 6; i < 8; i++) if (trials[i]?.status === 'RUNNING') driver.report(trials[i] as DriverTrial, rayResult(8, (i + 1) * 10))
    return { afterFirst, end: status() }
  }

  test('testSmallMaxTStop: trials of a finished bracket stop at maxT', () => {
    const { afterFirst, end } = smallMaxT(true, false)
    expect(afterFirst).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'TERMINATED', 'TERMINATED', 'RUNNING', 'RUNNING'])
    expect(end).toEqual(new Array(8).fill('TERMINATED'))
  })

  test('testSmallMaxTContinue: without stopLastTrials they run on', () => {
    const { afterFirst, end } = smallMaxT(false, false)
    expect(afterFirst).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'TERMINATED', 'TERMINATED', 'RUNNING', 'RUNNING'])
    expect(end).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'TERMINATED', 'TERMINATED', 'RUNNING', 'RUNNING'])
  })

  test('testSmallMaxTOverstepStop: good trials already past the last milestone stop (PR #39157)', () => {
    const { afterFirst } = smallMaxT(true, true)
    expect(afterFirst.slice(4)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED', 'TERMINATED'])
  })

  test('testSmallMaxTOverstepContinue: without stopLastTrials they run on', () => {
    const { afterFirst } = smallMaxT(false, true)
    expect(afterFirst.slice(4)).toEqual(['TERMINATED', 'TERMINATED', 'RUNNING', 'RUNNING'])
  })

  test('testHyperbandNanInf (nanInfSetup): NaN and infinite scores and completions raise nothing', () => {
    const { driver } = setup(3)
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
    const trials = driver.trials
    for (const t of trials) t.status = 'RUNNING'
    for (let i = 0; i < 10; i++)
      trials.forEach((t, k) => {
        driver.decide(t, rayResult(i, values[k] as number))
      })
    trials.forEach((t, k) => {
      driver.complete(t, rayResult(10, values[k] as number))
    })
  })
})

describe('HyperBand beyond Ray', () => {
  test("a straggler's error that completes a rung: the losers stop with the next decision", () => {
    const { scheduler, driver } = setup(STATS.s0.n + STATS.s1.n)
    const trials = liveTrials(scheduler, driver)
    // Bracket s=0's trials are busy running.
    for (const t of driver.trials) t.status = 'RUNNING'
    trials.slice(0, -1).forEach((t, i) => {
      expect(driver.report(t, rayResult(STATS.s1.r, i))).toBe('PAUSE')
    })
    driver.error(trials[trials.length - 1] as DriverTrial)
    // Promoted: the best three (rewards 6, 5, 4); the four worst wait to be stopped.
    const promoted = driver.launchNext() as DriverTrial
    expect(promoted.id).toBe(trials[4]?.id)
    driver.report(promoted, rayResult(STATS.s1.r + 1, 5))
    expect(new Set(driver.stopped)).toEqual(new Set(trials.slice(0, 4).map((t) => t.id)))
    expect(trials.slice(0, 4).every((t) => t.status === 'TERMINATED')).toBe(true)
  })

  test('an error completing the last rung ends the waiting trials, even when nothing else runs (ray#6780)', () => {
    const { scheduler, driver } = setup(STATS.s0.n)
    const trials = liveTrials(scheduler, driver)
    for (const t of trials) t.status = 'RUNNING'
    trials.slice(0, -1).forEach((t, i) => {
      expect(driver.report(t, rayResult(STATS.s0.r, i))).toBe('PAUSE')
    })
    driver.error(trials[trials.length - 1] as DriverTrial)
    // No decision can carry the stops: one waiting trial runs once more; its STOP carries the others.
    const next = driver.launchNext() as DriverTrial
    expect(next.id).toBe(trials[0]?.id)
    expect(driver.report(next, rayResult(STATS.s0.r + 1, 0))).toBe('STOP')
    expect(driver.stopped).toEqual(trials.slice(1, 4).map((t) => t.id))
    expect(driver.launchNext()).toBeUndefined()
    expect(driver.inStatus('PAUSED')).toEqual([])
  })

  test('snapshot and restore: a resumed run that adds its trials again leaves the brackets as they were', () => {
    const { scheduler, driver } = setup(20)
    for (const t of liveTrials(scheduler, driver)) driver.report(t, rayResult(1, 1))
    const saved = structuredClone(scheduler.snapshot())
    const restored = new HyperBandScheduler(BASE)
    restored.restore(saved)
    for (const t of driver.trials) restored.onTrialAdd(driver, t)
    expect(restored.snapshot()).toEqual(saved)
  })
})

describe('HyperBand sizes (reference/ray-schedulers.md §3.2)', () => {
  test.each([
    [
      81,
      3,
      5,
      [
        [5, 81],
        [8, 27],
        [15, 9],
        [34, 3],
        [81, 1],
      ],
    ],
    [
      1000,
      10,
      4,
      [
        [4, 1000],
        [20, 100],
        [134, 10],
        [1000, 1],
      ],
    ],
    [
      8,
      2,
      4,
      [
        [4, 8],
        [4, 4],
        [6, 2],
        [8, 1],
      ],
    ],
    [
      20,
      3,
      4,
      [
        [4, 20],
        [6, 6],
        [12, 2],
        [27, 0],
      ],
    ],
    [1, 3, 1, [[1, 1]]],
    [
      100,
      3,
      5,
      [
        [5, 100],
        [8, 33],
        [15, 11],
        [34, 3],
        [81, 1],
      ],
    ],
  ])('maxT %d, η %d: %d brackets of (n, r) %j', (maxT, reductionFactor, count, sizes) => {
    expect(bracketsPerBand({ maxT, reductionFactor })).toBe(count)
    expect(sizes.map((_, s) => bracketSize({ maxT, reductionFactor }, s))).toEqual(sizes.map(([n0, r0]) => ({ n0, r0 })))
  })

  test.each([
    [2, 4, 1],
    [32, 4, 3],
    [512, 4, 5],
  ])('maxT %d, η %d: log quotient x.5 rounds half to even as NumPy (%d brackets)', (maxT, reductionFactor, count) => {
    expect(bracketsPerBand({ maxT, reductionFactor })).toBe(count)
  })

  test('maxT 729, η 3: bracket 6 is too small (r0 = 0) as in Ray, where JS `729 * 3 ** -6` gives 1', () => {
    expect(bracketSize({ maxT: 729, reductionFactor: 3 }, 6)).toEqual({ n0: 729, r0: 0 })
  })
})
