import { handOver } from '../../clone.js'
import { RunError } from '../../errors.js'
import type { TrialHandle, TrialStart } from '../../executor.js'
import type { Report } from '../../trainable.js'
import { shapesOf, sparesForThreads } from '../../typed-array-pool.js'
import { type FromWorker, fromThrown, transferablesOf } from './protocol.js'
import type { ThreadLoss, TrialChannel, WorkerThread } from './worker-thread.js'

interface Waiter {
  readonly resolve: (report: Report | undefined) => void
  readonly reject: (error: unknown) => void
}

/**
 * A trial running on a worker thread, seen from the runner's thread. The worker runs one step per
 * `next()`, never ahead, so the random stream state it sends with each answer is the state after
 * the last report delivered.
 */
export class ThreadTrialHandle implements TrialHandle, TrialChannel {
  readonly nextSync = undefined
  readonly #thread: WorkerThread
  readonly #start: TrialStart
  readonly #closeTimeoutS: number
  readonly #trial: number
  readonly #waiters: Waiter[] = []
  #random: object
  /** The trial's latest checkpoint (the store's now): its arrays' shapes are the spares its thread will want next. */
  #latest: unknown
  /** Those shapes, read once spares exist (a run without retention never walks a checkpoint for them). */
  #shapes: readonly string[] | undefined
  #closing: Promise<void> | undefined
  #closed: { readonly resolve: () => void; readonly reject: (error: unknown) => void } | undefined
  /** Why no answer will ever come: the thread was lost, or the start could not be sent. */
  #broken: unknown
  readonly #onAbort = () => this.#forwardAbort()

  constructor(thread: WorkerThread, start: TrialStart, closeTimeoutS: number) {
    this.#thread = thread
    this.#start = start
    this.#closeTimeoutS = closeTimeoutS
    this.#random = start.randomState
    this.#trial = thread.open(this)
    const { signal, trainable, checkpoint } = start
    try {
      thread.post(
        {
          type: 'start',
          trial: this.#trial,
          module: trainable.module as NonNullable<typeof trainable.module>,
          trialId: start.trialId,
          config: start.config,
          checkpoint,
          randomState: start.randomState,
          where: start.where,
          aborted: signal.aborted ? { reason: cloneable(signal.reason) } : undefined,
        },
        // The checkpoint is a copy loaded for this start, owned by no one else: its buffers move.
        transferablesOf(checkpoint),
      )
    } catch (error) {
      thread.release(this.#trial)
      this.#broken = new RunError(
        'VITUNE_CHECKPOINT_CORRUPT',
        `${start.where}: its checkpoint cannot be sent to a worker thread: ${(error as Error).message}. Checkpoints must be structured-cloneable (plain objects, arrays, typed arrays, Maps; no functions or class instances).`,
        { cause: error },
      )
      return
    }
    if (!signal.aborted) signal.addEventListener('abort', this.#onAbort, { once: true })
  }

  next(): Promise<Report | undefined> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken)
    // A closed trainable has nothing more to say, as a returned generator.
    if (this.#closing !== undefined) return Promise.resolve(undefined)
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject })
      this.#thread.awaitAnswer()
      // Deleted checkpoints' arrays go back to the thread, which copies the next checkpoints into them.
      const spare = sparesForThreads.bytes === 0 ? [] : sparesForThreads.takeShapes((this.#shapes ??= shapesOf(this.#latest)))
      if (spare.length === 0) this.#thread.post({ type: 'next', trial: this.#trial })
      else
        this.#thread.post(
          { type: 'next', trial: this.#trial, spare },
          spare.map((array) => array.buffer as ArrayBuffer),
        )
    })
  }

  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  randomState(): object {
    return this.#random
  }

  async #close(): Promise<void> {
    this.#start.signal.removeEventListener('abort', this.#onAbort)
    if (this.#broken !== undefined) return
    const closed = new Promise<void>((resolve, reject) => {
      this.#closed = { resolve, reject }
    })
    this.#thread.awaitAnswer()
    this.#thread.post({ type: 'close', trial: this.#trial })
    // A trainable that never settles (a hung step, a finally block that never ends) cannot hold the
    // run: after the grace period its thread is terminated, failing the other trials on it too.
    const timer = setTimeout(() => {
      void this.#thread.terminate({
        description: `was terminated because trial ${this.#start.trialId} did not finish closing within ${this.#closeTimeoutS} s`,
        hint: 'Trials that share a thread with a trainable that hangs fail with it. Make every step and finally block of the trainable settle.',
        error: undefined,
      })
    }, this.#closeTimeoutS * 1000)
    try {
      await closed
    } finally {
      clearTimeout(timer)
    }
  }

  receive(message: FromWorker): void {
    this.#random = message.random
    if (message.type === 'closed') {
      this.#thread.release(this.#trial)
      this.#thread.answered()
      const closed = this.#closed
      this.#closed = undefined
      // A pull still waiting when the trial closed will not be answered: the trainable is gone.
      for (const waiter of this.#waiters.splice(0)) {
        this.#thread.answered()
        waiter.resolve(undefined)
      }
      if (message.error === undefined) closed?.resolve()
      else closed?.reject(fromThrown(message.error))
      return
    }
    const waiter = this.#waiters.shift()
    if (waiter === undefined) return
    this.#thread.answered()
    if (message.type === 'report') {
      // The thread copied the checkpoint and moved the copy here: nobody else holds it, so the store may keep it as it is.
      if (message.hasCheckpoint) {
        this.#latest = message.checkpoint
        this.#shapes = undefined
        handOver(message.checkpoint)
      }
      waiter.resolve({ metrics: message.metrics, hasCheckpoint: message.hasCheckpoint, checkpoint: message.checkpoint })
    } else if (message.type === 'done') waiter.resolve(undefined)
    else waiter.reject(fromThrown(message.error))
  }

  lost(loss: ThreadLoss): void {
    this.#start.signal.removeEventListener('abort', this.#onAbort)
    this.#broken = new RunError(
      'VITUNE_THREAD_LOST',
      `${this.#start.where}: its worker thread ${loss.description}. The trial fails (it is retried from its latest checkpoint while maxFailures allows) and the thread is replaced. ${loss.hint}`,
      loss.error === undefined ? undefined : { cause: loss.error },
    )
    for (const waiter of this.#waiters.splice(0)) {
      this.#thread.answered()
      waiter.reject(this.#broken)
    }
    // Nothing is left to close: closing a trial on a lost thread succeeds at once.
    if (this.#closed !== undefined) {
      this.#thread.answered()
      this.#closed.resolve()
      this.#closed = undefined
    }
  }

  #forwardAbort(): void {
    if (this.#broken !== undefined || this.#closing !== undefined) return
    try {
      this.#thread.post({ type: 'abort', trial: this.#trial, reason: cloneable(this.#start.signal.reason) })
    } catch {
      // The thread is ending; its loss reaches the trial through lost().
    }
  }
}

/** An abort reason that postMessage can copy: itself when it can, else its text. */
function cloneable(reason: unknown): unknown {
  try {
    structuredClone(reason)
    return reason
  } catch {
    return String(reason)
  }
}
