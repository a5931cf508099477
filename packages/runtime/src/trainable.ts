import type { TrainContext } from '@vitune/dsl'
import { RunError } from './errors.js'
import { CLOSED_AT_ONCE, named, type Report, toReport, type Where } from './report.js'
import { ReportChannel } from './report-channel.js'

export { CLOSED_AT_ONCE, type Report, TrialStopped, type Where } from './report.js'

/** A running trainable, pulled one report at a time. */
export interface TrialIterator {
  /** The next report, or undefined when the trainable returned. Rejects with the trainable's error. */
  next(): Promise<Report | undefined>
  /** `next()` without a promise, for synchronous generators only: throws the trainable's error. */
  readonly nextSync?: () => Report | undefined
  /** Stops the trainable: runs generator `finally` blocks, unwinds a pending `report()`. */
  close(): Promise<void>
}

type AnyTrainable = (context: TrainContext<unknown, unknown>) => unknown

/** What the runtime passes in besides `report`. */
export type ContextBase = Omit<TrainContext<unknown, unknown>, 'report'>

const isIterable = (value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  (Symbol.asyncIterator in value || Symbol.iterator in value) &&
  typeof (value as { then?: unknown }).then !== 'function'

/** A synchronous generator: pulled without a promise per report, closed at once. */
class SyncIteration implements TrialIterator {
  readonly #iterator: Iterator<unknown>
  readonly #where: Where

  constructor(iterator: Iterator<unknown>, where: Where) {
    this.#iterator = iterator
    this.#where = where
  }

  nextSync(): Report | undefined {
    const step = this.#iterator.next()
    return step.done ? undefined : toReport(step.value, this.#where)
  }

  async next(): Promise<Report | undefined> {
    return this.nextSync()
  }

  close(): Promise<void> {
    // Its finally blocks run now: the runner need not wait a microtask for each closed trial.
    try {
      this.#iterator.return?.()
    } catch (error) {
      return Promise.reject(error)
    }
    return CLOSED_AT_ONCE
  }
}

/** An asynchronous generator. */
class AsyncIteration implements TrialIterator {
  readonly #iterator: AsyncIterator<unknown>
  readonly #where: Where

  constructor(iterator: AsyncIterator<unknown>, where: Where) {
    this.#iterator = iterator
    this.#where = where
  }

  async next(): Promise<Report | undefined> {
    const step = await this.#iterator.next()
    return step.done ? undefined : toReport(step.value, this.#where)
  }

  async close(): Promise<void> {
    await this.#iterator.return?.()
  }
}

const mixed = (where: Where) => new RunError('VITUNE_MIXED_REPORTING', `${named(where)}: the trainable both yields and calls report(). Use one of them.`)

/**
 * Starts a trainable in either form: a (sync or async) generator is pulled with `next()`; a
 * Ray-style function's `report()` hands over a result and waits until the runtime pulls again.
 * The returned iterator's methods are called on it (`iterator.next()`), never detached.
 */
export function startTrainable(trainable: AnyTrainable, base: ContextBase, where: Where): TrialIterator {
  let mode: 'unknown' | 'iterate' | 'report' = 'unknown'
  // Made at the first report(): a generator never needs one.
  let channel: ReportChannel | undefined
  const report: TrainContext<unknown, unknown>['report'] = (metrics, options) => {
    if (mode === 'iterate') return Promise.reject(mixed(where))
    mode = 'report'
    channel ??= new ReportChannel(where)
    return channel.report(metrics, options)
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
    if ((mode as string) === 'report') throw mixed(where)
    mode = 'iterate'
    if (Symbol.asyncIterator in output) return new AsyncIteration(output[Symbol.asyncIterator](), where)
    // A synchronous generator needs no promise per report: the runner pulls it with nextSync.
    return new SyncIteration((output as Iterable<unknown>)[Symbol.iterator](), where)
  }
  if (typeof (output as { then?: unknown } | undefined)?.then !== 'function') {
    throw new RunError(
      'VITUNE_BAD_REPORT',
      `${named(where)}: the trainable returned neither a generator nor a promise. Write it as async function* (...) { yield {...} } or async (ctx) => { await ctx.report({...}) }.`,
    )
  }
  mode = 'report'
  channel ??= new ReportChannel(where)
  channel.follow(output as Promise<unknown>)
  return channel
}
