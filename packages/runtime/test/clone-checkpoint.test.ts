import { describe, expect, it } from 'vitest'
import { MemoryCheckpointStore } from '../src/checkpoint-store.js'
import { cloneCheckpoint } from '../src/clone.js'

describe('cloneCheckpoint', () => {
  it('copies plain objects, arrays and typed arrays deeply, as structuredClone does', () => {
    const weights = new Float64Array([1, 2, 3])
    const value = { step: 3, theta: [0.5, -0.25], nested: { weights, tag: 'a', none: null, missing: undefined } }
    const copy = cloneCheckpoint(value)
    expect(copy).toEqual(structuredClone(value))
    weights[0] = 99
    value.theta[0] = 7
    expect(copy.nested.weights[0]).toBe(1)
    expect(copy.theta[0]).toBe(0.5)
    expect(copy.nested.weights).not.toBe(weights)
  })

  it('keeps shared references and cycles shared', () => {
    const shared = { a: 1 }
    const value: { left: object; right: object; self?: unknown } = { left: shared, right: shared }
    value.self = value
    const copy = cloneCheckpoint(value)
    expect(copy.left).toBe(copy.right)
    expect(copy.self).toBe(copy)
  })

  it('hands views that share a buffer, Maps, Dates and class instances to structuredClone', () => {
    const buffer = new Float64Array(4)
    const value = { a: buffer.subarray(0, 2), b: buffer.subarray(2), when: new Date(0), map: new Map([[1, 2]]) }
    const copy = cloneCheckpoint(value)
    expect(copy.a.buffer).toBe(copy.b.buffer)
    expect(copy.when).toEqual(new Date(0))
    expect(copy.map.get(1)).toBe(2)
    class Point {
      constructor(readonly x: number) {}
    }
    expect(cloneCheckpoint({ p: new Point(1) })).toEqual(structuredClone({ p: new Point(1) }))
  })

  it('keeps holes in sparse arrays and an own __proto__ key', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    const sparse = [1, , 3]
    expect(1 in cloneCheckpoint(sparse)).toBe(false)
    const odd = JSON.parse('{"__proto__": {"x": 1}}') as object
    expect(Object.keys(cloneCheckpoint(odd))).toEqual(['__proto__'])
  })

  it('throws what structuredClone throws for values it cannot copy', () => {
    expect(() => cloneCheckpoint({ f: () => 1 })).toThrow(/could not be cloned/)
  })

  it('returns primitives as they are', () => {
    expect(cloneCheckpoint(3)).toBe(3)
    expect(cloneCheckpoint(undefined)).toBeUndefined()
  })
})

describe('MemoryCheckpointStore reuses the arrays of deleted checkpoints', () => {
  const ref = (id: number) => ({ id, trialId: 't', trainingIteration: id, result: {} as never })

  it('a save after a delete copies into the freed array, and loads still get their own copy', () => {
    const store = new MemoryCheckpointStore()
    const weights = new Float64Array([1, 2, 3])
    store.save(ref(0), { weights })
    const first = store.load(ref(0)) as { weights: Float64Array }
    store.delete(ref(0))
    weights[0] = 5
    store.save(ref(1), { weights, again: weights })
    const second = store.load(ref(1)) as { weights: Float64Array; again: Float64Array }
    expect([...second.weights]).toEqual([5, 2, 3])
    expect(second.again).toBe(second.weights)
    // The copy handed out earlier is the trainable's: recycling never touches it.
    expect([...first.weights]).toEqual([1, 2, 3])
    second.weights[1] = 9
    expect([...(store.load(ref(1)) as { weights: Float64Array }).weights]).toEqual([5, 2, 3])
  })

  it('recycles cyclic values without looping', () => {
    const store = new MemoryCheckpointStore()
    const value: { w: Float64Array; self?: unknown } = { w: new Float64Array(2) }
    value.self = value
    store.save(ref(0), value)
    store.delete(ref(0))
    store.save(ref(1), { w: new Float64Array([7, 8]) })
    expect([...(store.load(ref(1)) as { w: Float64Array }).w]).toEqual([7, 8])
  })
})
