/**
 * Copies a checkpoint value with `structuredClone`'s result, faster for the shapes trainables
 * checkpoint: plain objects, arrays, primitives and typed arrays that own their buffer. Anything
 * else (Map, Date, class instances, views sharing a buffer, symbols, ...) goes to `structuredClone`
 * whole, so its behaviour and its errors stay the platform's.
 */
export function cloneCheckpoint<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
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
      const out = (v as unknown as { slice(): object }).slice()
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

/** Thrown inside the copy to hand the whole value to structuredClone. */
const FALLBACK = Symbol('structuredClone')
