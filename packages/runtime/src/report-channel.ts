import type { Metrics, ReportOptions } from '@vitune/dsl'
import { RunError } from './errors.js'
import { named, type Report, TrialStopped, toReport, type Where } from './report.js'
import type { TrialIterator } from './trainable.js'

/** A report handed over by `report()`, resumed when the runner pulls again. */
interface Queued {
  readonly report: Report
  readonly resume: () => void
  readonly abort: (error: unknown) => void
  delivered: boolean
}

/**
 * A Ray-style trainable (`await report(metrics)`) seen as an iterator: `report()` hands a result
 * over and waits until the runner pulls the next one, so the trainable runs one step per pull,
 * as a generator does.
 */
export class ReportChannel implements TrialIterator {
  readonly #where: Where
  #closed = false
  #finished = false
  #failure: { readonly error: unknown } | undefined
  #waiting: { readonly resolve: (r: Report | undefined) => void; readonly reject: (e: unknown) => void } | undefined
  #queued: Queued | undefined

  constructor(where: Where) {
    this.#where = where
  }

  /** Settles a waiting pull, if there is anything to settle it with. */
  #settle(): void {
    const waiting = this.#waiting
    if (waiting === undefined) return
    if (this.#failure !== undefined) {
      this.#waiting = undefined
      waiting.reject(this.#failure.error)
    } else if (this.#queued !== undefined && !this.#queued.delivered) {
      this.#waiting = undefined
      this.#queued.delivered = true
      waiting.resolve(this.#queued.report)
    } else if (this.#finished) {
      this.#waiting = undefined
      waiting.resolve(undefined)
    }
  }

  /** The trainable's `report()`. */
  report(metrics: Metrics, options?: ReportOptions<unknown>): Promise<void> {
    if (this.#closed) return Promise.reject(new TrialStopped())
    if (this.#queued !== undefined) {
      // The previous report() has not resolved: calling again without awaiting would drop it.
      const error = new RunError(
        'VITUNE_REPORT_NOT_AWAITED',
        `${named(this.#where)}: report() was called again before the previous report() resolved, which would lose a result. Write await report({...}) for every report.`,
      )
      this.#failure ??= { error }
      this.#settle()
      return Promise.reject(error)
    }
    const item = options?.checkpoint === undefined ? metrics : { $report: true, metrics, checkpoint: options.checkpoint }
    const reported = new Promise<void>((resume, abort) => {
      try {
        this.#queued = { report: toReport(item, this.#where), resume, abort, delivered: false }
      } catch (error) {
        abort(error)
        return
      }
      this.#settle()
    })
    // A report() left un-awaited is rejected with TrialStopped when its trial stops: the runtime's
    // own unwinding, not an error anyone should see reported as an unhandled rejection.
    reported.catch(() => undefined)
    return reported
  }

  /** Follows the trainable's returned promise: its end finishes the trial, its rejection fails it. */
  follow(output: Promise<unknown>): void {
    output.then(
      () => {
        this.#finished = true
        this.#settle()
      },
      (error: unknown) => {
        if (error instanceof TrialStopped && this.#closed) return
        this.#failure = { error }
        this.#settle()
      },
    )
  }

  next(): Promise<Report | undefined> {
    if (this.#queued?.delivered) {
      const done = this.#queued
      this.#queued = undefined
      done.resume()
    }
    return new Promise<Report | undefined>((resolve, reject) => {
      this.#waiting = { resolve, reject }
      this.#settle()
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#queued !== undefined) {
      const pending = this.#queued
      this.#queued = undefined
      pending.abort(new TrialStopped())
    }
  }
}
