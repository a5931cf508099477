import { experiment, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run, type TuneEvent } from '../src/index.js'
import { comparable, noisyQuadratic } from './helpers/noisy-quadratic.js'

const clock = () => 0

/**
 * A population of `size` trials that record how many of them are inside a step at once: each step
 * yields to the event loop, so trials pulled in the same round overlap.
 */
function population(name: string, size: number, slots: number, synch: boolean, gauge: { inStep: number; max: number }) {
  return experiment(name)
    .space({ lr: uniform(0.001, 0.1) })
    .mutate({ lr: uniform(0.001, 0.1) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.25, synch })
    .metric('score', 'max')
    .stop({ trainingIteration: 20 })
    .samples(size)
    .concurrency(slots)
    .seed(5)
    .train(async function* ({ config, checkpoint }) {
      let score = (checkpoint as number | undefined) ?? 0
      for (;;) {
        gauge.inStep++
        gauge.max = Math.max(gauge.max, gauge.inStep)
        await new Promise((resolve) => setImmediate(resolve))
        score += config.lr
        gauge.inStep--
        yield withCheckpoint({ score }, score)
      }
    })
}

/** Each trial's progress (`trainingIteration`, or the donor's after an exploit), replayed from the events. */
function progressLog(events: readonly TuneEvent[], trialIds: readonly string[]) {
  const progress = new Map<string, number>(trialIds.map((id) => [id, 0]))
  const finished = new Set<string>()
  const spreads: number[] = []
  for (const event of events) {
    if (event.type === 'result') progress.set(event.trialId, event.result.trainingIteration)
    if (event.type === 'exploit') progress.set(event.event.targetId, event.event.donorIteration)
    if (event.type === 'trialEnd') finished.add(event.trialId)
    if (event.type === 'result') {
      const live = [...progress].filter(([id]) => !finished.has(id)).map(([, p]) => p)
      spreads.push(Math.max(...live) - Math.min(...live))
    }
  }
  return spreads
}

describe('concurrency', () => {
  test('a population of 50 with concurrency 2 under PBT: never more than 2 trials step at once, and every trial finishes', async () => {
    const gauge = { inStep: 0, max: 0 }
    const events: TuneEvent[] = []
    const result = await run(population('50 trials, 2 slots, async PBT', 50, 2, false, gauge), { clock, onEvent: (e) => events.push(e) })
    expect(gauge.max).toBe(2)
    expect(result.trials).toHaveLength(50)
    for (const trial of result.trials) {
      expect(trial.status).toBe('TERMINATED')
      expect(trial.metrics?.trainingIteration).toBeGreaterThanOrEqual(20)
    }
    expect(result.schedulerStats.perturbations).toBeGreaterThan(0)
  })

  test("fair time-sharing (Ray's testYieldsTimeToOtherTrials at scale): a paused trial waits until the most-behind trials caught up", async () => {
    const gauge = { inStep: 0, max: 0 }
    const events: TuneEvent[] = []
    const pbt = await run(population('50 trials, 2 slots, time-sharing', 50, 2, false, gauge), { clock, onEvent: (e) => events.push(e) })
    const spread = Math.max(
      ...progressLog(
        events,
        pbt.trials.map((t) => t.trialId),
      ),
    )
    const fifoEvents: TuneEvent[] = []
    const fifo = await run(population('50 trials, 2 slots, FIFO', 50, 2, false, gauge).fifo(), { clock, onEvent: (e) => fifoEvents.push(e) })
    const fifoSpread = Math.max(
      ...progressLog(
        fifoEvents,
        fifo.trials.map((t) => t.trialId),
      ),
    )
    // Under PBT a trial runs one perturbation interval (4 iterations), then yields its slot to the
    // most-behind trial: no live trial is ever more than one interval ahead of another.
    expect(spread).toBeLessThanOrEqual(4)
    // Without time-sharing (FIFO) the first trials finish before the last ones start.
    expect(fifoSpread).toBe(20)
  })

  test('a population of 50 with concurrency 2 under synchronous PBT reaches every barrier and finishes', async () => {
    const gauge = { inStep: 0, max: 0 }
    const result = await run(population('50 trials, 2 slots, sync PBT', 50, 2, true, gauge), { clock })
    expect(gauge.max).toBe(2)
    expect(result.trials.every((t) => t.status === 'TERMINATED' && t.metrics?.trainingIteration === 20)).toBe(true)
    expect(result.schedulerStats.perturbations).toBeGreaterThan(0)
  })

  test('synchronous PBT gives the same results at any concurrency', async () => {
    const one = await run(noisyQuadratic('sync PBT, any concurrency').concurrency(1), { clock })
    const two = await run(noisyQuadratic('sync PBT, any concurrency').concurrency(2), { clock })
    const all = await run(noisyQuadratic('sync PBT, any concurrency'), { clock })
    expect(comparable(two)).toBe(comparable(one))
    expect(comparable(all)).toBe(comparable(one))
  })
})
