/** How often the watchdog looks at what it guards, in milliseconds. */
const TICK_MS = 50

interface Guarded {
  /** When it expires, in `performance.now()` milliseconds. */
  readonly deadline: number
  readonly started: number
  /** When the next "still waiting" notice is due. */
  nextNotice: number
  readonly expire: () => void
  readonly notice: ((waitedS: number) => void) | undefined
}

/**
 * Puts deadlines on promises that may never settle (a trainable's step, a `finally` block on stop)
 * with one timer for the whole run instead of one per promise: a guard costs an object, not a timer.
 * The timer runs only while something is guarded; it keeps the process alive then, as the run is
 * waiting on what it guards (a promise that never settles would not).
 */
export class Watchdog {
  readonly #guarded = new Set<Guarded>()
  #timer: ReturnType<typeof setInterval> | undefined
  readonly #noticeEveryMs: number

  /** `noticeEveryS`: when a guard's `notice` first hears that its promise is still pending (then at 2x, 4x, ...). */
  constructor(noticeEveryS: number) {
    this.#noticeEveryMs = noticeEveryS * 1000
  }

  /**
   * Resolves as `promise` does, or with `onExpire()`'s value once `seconds` have passed first
   * (Infinity: never). While it waits, `notice` hears now and then how long it has waited.
   */
  guard<T, E>(promise: Promise<T>, seconds: number, onExpire: () => E, notice?: (waitedS: number) => void): Promise<T | E> {
    if (seconds === Number.POSITIVE_INFINITY && notice === undefined) return promise
    return new Promise<T | E>((resolve, reject) => {
      const now = performance.now()
      const entry: Guarded = {
        deadline: now + seconds * 1000,
        started: now,
        nextNotice: now + this.#noticeEveryMs,
        expire: () => resolve(onExpire()),
        notice,
      }
      this.#guarded.add(entry)
      this.#arm()
      promise.then(
        (value) => {
          this.#release(entry)
          resolve(value)
        },
        (error: unknown) => {
          this.#release(entry)
          reject(error)
        },
      )
    })
  }

  #release(entry: Guarded): void {
    // The timer stops at its next tick when nothing is guarded: many short guards in a row arm it once.
    this.#guarded.delete(entry)
  }

  #arm(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => this.#check(), TICK_MS)
  }

  #check(): void {
    if (this.#guarded.size === 0) {
      clearInterval(this.#timer)
      this.#timer = undefined
      return
    }
    const now = performance.now()
    for (const entry of [...this.#guarded]) {
      if (now >= entry.deadline) {
        this.#release(entry)
        entry.expire()
      } else if (entry.notice !== undefined && now >= entry.nextNotice) {
        // Notices at 1, 2, 4, 8... times the interval: a long wait is told, a slow trainable not flooded.
        entry.nextNotice = entry.started + 2 * (entry.nextNotice - entry.started)
        entry.notice((now - entry.started) / 1000)
      }
    }
  }

  /** Lets every guard expire now (the run was aborted: nothing is waited for any more). */
  expireAll(): void {
    for (const entry of [...this.#guarded]) {
      this.#release(entry)
      entry.expire()
    }
  }
}
