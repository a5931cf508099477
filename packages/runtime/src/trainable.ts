import type { Metrics, ReportOptions, TrainContext } from '@vitune/dsl'
import { RunError } from './errors.js'

/** One report pulled from a trainable. */
export interface Report {
  readonly metrics: Metrics
  readonly hasCheckpoint: boolean
  readonly checkpoint: unknown
}

/** A running trainable, pulled one report at a time. */
export interface TrialIterator {
  /** The next report, or undefined when the trainable returned. Rejects with the trainable's error. */
  next(): Promise<Report | undefined>
  /** `next()` without a promise, for synchronous generators only: throws the trainable's error. */
  readonly nextSync?: () => Report | undefined
  /** Stops the trainable: runs generator `finally` blocks, unwinds a pending `report()`. */
  close(): Promise<void>
}

/**
 * What `close()` returns when the trainable has closed by the time it returns (a synchronous
 * generator): an already-settled promise that the runner recognises and does not wait for.
 */
export const CLOSED_AT_ONCE: Promise<void> = Promise.resolve()

/** Thrown into a Ray-style trainable's pending `report()` when its trial is stopped or exploited. */
export class TrialStopped extends Error {
  constructor() {
    super('the trial was stopped by the runtime; let this error propagate')
    this.name = 'TrialStopped'
  }
}

type AnyTrainable = (context: TrainContext<unknown, unknown>) => unknown

/** What the runtime passes in besides `report`. */
export type ContextBase = Omit<TrainContext<unknown, unknown>, 'report'>

/** Names the trial in error messages; a function when the name is only built if an error needs it. */
export type Where = string | (() => string)

const named = (where: Where): string => (typeof where === 'string' ? where : where())

function toReport(item: unknown, where: Where): Report {
  if (typeof item === 'number') return { metrics: { _metric: item }, hasCheckpoint: false, checkpoint: undefined }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new RunError(
      'VITUNE_BAD_REPORT',
      `${named(where)}: a report must be an object of metrics, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}. Yield { loss: 0.1 } or withCheckpoint({ loss: 0.1 }, state).`,
    )
  }
  if ((item as { $report?: unknown }).$report === true) {
    const { metrics, checkpoint } = item as { metrics: Metrics; checkpoint: unknown }
    return { metrics: plainMetrics(metrics, where), hasCheckpoint: checkpoint !== undefined, checkpoint }
  }
  return { metrics: plainMetrics(item, where), hasCheckpoint: false, checkpoint: undefined }
}

/** Metrics are a plain object of named values: a Date, Map or class instance has no metrics to read. */
function plainMetrics(value: unknown, where: Where): Metrics {
  const proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined
  if (proto === Object.prototype || proto === null) return value as Metrics
  const kind =
    typeof value !== 'object' || value === null
      ? String(value)
      : ((proto as { constructor?: { name?: string } }).constructor?.name ?? 'an object with a prototype')
  throw new RunError(
    'VITUNE_BAD_REPORT',
    `${named(where)}: a report must be a plain object of metrics, got ${kind}. Yield { loss: 0.1 } or withCheckpoint({ loss: 0.1 }, state).`,
  )
}

const isIterable = (value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  (Symbol.asyncIterator in value || Symbol.iterator in value) &&
  typeof (value as { then?: unknown }).then !== 'function'

/**
 * Starts a trainable in either form: a (sync or async) generator is pulled with `next()`; a
 * Ray-style function's `report()` hands over a result and waits until the runtime pulls again.
 */
export function startTrainable(trainable: AnyTrainable, base: ContextBase, where: Where): TrialIterator {
  let mode: 'unknown' | 'iterate' | 'report' = 'unknown'
  let closed = false
  let finished = false
  let failure: { error: unknown } | undefined
  let waiting: { resolve: (r: Report | undefined) => void; reject: (e: unknown) => void } | undefined
  let queued: { report: Report; resume: () => void; abort: (e: unknown) => void; delivered: boolean } | undefined

  const settle = () => {
    if (waiting === undefined) return
    const w = waiting
    if (failure !== undefined) {
      waiting = undefined
      w.reject(failure.error)
    } else if (queued !== undefined && !queued.delivered) {
      waiting = undefined
      queued.delivered = true
      w.resolve(queued.report)
    } else if (finished) {
      waiting = undefined
      w.resolve(undefined)
    }
  }

  const report = (metrics: Metrics, options?: ReportOptions<unknown>): Promise<void> => {
    if (mode === 'iterate') {
      return Promise.reject(new RunError('VITUNE_MIXED_REPORTING', `${named(where)}: the trainable both yields and calls report(). Use one of them.`))
    }
    mode = 'report'
    if (closed) return Promise.reject(new TrialStopped())
    if (queued !== undefined) {
      // The previous report() has not resolved: calling again without awaiting would drop it.
      const error = new RunError(
        'VITUNE_REPORT_NOT_AWAITED',
        `${named(where)}: report() was called again before the previous report() resolved, which would lose a result. Write await report({...}) for every report.`,
      )
      failure ??= { error }
      settle()
      return Promise.reject(error)
    }
    const item = options?.checkpoint === undefined ? metrics : { $report: true, metrics, checkpoint: options.checkpoint }
    const reported = new Promise<void>((resume, abort) => {
      try {
        queued = { report: toReport(item, where), resume, abort, delivered: false }
      } catch (error) {
        abort(error)
        return
      }
      settle()
    })
    // A report() left un-awaited is rejected with TrialStopped when its trial stops: the runtime's
    // own unwinding, not an error anyone should see reported as an unhandled rejection.
    reported.catch(() => undefined)
    return reported
  }

  // Written out: spreading `base` into a new literal is V8's slow path, microseconds per start.
  const context: TrainContext<unknown, unknown> = {
    config: base.config,
    checkpoint: base.checkpoint,
    trialId: base.trialId,
    random: base.random,
    signal: base.signal,
    report,
  }
  const output = trainable(context)
  if (isIterable(output)) {
    if ((mode as string) === 'report')
      throw new RunError('VITUNE_MIXED_REPORTING', `${named(where)}: the trainable both yields and calls report(). Use one of them.`)
    mode = 'iterate'
    if (!(Symbol.asyncIterator in output)) {
      // A synchronous generator needs no promise per report: the runner pulls it with nextSync.
      const iterator = (output as Iterable<unknown>)[Symbol.iterator]()
      const nextSync = (): Report | undefined => {
        const step = iterator.next()
        return step.done ? undefined : toReport(step.value, where)
      }
      return {
        next: async () => nextSync(),
        nextSync,
        close() {
          // Its finally blocks run now: the runner need not wait a microtask for each closed trial.
          try {
            iterator.return?.()
          } catch (error) {
            return Promise.reject(error)
          }
          return CLOSED_AT_ONCE
        },
      }
    }
    const iterator = output[Symbol.asyncIterator]()
    return {
      async next() {
        const step = await iterator.next()
        return step.done ? undefined : toReport(step.value, where)
      },
      async close() {
        await iterator.return?.()
      },
    }
  }
  if (typeof (output as { then?: unknown } | undefined)?.then !== 'function') {
    throw new RunError(
      'VITUNE_BAD_REPORT',
      `${named(where)}: the trainable returned neither a generator nor a promise. Write it as async function* (...) { yield {...} } or async (ctx) => { await ctx.report({...}) }.`,
    )
  }
  mode = 'report'
  ;(output as Promise<unknown>).then(
    () => {
      finished = true
      settle()
    },
    (error: unknown) => {
      if (error instanceof TrialStopped && closed) return
      failure = { error }
      settle()
    },
  )
  return {
    next() {
      if (queued?.delivered) {
        const done = queued
        queued = undefined
        done.resume()
      }
      return new Promise<Report | undefined>((resolve, reject) => {
        waiting = { resolve, reject }
        settle()
      })
    },
    async close() {
      closed = true
      if (queued !== undefined) {
        const pending = queued
        queued = undefined
        pending.abort(new TrialStopped())
      }
    },
  }
}
