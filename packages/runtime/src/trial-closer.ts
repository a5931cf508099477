import type { TrialHandle } from './executor.js'
import { CLOSED_AT_ONCE } from './trainable.js'
import type { Trial } from './trial.js'
import type { Watchdog } from './watchdog.js'

/** Marks "nothing was thrown", since anything (undefined included) can be. */
export const NOTHING: unique symbol = Symbol('nothing thrown')

/** What closing gave: NOTHING or what the trainable threw, or a promise of that when it had to be awaited. */
export type Closed = typeof NOTHING | Promise<unknown>

/** Hears that a trainable keeps the run waiting in its close, or was given up on. */
export type CloseWaiting = (trial: Trial, waitedS: number, gaveUp: boolean) => void

/**
 * Closes trials' trainables and keeps where their random streams got to, for their next start.
 * A close that does not settle within the grace (a `finally` awaiting what never comes) is given up
 * on: the run goes on, and says so. A trainable that closed by the time `close()` returned (an
 * in-process synchronous generator) is not waited for at all: no promise and no microtask per
 * finished trial, which a million one-step trials feel.
 */
export class TrialCloser {
  readonly #watchdog: Watchdog
  readonly #graceS: number
  readonly #waiting: CloseWaiting
  /** Trainables whose step the runner stopped waiting for (step timeout, time budget, abort). */
  readonly #hung = new WeakSet<TrialHandle>()

  constructor(watchdog: Watchdog, graceS: number, waiting: CloseWaiting) {
    this.#watchdog = watchdog
    this.#graceS = graceS
    this.#waiting = waiting
  }

  /** Marks a trainable as stuck in a step that will not be waited for: its close is not awaited. */
  stuck(handle: TrialHandle): void {
    this.#hung.add(handle)
  }

  /** Closes `handle`, the trial's trainable; undefined when it is already closed, else a promise that settles as its close does. */
  close(trial: Trial, handle: TrialHandle): Promise<void> | undefined {
    let closing: Promise<void>
    try {
      if (this.#hung.has(handle)) {
        // Its step never settled: an in-process generator cannot close before it does, so there is
        // nothing to wait for (an executor that can force a close, like worker threads, does so).
        handle.close().catch(() => undefined)
        closing = CLOSED_AT_ONCE
      } else {
        closing = handle.close()
        // A synchronous generator closes at once, so it is not watched.
        if (handle.nextSync === undefined) closing = this.#watched(trial, closing)
      }
    } catch (error) {
      // close() broke its contract and threw instead of rejecting: the same failure either way.
      closing = Promise.reject(error)
    }
    if (closing === CLOSED_AT_ONCE) {
      trial.streamClosed(handle)
      return undefined
    }
    return closing.finally(() => {
      trial.streamClosed(handle)
    })
  }

  /** Closes `handle`; what its close threw, NOTHING, or a promise of either. */
  closeCatching(trial: Trial, handle: TrialHandle): Closed {
    const closing = this.close(trial, handle)
    return closing === undefined
      ? NOTHING
      : closing.then(
          () => NOTHING,
          (error: unknown) => error,
        )
  }

  #watched(trial: Trial, closing: Promise<void>): Promise<void> {
    const grace = this.#graceS
    return this.#watchdog.guard(
      closing,
      grace,
      () => this.#waiting(trial, grace, true),
      (waited) => this.#waiting(trial, waited, false),
    ) as Promise<void>
  }
}
