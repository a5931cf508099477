import { RunError } from '../errors.js'
import type { TrialExecutor, TrialHandle, TrialStart } from '../executor.js'
import { resumeLazily } from '../random.js'
import { CLOSED_AT_ONCE, startTrainable, type TrialIterator } from '../trainable.js'

const closed = (): Promise<void> => CLOSED_AT_ONCE

/** Runs trainables in the runner's own thread: the fastest path, and the only one for closures. */
export class InProcessExecutor implements TrialExecutor {
  readonly name = 'in-process'

  start(trial: TrialStart): TrialHandle {
    const fn = trial.trainable.fn
    if (fn === undefined) {
      throw new RunError('VITUNE_TRAINABLE_MISSING', `${trial.where}: the in-process executor needs the trainable function, but only its module is known.`)
    }
    // Built at the first draw: many trainables never draw (and a run may start a million trials).
    const stream = resumeLazily(trial.randomState)
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
      return { next: () => Promise.reject(error), nextSync: undefined, close: closed, randomState: stream.state }
    }
    // The iterator's and the stream's functions hold no `this`: the handle shares them instead of wrapping each.
    return { next: iterator.next, nextSync: iterator.nextSync, close: iterator.close, randomState: stream.state }
  }

  async shutdown(): Promise<void> {}
}
