import { RunError } from '../errors.js'
import type { TrialExecutor, TrialHandle, TrialStart } from '../executor.js'
import { type RandomStream, resumeLazily } from '../random.js'
import { CLOSED_AT_ONCE, type Report, startTrainable, type TrialIterator } from '../trainable.js'

/** A trainable that threw before its first report: its error arrives through the first pull. */
class FailedStart implements TrialIterator {
  constructor(readonly error: unknown) {}
  next(): Promise<Report | undefined> {
    return Promise.reject(this.error)
  }
  close(): Promise<void> {
    return CLOSED_AT_ONCE
  }
}

/**
 * A trainable running in this thread. One object per started trial, its methods on the prototype:
 * a run may start a million trials, and closures per handle add up.
 */
class InProcessHandle implements TrialHandle {
  readonly #iterator: TrialIterator
  readonly #stream: RandomStream
  /** The shared `pullNow` when the trainable is a synchronous generator; called as `handle.nextSync()`. */
  readonly nextSync: (() => Report | undefined) | undefined

  constructor(iterator: TrialIterator, stream: RandomStream) {
    this.#iterator = iterator
    this.#stream = stream
    this.nextSync = iterator.nextSync === undefined ? undefined : InProcessHandle.#pullNow
  }

  static readonly #pullNow = function (this: InProcessHandle): Report | undefined {
    return (this.#iterator as Required<TrialIterator>).nextSync()
  }

  next(): Promise<Report | undefined> {
    return this.#iterator.next()
  }

  close(): Promise<void> {
    return this.#iterator.close()
  }

  randomState(): object {
    return this.#stream.state()
  }
}

/** Runs trainables in the runner's own thread: the fastest path, and the only one for closures. */
export class InProcessExecutor implements TrialExecutor {
  readonly name = 'in-process'

  start(trial: TrialStart): TrialHandle {
    const fn = trial.trainable.fn
    if (fn === undefined) {
      throw new RunError('VITUNE_TRAINABLE_MISSING', `${trial.where}: the in-process executor needs the trainable function, but only its module is known.`)
    }
    // The state is read (derived, for a first start) and the generator built at the first draw:
    // many trainables never draw, and a run may start a million trials.
    const stream = resumeLazily(trial)
    let iterator: TrialIterator
    try {
      iterator = startTrainable(
        fn as never,
        { config: trial.config, checkpoint: trial.checkpoint, trialId: trial.trialId, random: stream.next, signal: trial.signal },
        // Read only for an error message: the runner builds it on demand.
        () => trial.where,
      )
    } catch (error) {
      // A trainable that throws before its first report fails its trial like any later error (retries apply).
      iterator = new FailedStart(error)
    }
    return new InProcessHandle(iterator, stream)
  }

  async shutdown(): Promise<void> {}
}
