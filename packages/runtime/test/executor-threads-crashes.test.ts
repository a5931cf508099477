// A worker thread that dies fails only the trials on it; they are retried from their latest
// checkpoint, the pool replaces the thread, and no reported result is lost.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { experiment, grid, trainableModuleOf } from '@vitune/dsl'
import { afterAll, describe, expect, test } from 'vitest'
import { deriveStream, type ResultGrid, run, type TrialStart } from '../src/index.js'
import { ThreadExecutor } from '../src/node/index.js'
import { type Crash, crashing, hanging, recordingClose } from './fixtures/thread-trainables.js'
import { scratchDirectories } from './helpers/interrupted-runs.js'

const scratch = scratchDirectories('threads')

function crashExperiment(dir: string, crash: Crash) {
  return experiment('crash')
    .space({ dir, index: grid([0, 1, 2, 3]), crashTrial: 1, crashAt: 5, crash })
    .stop({ trainingIteration: 10 })
    .failures({ maxFailures: 1 })
    .seed(3)
    .train(crashing)
}

/** What each trial reported, iteration by iteration: what a crash must not change. */
const resultsOf = (grid: ResultGrid) =>
  grid.trials.map((t) => t.results.map((r) => ({ trialId: r.trialId, trainingIteration: r.trainingIteration, value: r.value, checkpointed: r.checkpointed })))

describe('a worker thread that dies', () => {
  for (const crash of ['exit', 'uncaught', 'oom'] as const) {
    test(`(${crash}) fails only the trials on it, which retry from their latest checkpoint on a new thread; no result is lost`, async () => {
      const clean = await run(crashExperiment(scratch(), 'none'), { executor: new ThreadExecutor({ threads: 2 }) })
      const dir = scratch()
      const executor = new ThreadExecutor({ threads: 2, ...(crash === 'oom' ? { resourceLimits: { maxOldGenerationSizeMb: 48 } } : {}) })
      try {
        const crashed = await run(crashExperiment(dir, crash), { executor })
        expect(existsSync(join(dir, 'crashed'))).toBe(true)
        expect(crashed.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED', 'TERMINATED'])
        // Every trial reports iterations 1..10 once, with the values of a run that never crashed.
        expect(resultsOf(crashed)).toEqual(resultsOf(clean))
        for (const trial of crashed.trials) expect(trial.results.map((r) => r.trainingIteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        // Trial 1 and the trial that shared its thread failed once, with an error naming the cause.
        const failed = crashed.trials.filter((t) => t.numFailures > 0)
        expect(failed.map((t) => t.index)).toContain(1)
        expect(failed.length).toBeLessThanOrEqual(2)
        const cause = { exit: 'exited with code 3', uncaught: 'stopped on an uncaught error: Error: thrown from a timer', oom: 'ran out of memory' }[crash]
        for (const trial of failed) {
          expect(trial.numFailures).toBe(1)
          expect(trial.failures[0]?.message).toContain('VITUNE_THREAD_LOST')
          expect(trial.failures[0]?.message).toContain(cause)
          // Retried from the checkpoint of its last report before the crash: iteration 4 for trial 1
          // (its fifth step crashed); its neighbour may have delivered its fifth report first.
          const failedAt = trial.failures[0]?.trainingIteration
          if (trial.index === 1) expect(failedAt).toBe(4)
          else expect([4, 5]).toContain(failedAt)
          // It ran on a new thread after the crash.
          expect(trial.results[9]?.thread).not.toBe(trial.results[3]?.thread)
        }
        expect(executor.liveThreads).toBeLessThanOrEqual(2)
      } finally {
        await executor.shutdown()
      }
    })
  }

  test('a killed thread with retries exhausted ends its trials as ERROR and the run still finishes', async () => {
    const dir = scratch()
    const def = crashExperiment(dir, 'exit').failures({ maxFailures: 0 })
    const executor = new ThreadExecutor({ threads: 1 })
    try {
      const grid = await run(def, { executor })
      // One thread: all four trials were on it when it died, in the round of trial 1's fifth step.
      expect(grid.trials.map((t) => t.status)).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR'])
      expect(grid.trials[1]?.results).toHaveLength(4)
      // Reports that reached the runner before the thread died are kept (the others' fifth may have).
      for (const trial of grid.trials)
        expect(trial.results.map((r) => r.trainingIteration)).toEqual(Array.from({ length: trial.results.length }, (_, i) => i + 1))
      for (const trial of grid.trials) expect(trial.results.length).toBeGreaterThanOrEqual(4)
    } finally {
      await executor.shutdown()
    }
  })
})

describe('closing a trainable that never settles', () => {
  let n = 0
  const start = (hang: 'step' | 'finally' | 'spin'): TrialStart => {
    const trialId = `hang_${n++}`
    return {
      trialId,
      config: { hang },
      checkpoint: undefined,
      trainable: { fn: undefined, module: trainableModuleOf(hanging) },
      randomState: deriveStream(0, trialId).state(),
      signal: new AbortController().signal,
      where: `experiment "hang", trial ${trialId}`,
    }
  }

  for (const hang of ['finally', 'step', 'spin'] as const) {
    test(`(${hang}) settles: the thread is terminated after the grace period, and a trial sharing it fails with VITUNE_THREAD_LOST`, async () => {
      const executor = new ThreadExecutor({ threads: 1, closeTimeoutS: 0.2 })
      const stuck = executor.start(start(hang))
      const neighbour = executor.start(start('finally'))
      try {
        expect((await stuck.next())?.metrics).toEqual({ step: 1 })
        expect((await neighbour.next())?.metrics).toEqual({ step: 1 })
        // A step that never ends (what a per-step timeout gives up on): the pull stays pending.
        const pending = hang === 'finally' ? undefined : stuck.next().catch((e: unknown) => e)
        await stuck.close()
        if (pending !== undefined) expect(await pending).toMatchObject({ code: 'VITUNE_THREAD_LOST' })
        const error = await neighbour.next().catch((e: unknown) => e)
        expect(error).toMatchObject({ code: 'VITUNE_THREAD_LOST' })
        expect((error as Error).message).toContain(`trial ${'hang_'}`)
        expect((error as Error).message).toContain('did not finish closing within 0.2 s')
        // Nothing left to close on a lost thread; a new trial gets a new thread.
        await neighbour.close()
        const fresh = executor.start(start('finally'))
        expect((await fresh.next())?.metrics).toEqual({ step: 1 })
      } finally {
        await executor.shutdown()
      }
    })
  }
})

describe('stop, time budget and abort reach the threads', () => {
  const executor = new ThreadExecutor({ threads: 2 })
  afterAll(() => executor.shutdown())

  const closing = (dir: string, name: string) =>
    experiment(name)
      .space({ dir, x: grid([1, 2, 3]) })
      .metric('score', 'max')
      .train(recordingClose)

  const marks = (dir: string, grid: { trials: readonly { trialId: string }[] }) =>
    grid.trials.map((t) => (existsSync(join(dir, `closed-${t.trialId}`)) ? readFileSync(join(dir, `closed-${t.trialId}`), 'utf8') : 'still open'))

  test('an experiment-wide stop closes every trainable in its thread (finally blocks run)', async () => {
    const dir = scratch()
    const grid = await run(
      closing(dir, 'stop').stopExperiment(({ results }) => results >= 12),
      { executor },
    )
    expect(grid.stopReason).toBe('stopExperiment')
    expect(marks(dir, grid)).toEqual(['closed', 'closed', 'closed'])
  })

  test('the time budget closes every trainable in its thread', async () => {
    const dir = scratch()
    let now = 0
    // One second per clock reading: the budget runs out after a few rounds, the same way every time.
    const grid = await run(closing(dir, 'budget').timeBudget(30), { executor, clock: () => now++ })
    expect(grid.stopReason).toBe('timeBudget')
    expect(marks(dir, grid)).toEqual(['closed', 'closed', 'closed'])
  })

  test("an abort reaches the trainables' signal in their threads before they close, and run() rejects with what ran", async () => {
    const dir = scratch()
    const controller = new AbortController()
    let results = 0
    const error = (await run(closing(dir, 'abort'), {
      executor,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'result' && ++results === 9) controller.abort(new Error('enough'))
      },
    }).catch((e: unknown) => e)) as { code: string; partial: ResultGrid }
    expect(error.code).toBe('VITUNE_ABORTED')
    expect(error.partial.trials.map((t) => t.results.length)).toEqual([3, 3, 3])
    expect(marks(dir, error.partial)).toEqual(['aborted', 'aborted', 'aborted'])
  })
})
