import type { TypedArrayPool } from './typed-array-pool.js'

/**
 * Copies a checkpoint value with `structuredClone`'s result, faster for the shapes trainables
 * checkpoint: plain objects, arrays, primitives and typed arrays that own their buffer. Anything
 * else (Map, Date, class instances, views sharing a buffer, symbols, ...) goes to `structuredClone`
 * whole, so its behaviour and its errors stay the platform's.
 */
export function cloneCheckpoint<T>(value: T, reuse?: TypedArrayPool): T {
  // A function or symbol cannot be cloned (structuredClone throws): the same rule as for any store.
  if (typeof value === 'function' || typeof value === 'symbol') return structuredClone(value)
  if (typeof value !== 'object' || value === null) return value
  const flat = copyFlat(value)
  if (flat !== undefined) return flat as T
  const buffers = new Set<ArrayBufferLike>()
  const copies = new Map<object, unknown>()
  const copy = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) {
      if (typeof v === 'symbol' || typeof v === 'function') throw FALLBACK
      return v
    }
    const seen = copies.get(v)
    if (seen !== undefined) return seen
    if (ArrayBuffer.isView(v)) {
      // A typed array that shares its buffer with another view must keep sharing: leave it to structuredClone.
      if (v instanceof DataView || v.byteOffset !== 0 || v.byteLength !== v.buffer.byteLength || buffers.has(v.buffer)) throw FALLBACK
      buffers.add(v.buffer)
      const recycled = reuse?.take(v)
      if (recycled !== undefined) (recycled as unknown as { set(source: ArrayBufferView): void }).set(v)
      const out = recycled ?? (v as unknown as { slice(): object }).slice()
      copies.set(v, out)
      return out
    }
    const proto = Object.getPrototypeOf(v)
    if (proto === Array.prototype) {
      const array = v as unknown[]
      const out: unknown[] = new Array(array.length)
      copies.set(v, out)
      for (let i = 0; i < array.length; i++) {
        if (!(i in array)) throw FALLBACK
        out[i] = copy(array[i])
      }
      return out
    }
    if (proto !== Object.prototype && proto !== null) throw FALLBACK
    const out: Record<string, unknown> = {}
    copies.set(v, out)
    for (const key of Object.keys(v)) {
      if (key === '__proto__') throw FALLBACK
      out[key] = copy((v as Record<string, unknown>)[key])
    }
    return out
  }
  try {
    return copy(value) as T
  } catch (error) {
    if (error === FALLBACK) return structuredClone(value)
    throw error
  }
}

/**
 * A plain object of primitives (a small checkpoint, a config), copied without the bookkeeping for
 * shared and cyclic references it cannot have; undefined for anything else.
 */
function copyFlat(value: object): object | undefined {
  if (Object.getPrototypeOf(value) !== Object.prototype) return undefined
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key]
    if ((typeof v === 'object' && v !== null) || typeof v === 'symbol' || typeof v === 'function' || key === '__proto__') return undefined
    out[key] = v
  }
  return out
}

/** Thrown inside the copy to hand the whole value to structuredClone. */
const FALLBACK = Symbol('structuredClone')

/** Values handed over by their maker: private copies nobody else holds (see `handOver`). */
const handedOver = new WeakSet<object>()

/**
 * Marks a checkpoint as a private copy that nobody else holds (one a worker thread sent, its
 * buffers transferred), so a store may keep it as it is instead of copying it again.
 */
export function handOver(value: unknown): void {
  if (typeof value === 'object' && value !== null) handedOver.add(value)
}

/** Whether `value` was handed over; true once, as the one who takes it then owns it. */
export function takeHandedOver(value: unknown): boolean {
  return typeof value === 'object' && value !== null && handedOver.delete(value)
}
