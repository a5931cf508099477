// A worker thread copies each reported checkpoint; once retention deletes a stored one, its arrays
// go back to a thread to hold later copies (no fresh memory per checkpoint). Recycling must never
// change a checkpoint that is still stored or was handed out.
import { experiment, trainableModuleOf, uniform } from '@vitune/dsl'
import { afterAll, describe, expect, test } from 'vitest'
import { deriveStream, InProcessExecutor, MemoryCheckpointStore, run, type TrialExecutor, type TrialStart } from '../src/index.js'
import { ThreadExecutor } from '../src/node/index.js'
import type { CheckpointKey, CheckpointRef } from '../src/types.js'
import { inPlaceWeights } from './fixtures/thread-trainables.js'
import { comparable } from './helpers/grid-identity.js'

const oneThread = new ThreadExecutor({ threads: 1 })
const twoThreads = new ThreadExecutor({ threads: 2 })
afterAll(() => Promise.all([oneThread.shutdown(), twoThreads.shutdown()]))

const ref = (id: number): CheckpointRef => ({ id, trialId: 't', trainingIteration: id, result: { trainingIteration: id } as never })

function startOf(size: number): TrialStart {
  return {
    trialId: 'recycling_0',
    config: { size, lr: 1 },
    checkpoint: undefined,
    trainable: { fn: undefined, module: trainableModuleOf(inPlaceWeights) },
    randomState: deriveStream(1, 'recycling_0').state(),
    signal: new AbortController().signal,
    where: 'experiment "recycling", trial recycling_0',
  }
}

type Weights = { weights: Float64Array }

describe('checkpoint arrays recycled through worker threads', () => {
  test("a deleted checkpoint's arrays move back to the thread with the next pull, and the checkpoints copied into them are right", async () => {
    const store = new MemoryCheckpointStore()
    const handle = oneThread.start(startOf(4))
    const first = (await handle.next())?.checkpoint as Weights
    store.save(ref(1), first)
    store.delete(ref(1))
    expect(first.weights.byteLength).toBe(32)
    const second = (await handle.next())?.checkpoint as Weights
    // Moved (detached here), not copied: the thread holds it now.
    expect(first.weights.byteLength).toBe(0)
    store.save(ref(2), second)
    const third = (await handle.next())?.checkpoint as Weights
    expect([...second.weights]).toEqual([2, 4, 6, 8])
    expect([...third.weights]).toEqual([3, 6, 9, 12])
    // The stored one was not recycled (not deleted): the thread's later copies went elsewhere.
    expect([...(store.load(ref(2)) as Weights).weights]).toEqual([2, 4, 6, 8])
    await handle.close()
  })

  test('a checkpoint still stored is never sent back', async () => {
    const store = new MemoryCheckpointStore()
    const handle = oneThread.start(startOf(4))
    const first = (await handle.next())?.checkpoint as Weights
    store.save(ref(1), first)
    await handle.next()
    await handle.next()
    expect([...(store.load(ref(1)) as Weights).weights]).toEqual([1, 2, 3, 4])
    await handle.close()
  })

  /** Remembers what it stored, to see afterwards which deleted checkpoints' arrays moved back to a thread. */
  class WatchedStore extends MemoryCheckpointStore {
    readonly saved = new Map<number, unknown>()
    readonly deleted: unknown[] = []
    override save(r: CheckpointRef, value: unknown): void {
      this.saved.set(r.id, value)
      super.save(r, value)
    }
    override delete(r: CheckpointKey): void {
      this.deleted.push(this.saved.get(r.id))
      super.delete(r)
    }
  }

  const pbt = (synch: boolean) =>
    experiment(`recycling, ${synch ? 'sync' : 'async'}`)
      .space({ size: 64, lr: uniform(0, 1) })
      .mutate({ lr: uniform(0, 1) })
      .pbt({ perturbationInterval: 2, synch })
      .metric('score', 'max')
      .stop({ trainingIteration: 12 })
      .samples(6)
      .storage({ keepCheckpoints: 1 })
      .seed(7)
      .train(inPlaceWeights)

  async function runOn(synch: boolean, executor: TrialExecutor, store = new WatchedStore()) {
    const grid = await run(pbt(synch), { executor, checkpointStore: store })
    // Exploits restore donors' checkpoints: a recycled array still in use would change later scores.
    expect(grid.policyLog.length).toBeGreaterThanOrEqual(3)
    return comparable(grid)
  }

  for (const synch of [true, false]) {
    test(`${synch ? 'synchronous' : 'asynchronous'} PBT keeping one checkpoint per trial: the same results as in this thread, with the deleted checkpoints' arrays reused by the threads`, async () => {
      const here = await runOn(synch, new InProcessExecutor())
      const store = new WatchedStore()
      expect(await runOn(synch, oneThread, store)).toBe(here)
      expect(await runOn(synch, twoThreads)).toBe(here)
      expect(store.deleted.length).toBeGreaterThan(20)
      // Most deleted checkpoints went back to the thread (the last round's wait in the pool when the run ends).
      const moved = store.deleted.filter((v) => (v as Weights).weights.byteLength === 0).length
      expect(moved).toBeGreaterThan(store.deleted.length / 2)
    })
  }
})
