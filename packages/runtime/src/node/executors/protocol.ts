// The messages between the runner's thread and a worker thread. Each trial on a worker has a
// number (unique per worker thread) that every message carries.
import type { Config, Metrics, TrainableModule } from '@vitune/dsl'
import { RunError, type RunErrorCode } from '../../errors.js'
import { describeThrown } from '../../lifecycle.js'

/** What the runner's thread asks of a worker thread. */
export type ToWorker =
  | {
      readonly type: 'start'
      readonly trial: number
      readonly module: TrainableModule
      readonly trialId: string
      readonly config: Config
      readonly checkpoint: unknown
      readonly randomState: object
      readonly where: string
      /** The run was already aborted when the trial started: the trainable's signal starts aborted. */
      readonly aborted: { readonly reason: unknown } | undefined
    }
  | {
      readonly type: 'next'
      readonly trial: number
      /** Typed arrays of this trial's deleted checkpoints, moved here for the thread's next copies (`sparesForThreads`). */
      readonly spare?: readonly ArrayBufferView[]
    }
  | { readonly type: 'close'; readonly trial: number }
  | { readonly type: 'abort'; readonly trial: number; readonly reason: unknown }

/**
 * What a worker thread answers. Every answer carries the trial's random stream state at that
 * point, so the runner's handle always knows the state after the last report it delivered.
 */
export type FromWorker =
  | {
      readonly type: 'report'
      readonly trial: number
      readonly metrics: Metrics
      readonly hasCheckpoint: boolean
      readonly checkpoint: unknown
      readonly random: object
    }
  | { readonly type: 'done'; readonly trial: number; readonly random: object }
  | { readonly type: 'failed'; readonly trial: number; readonly error: Thrown; readonly random: object }
  | { readonly type: 'closed'; readonly trial: number; readonly random: object; readonly error: Thrown | undefined }

/** A thrown value, in a form that survives `postMessage`. */
export type Thrown =
  | {
      readonly kind: 'error'
      readonly name: string
      readonly message: string
      readonly stack: string | undefined
      readonly code: string | undefined
      readonly cause: Thrown | undefined
    }
  /** A thrown non-Error that structured clone can copy (a string, a number, a plain object). */
  | { readonly kind: 'value'; readonly value: unknown }
  /** A thrown non-Error that cannot be copied (a function): only its description crosses, as an Error's message. */
  | { readonly kind: 'text'; readonly text: string }

const isError = (value: unknown): value is Error => value instanceof Error || Object.prototype.toString.call(value) === '[object Error]'

/** Turns whatever a trainable threw into a `Thrown`, keeping an Error's name, message, stack, code and cause. */
export function toThrown(value: unknown, depth = 0): Thrown {
  if (isError(value)) {
    const code = (value as { code?: unknown }).code
    const cause = (value as { cause?: unknown }).cause
    return {
      kind: 'error',
      name: String(value.name),
      message: String(value.message),
      stack: typeof value.stack === 'string' ? value.stack : undefined,
      code: typeof code === 'string' ? code : undefined,
      cause: cause === undefined || depth >= 4 ? undefined : toThrown(cause, depth + 1),
    }
  }
  try {
    return { kind: 'value', value: structuredClone(value) }
  } catch {
    // The message the runner's thread would give the same value (it cannot be handed over itself).
    return { kind: 'text', text: describeThrown(value) }
  }
}

const BUILT_IN: Record<string, ErrorConstructor> = {
  Error,
  RangeError,
  TypeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
}

/**
 * The value a `Thrown` stands for, on this side: an Error of the same class where it is a built-in
 * one or a `RunError` (so `instanceof` and `code` still work), else an Error carrying the name.
 */
export function fromThrown(thrown: Thrown): unknown {
  if (thrown.kind === 'value') return thrown.value
  if (thrown.kind === 'text') return new Error(thrown.text)
  const cause = thrown.cause === undefined ? undefined : { cause: fromThrown(thrown.cause) }
  let error: Error
  if (thrown.name === 'RunError' && thrown.code?.startsWith('VITUNE_')) {
    error = new RunError(thrown.code as RunErrorCode, '', cause)
    error.message = thrown.message
  } else {
    error = new (BUILT_IN[thrown.name] ?? Error)(thrown.message, cause)
    if (error.name !== thrown.name) Object.defineProperty(error, 'name', { value: thrown.name, configurable: true, writable: true })
    if (thrown.code !== undefined) Object.defineProperty(error, 'code', { value: thrown.code, configurable: true, writable: true, enumerable: true })
  }
  // The worker's stack says where the trainable failed; this thread's would only show the message handler.
  if (thrown.stack !== undefined) error.stack = thrown.stack
  return error
}

/**
 * The ArrayBuffers inside a checkpoint that a transfer can move instead of copy: those of typed
 * arrays and ArrayBuffers in plain objects, arrays, Maps and Sets. Only for values nobody else
 * holds (a checkpoint loaded from the store is a fresh copy): a transferred buffer is detached here.
 */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>()
  const seen = new Set<object>()
  const visit = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || seen.has(v) || depth > 64) return
    seen.add(v)
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) buffers.add(v.buffer)
      return
    }
    if (v instanceof ArrayBuffer) {
      buffers.add(v)
      return
    }
    if (v instanceof Map) {
      for (const [key, inner] of v) {
        visit(key, depth + 1)
        visit(inner, depth + 1)
      }
      return
    }
    if (v instanceof Set) {
      for (const inner of v) visit(inner, depth + 1)
      return
    }
    const proto = Object.getPrototypeOf(v)
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return
    for (const inner of Object.values(v)) visit(inner, depth + 1)
  }
  visit(value, 0)
  // A buffer that is already detached or cannot be moved (resizable ones can, on Node 20) would
  // make postMessage throw: leave such buffers to the copy.
  return [...buffers].filter((b) => b.byteLength > 0 && !(b as { detached?: boolean }).detached)
}
