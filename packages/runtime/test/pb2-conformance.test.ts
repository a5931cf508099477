// Ray's PB2 tests (test_trial_scheduler_pbt.py, PR #31502), written against our pure explore step
// and the scheduler. Test names are Ray's; see reference/ray-schedulers.md §5.10.
import { describe, expect, test } from 'vitest'
import { deriveStream } from '../src/random.js'
import { createPb2Scheduler, type Pb2Settings } from '../src/schedulers/pb2.js'
import { differences, getPath, type Pb2Bound, type Pb2Row, pb2Explore, ucbKappa } from '../src/schedulers/pb2-explore.js'
import { type DriverTrial, rayResult, SchedulerDriver } from './helpers/scheduler-driver.js'

const bound = (path: string[], low: number, high: number): Pb2Bound => ({ path, low, high, integer: false })

function pb2(bounds: readonly Pb2Bound[], settings: Partial<Pb2Settings> = {}, seed = 0) {
  const scheduler = createPb2Scheduler(
    {
      perturbationInterval: 1,
      timeAttr: 'trainingIteration',
      quantileFraction: 0.25,
      synch: false,
      requireAttrs: true,
      metric: 'score',
      mode: 'max',
      bounds,
      ...settings,
    },
    deriveStream(seed, 'scheduler'),
  )
  return { scheduler, driver: new SchedulerDriver(scheduler) }
}

const score = (t: number, value: number) => ({ ...rayResult(t, 0), score: value })

/** Rows of Ray's helper: trial i has a = values[i] and reports t·(i+1)·10 at t = 1…T. */
function rows(values: readonly (readonly number[])[], T: number): Pb2Row[] {
  const out: Pb2Row[] = []
  for (let t = 1; t <= T; t++)
    values.forEach((v, i) => {
      out.push({ trialId: String(i), time: t, values: v, reward: t * (i + 1) * 10 })
    })
  return out
}

describe('PB2 (test_trial_scheduler_pbt.py)', () => {
  test('test_pb2_perturbation: the GP moves towards the hyperparameter that improves faster', () => {
    const choice = pb2Explore({
      rows: rows([[1], [2]], 10),
      bounds: [bound(['a'], 1, 2)],
      targetId: '0',
      donorId: '1',
      donorConfig: { a: 2 },
      pending: [],
      stream: deriveStream(0, 'pb2'),
    })
    expect(choice.model).toBeDefined()
    expect(choice.config.a).toBeGreaterThan(1.5)
    expect(choice.config.a).toBeLessThanOrEqual(2)
  })

  test('test_pb2_perturbation: through the scheduler, each exploit is the GP choice for the donor, within bounds', () => {
    const { driver, scheduler } = pb2([bound(['a'], 1, 2)])
    // Each trial's score grows by 10·a per step from its checkpoint's: the rate the GP models is 10·a.
    const trials = [1, 1.3, 1.6, 2].map((a) => driver.add({ a }))
    for (let t = 1; t <= 12; t++) {
      for (const trial of trials) {
        const from = (trial.latestCheckpoint?.result.score as number | undefined) ?? 0
        driver.report(trial, { ...rayResult(t, 0), score: from + 10 * (trial.config.a as number) })
      }
    }
    const explored = driver.exploits.filter((e) => e.event.operations.a === 'gp-ucb')
    expect(explored.length).toBeGreaterThanOrEqual(2)
    expect(scheduler.stats().perturbations).toBe(driver.exploits.length)
    // Donors are the upper quantile: the a = 2 trial; targets the worst.
    for (const e of driver.exploits) expect(e.event.donorConfig.a).toBe(2)
    for (const e of explored) {
      expect(e.event.newConfig.a).toBeGreaterThanOrEqual(1)
      expect(e.event.newConfig.a).toBeLessThanOrEqual(2)
      expect(e.tag).toMatch(/@perturbed\[a=/)
    }
  })

  test('test_pb2_nested_hyperparams: nested bounds explore the same values as their flat spelling', () => {
    const nestedBounds = [bound(['a'], 1, 2), bound(['b', 'c'], 2, 4), bound(['b', 'd'], 4, 10)]
    const flatBounds = [bound(['a'], 1, 2), bound(['bc'], 2, 4), bound(['bd'], 4, 10)]
    const nested = pb2(nestedBounds, {}, 2023)
    const flat = pb2(flatBounds, {}, 2023)
    const nestedTrials = [0, 1, 2].map(() => nested.driver.add({}))
    // Filled in the same order from the same stream: the same initial values.
    const flatTrials = nestedTrials.map(() => flat.driver.add({}))
    expect(flatTrials.map((t) => [t.config.a, t.config.bc, t.config.bd])).toEqual(
      nestedTrials.map((t) => [t.config.a, getPath(t.config, ['b', 'c']), getPath(t.config, ['b', 'd'])]),
    )
    for (let t = 1; t <= 9; t++) {
      nestedTrials.forEach((trial, i) => {
        nested.driver.report(trial, score(t, t * (i + 1) * 10))
      })
      flatTrials.forEach((trial, i) => {
        flat.driver.report(trial, score(t, t * (i + 1) * 10))
      })
    }
    expect(nested.driver.exploits.length).toBeGreaterThan(0)
    expect(nested.driver.exploits.length).toBe(flat.driver.exploits.length)
    nested.driver.exploits.forEach((e, k) => {
      const c = e.event.newConfig as { a: number; b: { c: number; d: number } }
      expect(Object.keys(c)).toEqual(['a', 'b'])
      expect(Object.keys(c.b)).toEqual(['c', 'd'])
      const f = flat.driver.exploits[k]?.event.newConfig as { a: number; bc: number; bd: number }
      expect([c.a, c.b.c, c.b.d]).toEqual([f.a, f.bc, f.bd])
    })
  })

  test('test_pb2_missing_hyperparam_init: missing bounded keys are drawn within their bounds; given ones are kept', () => {
    const bounds = [bound(['a'], 1, 2), bound(['b', 'c'], 2, 4), bound(['b', 'd'], 4, 10)]
    const { driver } = pb2(bounds)
    const empty = driver.add({})
    for (const b of bounds) {
      const v = getPath(empty.config, b.path) as number
      expect(v).toBeGreaterThanOrEqual(b.low)
      expect(v).toBeLessThan(b.high)
    }
    const partial = driver.add({ b: { c: 3.0 } })
    expect(getPath(partial.config, ['b', 'c'])).toBe(3)
    expect(getPath(partial.config, ['a'])).toBeTypeOf('number')
    expect(getPath(partial.config, ['b', 'd'])).toBeTypeOf('number')
  })

  test('test_pb2_custom_explore_fn: the custom explore function applies after the choice, even to a clone', () => {
    const { driver } = pb2([bound(['a'], 1, 2), bound(['b', 'c'], 2, 4)], {
      customExplore: (config) => ({ ...config, b: { ...(config.b as object), c: Math.trunc(getPath(config, ['b', 'c']) as number) } }),
    })
    // The donor has a single row when the lowest trial is exploited: PB2 clones it (no GP).
    const [mid, high, low] = [driver.add({ a: 1.5, b: { c: 3 } }), driver.add({ a: 2, b: { c: 3.7 } }), driver.add({ a: 1, b: { c: 2.5 } })]
    driver.report(mid, score(1, 15))
    driver.report(high, score(1, 20))
    driver.report(low, score(1, 10))
    const [exploit] = driver.exploits
    expect(exploit?.event.operations).toEqual({ a: 'clone', b: { c: 'clone' } })
    expect(getPath(exploit?.event.newConfig ?? {}, ['b', 'c'])).toBe(3)
  })

  test('test_pb2_custom_explore_fn_lambda: the saved state is plain data, without the function', () => {
    const { driver, scheduler } = pb2([bound(['a'], 1, 2)], { customExplore: (c) => c })
    const [t0, t1] = [driver.add({ a: 1 }), driver.add({ a: 2 })]
    for (let t = 1; t <= 3; t++)
      [t1, t0].forEach((x, i) => {
        driver.report(x, score(t, t * (2 - i) * 10))
      })
    const saved = scheduler.snapshot()
    expect(structuredClone(saved)).toEqual(saved)
  })
})

describe('PB2 beyond Ray', () => {
  test('the difference table: one row per interval with fixed hyperparameters, rate = Δreward / Δtime', () => {
    const table = differences([
      { trialId: 'x', time: 1, values: [1], reward: 10 },
      { trialId: 'x', time: 3, values: [1], reward: 30 },
      { trialId: 'x', time: 4, values: [2], reward: 35 },
      { trialId: 'x', time: 6, values: [2], reward: 35 },
      { trialId: 'y', time: 6, values: [1], reward: 5 },
    ])
    expect(table.map((d) => [d.trialId, d.time, d.rewardBefore, d.rate])).toEqual([
      ['x', 3, 10, 10],
      ['x', 6, 35, 0],
    ])
  })

  test("Ray's UCB weight κ = √(0.2 + max(0, ln 0.4N))", () => {
    expect([1, 2, 3, 10, 100, 1000].map((n) => Number(ucbKappa(n).toFixed(3)))).toEqual([0.447, 0.447, 0.618, 1.259, 1.972, 2.488])
  })

  test('explored values stay within the bounds, and the same seed gives the same bits', () => {
    const input = (seed: number) => ({
      rows: rows(
        [
          [0.1, 5],
          [0.9, 1],
          [0.5, 9],
        ],
        6,
      ),
      bounds: [bound(['lr'], 0, 1), bound(['h'], 0, 10)],
      targetId: '0',
      donorId: '2',
      donorConfig: { lr: 0.5, h: 9 },
      pending: [],
      stream: deriveStream(seed, 'pb2'),
    })
    const a = pb2Explore(input(7))
    const b = pb2Explore(input(7))
    expect(a).toEqual(b)
    expect(a.config.lr).toBeGreaterThanOrEqual(0)
    expect(a.config.lr).toBeLessThanOrEqual(1)
    expect(a.config.h).toBeGreaterThanOrEqual(0)
    expect(a.config.h).toBeLessThanOrEqual(10)
  })

  test('the first exploit of a donor without a measured interval is a pure clone', () => {
    const choice = pb2Explore({
      rows: [{ trialId: '1', time: 1, values: [2], reward: 20 }],
      bounds: [bound(['a'], 1, 2)],
      targetId: '0',
      donorId: '1',
      donorConfig: { a: 2, other: 'kept' },
      pending: [],
      stream: deriveStream(0, 'pb2'),
    })
    expect(choice).toMatchObject({ config: { a: 2, other: 'kept' }, row: undefined, model: undefined })
  })

  test('a pending point of the same round steers the next suggestion away from it', () => {
    // Flat data: without pending points the acquisition is driven by the variance alone.
    const base = {
      rows: rows([[0.2], [0.3]], 4).map((r) => ({ ...r, reward: r.time * 10 })),
      bounds: [bound(['a'], 0, 1)],
      targetId: '0',
      donorId: '1',
      donorConfig: { a: 0.3 },
    }
    const first = pb2Explore({ ...base, pending: [], stream: deriveStream(3, 'pb2') })
    const second = pb2Explore({ ...base, pending: [first.vector], stream: deriveStream(3, 'pb2') })
    expect(Math.abs((second.vector[0] as number) - (first.vector[0] as number))).toBeGreaterThan(0.2)
  })

  test('integer bounds give whole numbers', () => {
    const choice = pb2Explore({
      rows: rows([[8], [64]], 5),
      bounds: [{ path: ['batch'], low: 8, high: 64, integer: true }],
      targetId: '0',
      donorId: '1',
      donorConfig: { batch: 64 },
      pending: [],
      stream: deriveStream(1, 'pb2'),
    })
    expect(Number.isInteger(choice.config.batch)).toBe(true)
  })

  test('snapshot and restore carry on with the same choices, bit for bit', () => {
    const make = () => pb2([bound(['a'], 1, 2)], {}, 5)
    const first = make()
    const trials = [first.driver.add({ a: 1.2 }), first.driver.add({ a: 1.8 }), first.driver.add({ a: 1.5 })]
    const step = (d: SchedulerDriver, ts: readonly DriverTrial[], t: number) =>
      ts.forEach((x, i) => {
        d.report(x, score(t, t * (i + 1) * (x.config.a as number)))
      })
    for (let t = 1; t <= 4; t++) step(first.driver, trials, t)
    const saved = structuredClone(first.scheduler.snapshot())
    const second = make()
    second.scheduler.restore(saved)
    const driver2 = Object.assign(new SchedulerDriver(second.scheduler), {})
    for (const t of first.driver.trials) {
      const copy = driver2.add(structuredClone(t.config))
      Object.assign(copy, { status: t.status, latestCheckpoint: t.latestCheckpoint, lastResult: t.lastResult })
    }
    for (let t = 5; t <= 8; t++) {
      step(first.driver, trials, t)
      step(driver2, driver2.trials, t)
    }
    expect(driver2.exploits.map((e) => e.event.newConfig)).toEqual(first.driver.exploits.slice(-driver2.exploits.length).map((e) => e.event.newConfig))
    expect(second.scheduler.snapshot().explore).toEqual(first.scheduler.snapshot().explore)
    expect(second.scheduler.snapshot().random).toEqual(first.scheduler.snapshot().random)
  })
})
