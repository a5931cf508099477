// A checkpoint a worker thread sent is a private copy: the memory store keeps it without copying
// it again; every other value is copied as before.
import { describe, expect, test } from 'vitest'
import { handOver, takeHandedOver } from '../src/clone.js'
import { MemoryCheckpointStore } from '../src/index.js'
import { sparesForThreads } from '../src/typed-array-pool.js'
import type { CheckpointRef } from '../src/types.js'

const ref = (id: number): CheckpointRef => ({ id, trialId: 't', trainingIteration: id, result: { trainingIteration: id } as never })

describe('handing a checkpoint over', () => {
  test('the memory store keeps a handed-over value as it is, and copies any other', () => {
    const store = new MemoryCheckpointStore()
    const owned = { weights: Float64Array.from([1, 2]) }
    handOver(owned)
    store.save(ref(1), owned)
    const shared = { weights: Float64Array.from([1, 2]) }
    store.save(ref(2), shared)
    owned.weights[0] = 9
    shared.weights[0] = 9
    // Kept as is: the store is its only holder (the handle passes it on and forgets it).
    expect((store.load(ref(1)) as typeof owned).weights[0]).toBe(9)
    // Copied: the trainable may still change its own.
    expect((store.load(ref(2)) as typeof shared).weights[0]).toBe(1)
  })

  test('a value is taken over once; primitives are never handed over', () => {
    const value = { a: 1 }
    handOver(value)
    expect(takeHandedOver(value)).toBe(true)
    expect(takeHandedOver(value)).toBe(false)
    handOver(3)
    expect(takeHandedOver(3)).toBe(false)
  })

  test("deleting a handed-over checkpoint gives its arrays to the threads' pool, any other to the store's own", () => {
    sparesForThreads.clear()
    const store = new MemoryCheckpointStore()
    const owned = { weights: new Float64Array(3) }
    handOver(owned)
    store.save(ref(1), owned)
    store.save(ref(2), { weights: new Float64Array(5) })
    store.delete(ref(1))
    store.delete(ref(2))
    expect(sparesForThreads.take(new Float64Array(3))).toBe(owned.weights)
    expect(sparesForThreads.take(new Float64Array(5))).toBeUndefined()
  })
})
