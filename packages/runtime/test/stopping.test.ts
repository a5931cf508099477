import { experiment, grid } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunError, run, type TuneEvent } from '../src/index.js'
import { noisyQuadratic } from './helpers/noisy-quadratic.js'

const clock = () => 0

/** Trials whose score climbs by `rate` per step; `finallies` counts closed trainables. */
function climbing(name: string, counters = { finallies: 0 }) {
  return experiment(name)
    .space({ rate: grid([1, 2, 3]) })
    .metric('score', 'max')
    .seed(3)
    .train(async function* ({ config }) {
      try {
        for (let step = 1; ; step++) yield { score: step * config.rate }
      } finally {
        counters.finallies++
      }
    })
}

describe('stopping a trial', () => {
  test("Ray's stop object: a trial stops once any listed key reaches its value", async () => {
    const result = await run(climbing('stop object').stop({ score: 30, trainingIteration: 25 }), { clock })
    expect(result.trials.map((t) => t.results.length)).toEqual([25, 15, 10])
    expect(result.trials.every((t) => t.status === 'TERMINATED')).toBe(true)
  })

  test('a stop key the results never have is an error naming the key', async () => {
    const failing = run(climbing('stop on a missing key').stop({ accuracy: 0.9 } as never), { clock })
    await expect(failing).rejects.toThrow(RunError)
    await expect(failing).rejects.toMatchObject({ code: 'VITUNE_STOP_KEY_MISSING' })
    await expect(failing).rejects.toThrow(/stop on a missing key.*`accuracy` is not a number in the result.*Report `accuracy`/)
  })

  test('a stop function sees each result with its trial id', async () => {
    const seen = new Set<string>()
    const result = await run(
      climbing('stop function').stop((r) => {
        seen.add(r.trialId)
        return r.score >= 12
      }),
      { clock },
    )
    expect(result.trials.map((t) => t.metrics?.score)).toEqual([12, 12, 12])
    expect([...seen].sort()).toEqual(result.trials.map((t) => t.trialId).sort())
  })
})

describe('stopping the whole experiment', () => {
  test('stopExperiment ends every trial in the round where the best result passes the target', async () => {
    const events: TuneEvent[] = []
    const bests: number[] = []
    const counts: number[] = []
    const result = await run(
      noisyQuadratic('stop at target Q', { iterations: 200 }).stopExperiment(({ best, results }) => {
        bests.push(best?.Q ?? Number.NEGATIVE_INFINITY)
        counts.push(results)
        return (best?.Q ?? Number.NEGATIVE_INFINITY) > 1.15
      }),
      { clock, onEvent: (e) => events.push(e) },
    )
    expect(result.best.metrics?.Q).toBeGreaterThan(1.15)
    expect(result.trials.every((t) => t.status === 'TERMINATED')).toBe(true)
    // Stopped early, long before the per-trial stop at iteration 200.
    expect(Math.max(...result.trials.map((t) => t.results.length))).toBeLessThan(100)
    // The rule is asked after every round; it said stop at the first round whose best passed the target.
    const all = result.trials.flatMap((t) => t.results)
    expect(counts[counts.length - 1]).toBe(all.length)
    expect(bests.slice(0, -1).every((q) => q <= 1.15)).toBe(true)
    expect(bests[bests.length - 1]).toBe(Math.max(...all.map((r) => r.Q)))
    expect(events.filter((e) => e.type === 'experimentStop')).toEqual([{ type: 'experimentStop', experiment: 'stop at target Q', reason: 'stopExperiment' }])
    const ends = events.filter((e) => e.type === 'trialEnd')
    expect(ends).toHaveLength(4)
  })

  test('stopExperiment sees no best without a metric', async () => {
    const bests: unknown[] = []
    await run(
      experiment('no metric')
        .space({ x: grid([1, 2]) })
        .stop({ trainingIteration: 2 })
        .stopExperiment(({ best }) => {
          bests.push(best)
          return false
        })
        .train(async function* () {
          for (;;) yield { v: 1 }
        }),
      { clock },
    )
    expect(bests).toEqual([undefined, undefined])
  })

  test('the time budget stops every trial once the run clock passes it (a fake clock: one second per step)', async () => {
    let now = 0
    const counters = { finallies: 0 }
    const events: TuneEvent[] = []
    const result = await run(
      climbing('time budget', counters)
        .timeBudget(30)
        .train(async function* ({ config }) {
          try {
            for (let step = 1; ; step++) {
              now += 1
              yield { score: step * config.rate }
            }
          } finally {
            counters.finallies++
          }
        }),
      { clock: () => now, onEvent: (e) => events.push(e) },
    )
    // Three trials advance the clock by 3 per round: the budget of 30 is reached after round 10.
    expect(result.trials.map((t) => t.results.length)).toEqual([10, 10, 10])
    expect(result.trials.every((t) => t.status === 'TERMINATED')).toBe(true)
    expect(counters.finallies).toBe(3)
    expect(events.some((e) => e.type === 'experimentStop' && e.reason === 'timeBudget')).toBe(true)
  })

  test('the time budget is validated', () => {
    expect(() => climbing('bad budget').timeBudget(0)).toThrow(/timeBudget.*positive number of seconds/)
  })
})

describe('AbortSignal', () => {
  test('aborting mid-run rejects with VITUNE_ABORTED and closes every trainable', async () => {
    const controller = new AbortController()
    const counters = { finallies: 0 }
    let results = 0
    const running = run(climbing('aborted', counters), {
      clock,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'result' && ++results === 7) controller.abort(new Error('user pressed stop'))
      },
    })
    await expect(running).rejects.toMatchObject({ code: 'VITUNE_ABORTED' })
    await expect(running).rejects.toThrow(/experiment "aborted" was aborted: Error: user pressed stop/)
    // The round in progress finishes (lockstep), then the run stops: 3 trials x 3 rounds.
    expect(results).toBe(9)
    expect(counters.finallies).toBe(3)
  })

  test('an already aborted signal runs nothing', async () => {
    let steps = 0
    await expect(
      run(
        experiment('aborted before start').train(async function* () {
          steps++
          yield { v: 1 }
        }),
        { signal: AbortSignal.abort('not today') },
      ),
    ).rejects.toMatchObject({ code: 'VITUNE_ABORTED' })
    expect(steps).toBe(0)
  })

  test('the trainable receives the signal, so a long step can stop early', async () => {
    const controller = new AbortController()
    const seen: boolean[] = []
    await expect(
      run(
        experiment('signal in trainable').train(async function* ({ signal }) {
          yield { v: 1 }
          controller.abort('enough')
          seen.push(signal.aborted)
          yield { v: 2 }
        }),
        { signal: controller.signal },
      ),
    ).rejects.toMatchObject({ code: 'VITUNE_ABORTED' })
    expect(seen).toEqual([true])
  })
})
