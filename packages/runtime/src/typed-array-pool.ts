// Typed arrays of deleted checkpoints, kept to hold the next copies of the same shape: copying into
// memory already in use is several times faster than into fresh pages, and a run that recycles
// allocates no new memory for its checkpoints, so the garbage collector has none to chase
// (docs/benchmarks.md, "Cost per result across the boundary").

/** What a pool keeps of one shape by default: up to 64 MB of it (but see the two bounds below). */
const SHAPE_BUDGET_BYTES = 64 * 2 ** 20
/** Spares kept of one shape, however small: enough for a population's round of deletes. */
const MAX_PER_SHAPE = 16
/** Spares kept of one shape, however large (two, as before pools had a budget). */
const MIN_PER_SHAPE = 2

/** Options of `TypedArrayPool`. */
export interface TypedArrayPoolOptions {
  /** Bytes kept of one shape (at least two arrays of it, at most sixteen). Default 64 MB. */
  readonly shapeBudgetBytes?: number
  /** Bytes kept in all, a hard limit (for a pool that outlives a run). Default: no limit. */
  readonly maxBytes?: number
}

/** Typed arrays no longer referenced by anyone, handed back out to hold copies of the same type and length. */
export class TypedArrayPool {
  readonly #free = new Map<string, ArrayBufferView[]>()
  readonly #shapeBudget: number
  readonly #maxBytes: number
  #bytes = 0

  constructor(options: TypedArrayPoolOptions = {}) {
    this.#shapeBudget = options.shapeBudgetBytes ?? SHAPE_BUDGET_BYTES
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY
  }

  /** A spare array of the same type and length as `like`, or undefined. */
  take(like: ArrayBufferView): ArrayBufferView | undefined {
    return this.takeShape(shapeOf(like))
  }

  /** A spare array of `shape` (see `shapesOf`), or undefined. */
  takeShape(shape: string): ArrayBufferView | undefined {
    const spare = this.#free.get(shape)?.pop()
    if (spare !== undefined) this.#bytes -= spare.byteLength
    return spare
  }

  /** Spares for each of `shapes` that the pool has (fewer, or none, when it has fewer). */
  takeShapes(shapes: readonly string[]): ArrayBufferView[] {
    const out: ArrayBufferView[] = []
    for (const shape of shapes) {
      const spare = this.takeShape(shape)
      if (spare !== undefined) out.push(spare)
    }
    return out
  }

  /** Gives back the typed arrays inside a value that nothing else can see (a deleted stored copy). */
  recycle(value: unknown, seen = new Set<object>()): void {
    if (typeof value !== 'object' || value === null || seen.has(value)) return
    seen.add(value)
    if (ArrayBuffer.isView(value)) {
      if (!recyclable(value)) return
      const shape = shapeOf(value)
      const list = this.#free.get(shape) ?? []
      const cap = Math.max(MIN_PER_SHAPE, Math.min(MAX_PER_SHAPE, Math.floor(this.#shapeBudget / value.byteLength)))
      if (list.length >= cap || this.#bytes + value.byteLength > this.#maxBytes) return
      list.push(value)
      this.#bytes += value.byteLength
      this.#free.set(shape, list)
      return
    }
    forEachInside(value, (inner) => this.recycle(inner, seen))
  }

  /** Drops every spare (they become garbage). */
  clear(): void {
    this.#free.clear()
    this.#bytes = 0
  }

  /** Bytes held as spares (for tests). */
  get bytes(): number {
    return this.#bytes
  }
}

/** The shapes of the typed arrays a pool would take back from `value`, one per array, in the order `recycle` visits them. */
export function shapesOf(value: unknown, seen = new Set<object>(), out: string[] = []): string[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return out
  seen.add(value)
  if (ArrayBuffer.isView(value)) {
    if (recyclable(value)) out.push(shapeOf(value))
    return out
  }
  forEachInside(value, (inner) => shapesOf(inner, seen, out))
  return out
}

/** Calls `visit` with each object inside a plain object or array (primitives hold no arrays; other classes are left alone). */
function forEachInside(value: object, visit: (inner: object) => void): void {
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return
    // An index loop: a checkpoint may be a long array of numbers, not worth a copy of its values.
    for (let i = 0; i < value.length; i++) {
      const inner: unknown = value[i]
      if (typeof inner === 'object' && inner !== null) visit(inner)
    }
    return
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return
  for (const key of Object.keys(value)) {
    const inner: unknown = (value as Record<string, unknown>)[key]
    if (typeof inner === 'object' && inner !== null) visit(inner)
  }
}

/** A typed array that owns its whole (non-shared) buffer: one that can be reused, or moved to another thread, alone. */
function recyclable(view: ArrayBufferView): boolean {
  return (
    !(view instanceof DataView) &&
    view.buffer instanceof ArrayBuffer &&
    view.byteOffset === 0 &&
    view.byteLength === view.buffer.byteLength &&
    view.byteLength > 0
  )
}

const shapeOf = (array: ArrayBufferView): string => `${array.constructor.name}:${array.byteLength}`

/**
 * Typed arrays of deleted checkpoints that a worker thread sent (their buffers were moved here),
 * waiting to go back to a worker thread to hold its next copies (`ThreadTrialHandle` sends them
 * with its pulls). One per process, as the store that frees them does not know the executor; at
 * most 128 MB, dropped when a thread executor shuts down.
 */
export const sparesForThreads = new TypedArrayPool({ maxBytes: 128 * 2 ** 20 })
