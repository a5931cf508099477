import type { Config, Metrics, Trainable, TrainableModule } from '@vitune/dsl'
import type { Report } from './trainable.js'

/** A trainable as an executor gets it: the function for in-process runs, its module for everywhere else. */
export interface TrainableSource {
  /** The function given to `.train()`; only usable in the process that defined it. */
  readonly fn: Trainable<never, Metrics, unknown> | undefined
  /** Where to import it from, when it was named with `trainable()`. */
  readonly module: TrainableModule | undefined
}

/** Everything a trial's trainable starts from; all of it crosses a thread or process boundary. */
export interface TrialStart {
  readonly trialId: string
  readonly config: Config
  /** The checkpoint to resume from (a loaded value, not a reference), or undefined for a fresh start. */
  readonly checkpoint: unknown
  readonly trainable: TrainableSource
  /** The state of the trial's random stream (`context.random`) at this start. */
  readonly randomState: object
  /** Aborted when the run is cancelled. */
  readonly signal: AbortSignal
  /** Names the trial for error messages: `experiment "x", trial y (tag)`. */
  readonly where: string
}

/** A started trainable: pulled one report at a time, closed when the runner is done with it. */
export interface TrialHandle {
  /** The next report, or undefined when the trainable returned. Rejects with the trainable's error. */
  next(): Promise<Report | undefined>
  /** `next()` without a promise, when the executor can pull synchronously (in-process sync generators); throws the trainable's error. */
  readonly nextSync: (() => Report | undefined) | undefined
  /** Stops the trainable (generator `finally` blocks run); resolves once it has stopped. */
  close(): Promise<void>
  /**
   * The trial's random stream state after the last report delivered (or after `close`), so the
   * trial continues the same sequence wherever it runs next.
   */
  randomState(): object
}

/**
 * Where trials run: in this thread, in worker threads, on remote workers. An executor never decides
 * anything; it runs what the runner starts and hands back reports. Every executor passes the same
 * conformance suite (packages/runtime/test/helpers/executor-conformance.ts).
 */
export interface TrialExecutor {
  /** For messages and reports: `in-process`, `threads`, ... */
  readonly name: string
  /** Starts a trial's trainable. Errors of the trainable arrive through the handle, never from here. */
  start(trial: TrialStart): TrialHandle
  /** Frees what the executor holds (threads, connections); called when a run that created it ends. */
  shutdown(): Promise<void>
}
