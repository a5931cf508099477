// The pool of spare typed arrays behind checkpoint recycling: what it takes back, how much it
// keeps, and what it hands out.
import { describe, expect, test } from 'vitest'
import { shapesOf, TypedArrayPool } from '../src/typed-array-pool.js'

const MB = 2 ** 20

describe('TypedArrayPool', () => {
  test('hands out an array of the same type and length, once', () => {
    const pool = new TypedArrayPool()
    const spare = new Float64Array(4)
    pool.recycle({ nested: [spare] })
    expect(pool.take(new Float32Array(8))).toBeUndefined()
    expect(pool.take(new Float64Array(4))).toBe(spare)
    expect(pool.take(new Float64Array(4))).toBeUndefined()
    expect(pool.bytes).toBe(0)
  })

  test('keeps up to 16 small arrays of a shape, enough for a population round of deletes (it kept 2)', () => {
    const pool = new TypedArrayPool()
    for (let i = 0; i < 20; i++) pool.recycle(new Float64Array(MB / 8))
    expect(pool.bytes).toBe(16 * MB)
    expect(pool.takeShapes(Array.from({ length: 20 }, () => 'Float64Array:1048576'))).toHaveLength(16)
  })

  test('keeps what fits its budget of a shape, and two however large', () => {
    const pool = new TypedArrayPool({ shapeBudgetBytes: 4 * MB })
    for (let i = 0; i < 8; i++) pool.recycle(new Uint8Array(MB))
    expect(pool.bytes).toBe(4 * MB)
    for (let i = 0; i < 4; i++) pool.recycle(new Uint8Array(8 * MB))
    expect(pool.bytes).toBe(4 * MB + 16 * MB)
  })

  test('maxBytes is a hard limit over all shapes', () => {
    const pool = new TypedArrayPool({ maxBytes: 3 * MB })
    for (let i = 0; i < 4; i++) pool.recycle(new Uint8Array(MB))
    pool.recycle(new Float64Array(MB / 8))
    expect(pool.bytes).toBe(3 * MB)
    pool.clear()
    expect(pool.bytes).toBe(0)
    expect(pool.take(new Uint8Array(MB))).toBeUndefined()
  })

  test('never takes views that share or only cover part of a buffer, DataViews or empty arrays', () => {
    const pool = new TypedArrayPool()
    const buffer = new ArrayBuffer(64)
    const shared = new SharedArrayBuffer(64)
    const values = [new Float64Array(buffer, 8, 2), new DataView(new ArrayBuffer(8)), new Float64Array(shared), new Float64Array(0)]
    pool.recycle(values)
    expect(pool.bytes).toBe(0)
    expect(shapesOf(values)).toEqual([])
  })

  test('shapesOf lists what recycle would take, in its order, each array once', () => {
    const w = new Float32Array(3)
    expect(shapesOf({ a: w, b: [new Int8Array(2), w], c: new Map([[1, new Float64Array(1)]]) })).toEqual(['Float32Array:12', 'Int8Array:2'])
  })
})
