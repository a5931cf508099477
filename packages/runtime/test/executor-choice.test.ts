// Which executor a run uses when none is passed: worker threads for a trainable named by module,
// the runner's own thread for a closure or .workers(0).
import { availableParallelism } from 'node:os'
import { threadId } from 'node:worker_threads'
import { experiment, grid } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { defaultExecutor } from '../src/executor-choice.js'
import { run } from '../src/index.js'
import { ThreadExecutor } from '../src/node/index.js'
import { whereAmI } from './fixtures/thread-trainables.js'

const closure = async function* () {
  yield { thread: threadId }
}
const named = () => experiment('where').space({ i: grid([0, 1, 2]) })

describe('the default executor', () => {
  test('a closure runs in this thread; a named trainable on one thread per core; .workers() sets the count and options', async () => {
    expect((await defaultExecutor(named().train(closure).def)).name).toBe('in-process')
    const auto = await defaultExecutor(named().train(whereAmI).def)
    expect(auto).toBeInstanceOf(ThreadExecutor)
    expect((auto as ThreadExecutor).threads).toBe(availableParallelism())
    expect((await defaultExecutor(named().workers(0).train(whereAmI).def)).name).toBe('in-process')
    const two = await defaultExecutor(
      named()
        .workers(2, { closeTimeoutS: 1, resourceLimits: { maxOldGenerationSizeMb: 512 } })
        .train(whereAmI).def,
    )
    expect((two as ThreadExecutor).threads).toBe(2)
  })

  test('run() with a named trainable runs its trials off this thread, and shuts its threads down at the end', async () => {
    const grid = await run(named().train(whereAmI))
    const threads = grid.trials.map((t) => t.metrics?.thread)
    expect(threads.every((id) => typeof id === 'number' && id !== threadId)).toBe(true)
    const here = await run(named().workers(0).train(whereAmI))
    expect(here.trials.map((t) => t.metrics?.thread)).toEqual([threadId, threadId, threadId])
  })

  test('an executor passed to run() wins over .workers()', async () => {
    const executor = new ThreadExecutor({ threads: 1 })
    try {
      const grid = await run(named().workers(0).train(whereAmI), { executor })
      expect(new Set(grid.trials.map((t) => t.metrics?.thread)).size).toBe(1)
      expect(grid.trials[0]?.metrics?.thread).not.toBe(threadId)
    } finally {
      await executor.shutdown()
    }
  })

  test('a ThreadExecutor given a closure fails the run with a coded error that says how to name the trainable', async () => {
    const executor = new ThreadExecutor({ threads: 1 })
    try {
      await expect(run(named().train(closure), { executor })).rejects.toMatchObject({
        code: 'VITUNE_TRAINABLE_MISSING',
        message: expect.stringContaining("trainable(import.meta.url, 'trainModel'"),
      })
    } finally {
      await executor.shutdown()
    }
  })

  test('ThreadExecutor options are checked', () => {
    expect(() => new ThreadExecutor({ threads: 0 })).toThrow(/VITUNE_WORKERS/)
    expect(() => new ThreadExecutor({ closeTimeoutS: -1 })).toThrow(/VITUNE_WORKERS/)
  })
})
