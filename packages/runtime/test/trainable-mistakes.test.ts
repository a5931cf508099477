// Mistakes in a trainable fail its trial with a coded error that names it; they never reject the
// whole run, bypass maxFailures, or lose results silently (audit items 11 and 14).
import { experiment, grid, type TrainContext, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunError, run } from '../src/index.js'

/** Two trials: trial 1 runs `bad`, trial 0 a well-behaved generator. */
function withBadTrial(name: string, bad: (context: TrainContext<unknown>) => AsyncGenerator<unknown> | Promise<void>) {
  return experiment(name)
    .space({ id: grid([0, 1]) })
    .metric('step', 'max')
    .stop({ trainingIteration: 3 })
    .train(((context: TrainContext<{ id: number }>) =>
      context.config.id === 1
        ? bad(context)
        : (async function* () {
            for (let step = 1; ; step++) yield { step }
          })()) as never)
}

const errorOf = (grid: Awaited<ReturnType<typeof run>>) => grid.trials[1]?.error

describe('a checkpoint that cannot be stored', () => {
  test('fails its trial with VITUNE_CHECKPOINT_CORRUPT naming the trial, not the run with a raw DataCloneError', async () => {
    const grid2 = await run(
      withBadTrial('closure in checkpoint', async function* () {
        yield withCheckpoint({ step: 1 }, { weights: [1, 2], optimizer: () => 0 })
      }),
    )
    expect(grid2.trials.map((t) => t.status)).toEqual(['TERMINATED', 'ERROR'])
    expect((errorOf(grid2)?.error as RunError | undefined)?.code).toBe('VITUNE_CHECKPOINT_CORRUPT')
    expect(errorOf(grid2)?.message).toMatch(/trial \w+_00001 .*checkpoint at training iteration 1 cannot be stored/)
  })

  test('a bare function is refused in memory as it is with storage: the same rule for both', async () => {
    const grid2 = await run(
      withBadTrial('function checkpoint', async function* () {
        yield withCheckpoint({ step: 1 }, () => 'state')
      }),
    )
    expect((errorOf(grid2)?.error as RunError | undefined)?.code).toBe('VITUNE_CHECKPOINT_CORRUPT')
  })
})

describe('a finally block that throws when its trial stops', () => {
  test('ends that trial as ERROR with its results kept; the run goes on', async () => {
    const grid2 = await run(
      withBadTrial('throwing finally', async function* () {
        try {
          for (let step = 1; ; step++) yield { step }
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the mistake under test
          throw new Error('cleanup failed')
        }
      }),
    )
    expect(grid2.trials.map((t) => [t.status, t.results.length])).toEqual([
      ['TERMINATED', 3],
      ['ERROR', 3],
    ])
    expect(errorOf(grid2)?.message).toBe('cleanup failed (while its trainable closed (a finally block threw))')
  })
})

describe('a thrown value that is not an Error', () => {
  test.each([
    [undefined, 'the trainable threw undefined, not an Error'],
    [null, 'the trainable threw null, not an Error'],
    [{ code: 42 }, 'the trainable threw {"code":42}, not an Error'],
    ['plain text', 'plain text'],
  ])('%j is shown as itself', async (value, message) => {
    const grid2 = await run(
      withBadTrial(`throws ${String(value)}`, async function* () {
        yield { step: 1 }
        throw value
      }),
    )
    expect(errorOf(grid2)?.message.startsWith(message)).toBe(true)
  })
})

describe('reports that would lose results', () => {
  test('a report() that is not awaited fails the trial with VITUNE_REPORT_NOT_AWAITED', async () => {
    const grid2 = await run(
      withBadTrial('unawaited report', async ({ report }) => {
        void report({ step: 1 })
        await report({ step: 2 })
      }),
    )
    expect((errorOf(grid2)?.error as RunError | undefined)?.code).toBe('VITUNE_REPORT_NOT_AWAITED')
  })

  test('yielding a Date (no metrics) fails the trial with VITUNE_BAD_REPORT', async () => {
    const grid2 = await run(
      withBadTrial('yields a date', async function* () {
        yield new Date(0)
      }),
    )
    expect((errorOf(grid2)?.error as RunError | undefined)?.code).toBe('VITUNE_BAD_REPORT')
    expect(errorOf(grid2)?.message).toMatch(/a report must be a plain object of metrics, got Date/)
  })
})

describe('an error that ends the run', () => {
  test('keeps what ran on the error (partial), so reports and artifacts lose nothing', async () => {
    const outcome = await run(
      experiment('metric never reported')
        .space({ id: grid([0, 1]) })
        .mutate({ id: [0, 1] })
        .pbt({ perturbationInterval: 2 })
        .metric('score', 'max')
        .stop({ trainingIteration: 4 })
        .train(async function* () {
          for (let step = 1; ; step++) yield { other: step }
        } as never),
    ).catch((error: unknown) => error)
    expect(outcome).toBeInstanceOf(RunError)
    expect((outcome as RunError).code).toBe('VITUNE_MISSING_RESULT_KEY')
    // The scheduler raised on trial 0's first result, before trial 1's of the same round was taken.
    expect((outcome as RunError).partial?.trials.map((t) => t.results.length)).toEqual([1, 0])
  })
})
