// A trainable that never settles must not hang the run (audit item 3): the step timeout fails its
// trial (retries apply), the time budget and an abort end such steps, a finally block that never
// settles is given up on, and the run says which trial keeps it waiting.
import { experiment, grid } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunAborted, RunError, run, type TuneEvent } from '../src/index.js'

const never = () => new Promise<never>(() => {})
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Trial 1 hangs in its third step on its first `hangs` attempts; trial 0 never does. */
function hanging(name: string, hangs: number) {
  let attempts = 0
  return experiment(name)
    .space({ id: grid([0, 1]) })
    .metric('step', 'max')
    .stop({ trainingIteration: 5 })
    .train(async function* ({ config }) {
      if (config.id === 1) attempts++
      for (let step = 1; ; step++) {
        if (config.id === 1 && step === 3 && attempts <= hangs) await never()
        yield { step }
      }
    })
}

describe('a step that never settles', () => {
  test('fails its trial with VITUNE_STEP_TIMEOUT once the step timeout passes; the other trial finishes', async () => {
    const grid2 = await run(hanging('hangs forever', Number.POSITIVE_INFINITY).stepTimeout(0.2).failures({ maxFailures: 1 }))
    expect(grid2.trials.map((t) => [t.status, t.results.length, t.numFailures])).toEqual([
      ['TERMINATED', 5, 0],
      ['ERROR', 4, 2],
    ])
    const error = grid2.trials[1]?.error?.error
    expect(error).toBeInstanceOf(RunError)
    expect((error as RunError).code).toBe('VITUNE_STEP_TIMEOUT')
    expect((error as RunError).message).toMatch(/trial \w+_00001 .*did not report within 0.2 s \(\.stepTimeout\(0\.2\)\)/)
  })

  test('is retried under maxFailures: a trial that hangs once finishes on its second attempt', async () => {
    const grid2 = await run(hanging('hangs once', 1).stepTimeout(0.2).failures({ maxFailures: 1 }))
    expect(grid2.trials.map((t) => [t.status, t.numFailures])).toEqual([
      ['TERMINATED', 0],
      ['TERMINATED', 1],
    ])
  })

  test('ends with the time budget: the run stops, saying the budget stopped it', async () => {
    const grid2 = await run(hanging('hangs past the budget', Number.POSITIVE_INFINITY).stop({ trainingIteration: 1000 }).timeBudget(0.3))
    expect(grid2.stopReason).toBe('timeBudget')
    expect(grid2.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED'])
  })

  test('ends with an abort: the run rejects with RunAborted at once', async () => {
    const outcome = await run(hanging('hangs until aborted', Number.POSITIVE_INFINITY), { signal: AbortSignal.timeout(200) }).catch((error: unknown) => error)
    expect(outcome).toBeInstanceOf(RunAborted)
    expect((outcome as RunAborted).partial.trials[1]?.results).toHaveLength(2)
  })

  test('is reported while the run waits: which trial, for how long', async () => {
    const events: TuneEvent[] = []
    await run(
      experiment('slow step')
        .space({ id: grid([0]) })
        .metric('step', 'max')
        .stop({ trainingIteration: 2 })
        .train(async function* () {
          yield { step: 1 }
          await sleep(500)
          yield { step: 2 }
        }),
      { waitNoticeS: 0.1, onEvent: (e) => events.push(e) },
    )
    const waits = events.filter((e) => e.type === 'trialWaiting')
    expect(waits.length).toBeGreaterThanOrEqual(2)
    expect(waits.every((e) => e.type === 'trialWaiting' && e.phase === 'step' && !e.gaveUp && e.limitS === undefined)).toBe(true)
  })
})

describe('a finally block that never settles when its trial stops', () => {
  test('is given up on after the grace (the step timeout): the run finishes and says so', async () => {
    const events: TuneEvent[] = []
    const grid2 = await run(
      experiment('endless finally')
        .space({ id: grid([0, 1]) })
        .metric('step', 'max')
        .stop({ trainingIteration: 3 })
        .stepTimeout(0.2)
        .train(async function* () {
          try {
            for (let step = 1; ; step++) yield { step }
          } finally {
            await never()
          }
        }),
      { onEvent: (e) => events.push(e) },
    )
    expect(grid2.trials.map((t) => [t.status, t.results.length])).toEqual([
      ['TERMINATED', 3],
      ['TERMINATED', 3],
    ])
    expect(events.filter((e) => e.type === 'trialWaiting' && e.phase === 'close' && e.gaveUp)).toHaveLength(2)
  })
})

describe('.stepTimeout()', () => {
  test('takes only a positive number of seconds, naming the experiment', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => experiment('bad timeout').stepTimeout(bad)).toThrow(/VITUNE_STEP_TIMEOUT_OPTION.*"bad timeout"/)
    }
  })
})
