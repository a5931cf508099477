import { experiment, grid, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunError, run, type TuneEvent } from '../src/index.js'
import { comparable, noisyQuadratic } from './helpers/noisy-quadratic.js'

const clock = () => 0

/** A FIFO experiment whose trainable throws at random (the trial's seeded stream) and checkpoints every step. */
function flaky(name: string, failRate: number, maxFailures: number, trials = 6) {
  return experiment(name)
    .space({ id: grid(Array.from({ length: trials }, (_, i) => i)) })
    .metric('score', 'max')
    .stop({ trainingIteration: 30 })
    .failures({ maxFailures })
    .seed(11)
    .train(async function* ({ checkpoint, random }) {
      let step = ((checkpoint as number | undefined) ?? 0) + 1
      for (;;) {
        if (random() < failRate) throw new Error(`injected failure at step ${step}`)
        yield withCheckpoint({ score: step + random() }, step)
        step++
      }
    })
}

describe('fault injection under maxFailures', () => {
  test('with unlimited retries (-1) every trial finishes despite random errors, each resumed from its last checkpoint', async () => {
    const events: TuneEvent[] = []
    const outcome = await run(noisyQuadratic('flaky PBT, unlimited retries', { failRate: 0.05, maxFailures: -1 }), { clock, onEvent: (e) => events.push(e) })
    expect(outcome.trials).toHaveLength(4)
    for (const trial of outcome.trials) {
      expect(trial.status).toBe('TERMINATED')
      expect(trial.metrics?.trainingIteration).toBe(40)
      expect(trial.numFailures).toBe(trial.failures.length)
    }
    const failures = outcome.trials.flatMap((t) => t.failures)
    expect(failures.length).toBeGreaterThan(3)
    for (const failure of failures) {
      expect(failure.message).toMatch(/^injected failure at step \d+$/)
      expect(failure.stack).toContain('injected failure')
      expect(failure.error).toBeInstanceOf(Error)
    }
    const errors = events.filter((e) => e.type === 'trialError')
    expect(errors).toHaveLength(failures.length)
    expect(errors.every((e) => e.type === 'trialError' && e.willRetry)).toBe(true)
  })

  test('a retried trial restarts from its latest checkpoint: the step after a failure is the checkpointed step + 1', async () => {
    const outcome = await run(flaky('flaky FIFO, resume points', 0.1, -1), { clock })
    let retries = 0
    for (const trial of outcome.trials) {
      for (const failure of trial.failures) {
        // Every step checkpoints, so the trial resumes exactly where it failed: no step is lost or repeated.
        expect(failure.message).toBe(`injected failure at step ${failure.trainingIteration + 1}`)
        retries++
      }
      expect(trial.results.map((r) => r.trainingIteration)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    }
    expect(retries).toBeGreaterThan(5)
  })

  test('when retries run out the trial ends as ERROR with its error and stack, and the rest of the experiment goes on', async () => {
    const outcome = await run(flaky('flaky FIFO, two retries', 0.06, 2, 8), { clock })
    const errored = outcome.trials.filter((t) => t.status === 'ERROR')
    const finished = outcome.trials.filter((t) => t.status === 'TERMINATED')
    // Every trial is accounted for: it either finished or errored, none is left pending.
    expect(errored.length + finished.length).toBe(8)
    expect(errored.length).toBeGreaterThan(0)
    expect(finished.length).toBeGreaterThan(0)
    expect(outcome.errors).toEqual(errored)
    for (const trial of errored) {
      expect(trial.numFailures).toBe(3)
      expect(trial.error).toBe(trial.failures[2])
      expect(trial.error?.stack).toContain('injected failure')
      expect(trial.metrics?.trainingIteration ?? 0).toBeLessThan(30)
    }
    for (const trial of finished) {
      expect(trial.numFailures).toBeLessThanOrEqual(2)
      expect(trial.metrics?.trainingIteration).toBe(30)
    }
  })

  test('maxFailures 0 errors a trial at its first failure, keeping the very error object the trainable threw', async () => {
    const thrown = new TypeError('the user code broke')
    const result = await run(
      experiment('throws once')
        .space({ x: grid([0, 1]) })
        .train(async function* ({ config }) {
          yield { v: 1 }
          if (config.x === 1) throw thrown
          yield { v: 2 }
        }),
      { clock },
    )
    expect(result.trials.map((t) => t.status)).toEqual(['TERMINATED', 'ERROR'])
    expect(result.trials[1]?.error?.error).toBe(thrown)
    expect(result.trials[1]?.error?.message).toBe('the user code broke')
    expect(result.trials[1]?.error?.trainingIteration).toBe(1)
  })

  test('failFast stops the experiment at the first error, naming the trial, with the error as cause', async () => {
    const run1 = run(flaky('fail fast', 0.2, 0).failures({ failFast: true }), { clock })
    await expect(run1).rejects.toThrow(RunError)
    const error = (await run1.catch((e: unknown) => e)) as RunError
    expect(error.code).toBe('VITUNE_TRIAL_FAILED')
    expect(error.message).toMatch(/experiment "fail fast", trial \w{5}_\d{5} .* failed and failFast is set: injected failure at step \d+/)
    expect((error.cause as Error).message).toMatch(/^injected failure/)
  })

  test('with fewer slots than trials every trial is still accounted for, and every error was reported once', async () => {
    const events: TuneEvent[] = []
    const outcome = await run(flaky('flaky FIFO, 2 slots', 0.05, 1, 10).concurrency(2), { clock, onEvent: (e) => events.push(e) })
    expect(outcome.trials).toHaveLength(10)
    expect(outcome.trials.every((t) => t.status === 'TERMINATED' || t.status === 'ERROR')).toBe(true)
    expect(outcome.errors.length).toBeGreaterThan(0)
    const reported = events.filter((e) => e.type === 'trialError').length
    expect(reported).toBe(outcome.trials.reduce((n, t) => n + t.numFailures, 0))
    const ended = events.filter((e) => e.type === 'trialEnd').map((e) => (e.type === 'trialEnd' ? e.trialId : ''))
    expect(ended.sort()).toEqual(outcome.trials.map((t) => t.trialId).sort())
  })

  test("a retried trial goes to the back of the queue, as Ray's _requeue_trial does", async () => {
    const order: string[] = []
    await run(
      experiment('requeue order')
        .space({ id: grid([0, 1, 2]) })
        .stop({ trainingIteration: 2 })
        .failures({ maxFailures: 1 })
        .concurrency(1)
        .train(async function* ({ config, checkpoint }) {
          let step = ((checkpoint as number | undefined) ?? 0) + 1
          for (;;) {
            order.push(`${config.id}:${step}`)
            if (config.id === 0 && step === 2 && checkpoint === undefined) throw new Error('once')
            yield withCheckpoint({ step }, step)
            step++
          }
        }),
      { clock },
    )
    expect(order).toEqual(['0:1', '0:2', '1:1', '1:2', '2:1', '2:2', '0:2'])
  })

  test('failFast cannot be combined with retries (Ray raises ValueError too)', async () => {
    await expect(run(flaky('fail fast and retries', 0.1, 0).failures({ maxFailures: 2, failFast: true }), { clock })).rejects.toThrow(
      /failFast cannot be combined with retries/,
    )
  })

  test('fault injection is deterministic: the same seed fails at the same steps and gives the same results', async () => {
    const a = await run(noisyQuadratic('flaky PBT, determinism', { failRate: 0.05, maxFailures: -1 }), { clock })
    const b = await run(noisyQuadratic('flaky PBT, determinism', { failRate: 0.05, maxFailures: -1 }), { clock })
    expect(comparable(a)).toBe(comparable(b))
    expect(a.trials.flatMap((t) => t.failures.map((f) => f.message))).toEqual(b.trials.flatMap((t) => t.failures.map((f) => f.message)))
  })
})

describe('a trainable that throws before it reports', () => {
  test('a plain function that throws synchronously fails only its trial: retried under maxFailures, then ERROR', async () => {
    let calls = 0
    const grid2 = await run(
      experiment('throws at once')
        .space({ id: grid([0, 1]) })
        .metric('score', 'max')
        .stop({ trainingIteration: 3 })
        .failures({ maxFailures: 2 })
        .train((({ config }: { config: { id: number } }) => {
          calls++
          if (config.id === 1) throw new Error('no data for trial 1')
          return (async function* () {
            for (;;) yield { score: 1 }
          })()
        }) as never),
      { clock },
    )
    expect(grid2.trials.map((t) => [t.status, t.numFailures, t.results.length])).toEqual([
      ['TERMINATED', 0, 3],
      ['ERROR', 3, 0],
    ])
    expect(grid2.trials[1]?.error?.message).toBe('no data for trial 1')
    expect(calls).toBe(4)
  })
})
