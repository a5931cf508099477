import type { Config } from '@vitune/dsl'
import type { CheckpointRef, ExploitEvent, PolicyRecord, Result, TrialStatus } from '../types.js'

/** What a scheduler may read about a trial. */
export interface TrialView {
  readonly id: string
  readonly index: number
  readonly status: TrialStatus
  readonly config: Config
  /** The tag the trial was created with (Ray's `orig_tag`). */
  readonly tag: string
  /** The result before the one being processed (Ray updates it after the scheduler runs). */
  readonly lastResult: Result | undefined
  /** The checkpoint attached to the trial's latest report, if that report carried one. */
  readonly reportCheckpoint: CheckpointRef | undefined
  /** The newest checkpoint the trial has (its own or a donor's after an exploit). */
  readonly latestCheckpoint: CheckpointRef | undefined
}

/** What the scheduler sees of the whole run. */
export interface RunnerView {
  readonly experiment: string
  /** The trials in executor order (a retried trial moves to the end, as in Ray). */
  readonly trials: readonly TrialView[]
  /** How many trials are in each status, kept current by the runner, so a scheduler need not scan `trials` to count them. */
  readonly statusCounts: Readonly<Record<TrialStatus, number>>
}

/** What happens to the trial whose result was processed. */
export type TrialDecision = 'CONTINUE' | 'PAUSE' | 'STOP' | 'NOOP'

/** An instruction to restart `targetId` from a donor's checkpoint (its own, in a replay) with a new config. */
export interface ExploitAction {
  readonly event: ExploitEvent
  readonly checkpoint: CheckpointRef
  /** The tag the target carries from now on (`<orig>@perturbed[...]`). */
  readonly tag: string
  /** The line for Ray's policy logs; undefined for a replayed config change, which Ray does not log. */
  readonly policy: PolicyRecord | undefined
}

/** A decision as data: what the current trial does, exploits the executor applies, and other trials to stop. */
export interface SchedulerDecision {
  readonly decision: TrialDecision
  readonly exploits: readonly ExploitAction[]
  /**
   * Other waiting (PENDING or PAUSED) trials to end as TERMINATED, by id: HyperBand stops the losers
   * of a bracket this way (Ray's `on_trial_remove` follows; the scheduler is not told again).
   */
  readonly stop?: readonly string[]
}

/**
 * The interface every scheduler implements (Ray's TrialScheduler). Schedulers decide; the runner
 * acts on their decisions. Every method is called in production, so tests that drive a scheduler
 * through it exercise what runs.
 */
export interface Scheduler {
  /** Called once per trial before it first runs, and again when a failed trial is retried; may return a completed config. */
  onTrialAdd(runner: RunnerView, trial: TrialView): Config | undefined
  /** Called for each result that did not stop the trial. */
  onTrialResult(runner: RunnerView, trial: TrialView, result: Result): SchedulerDecision
  /** Called when a trial finishes; may release others (a synchronous barrier). */
  onTrialComplete(runner: RunnerView, trial: TrialView): readonly ExploitAction[]
  /** Called when a trial errors (before a retry re-adds it). */
  onTrialError(runner: RunnerView, trial: TrialView): readonly ExploitAction[]
  /**
   * The PENDING or PAUSED trials to run next, at most `count`, in the order they should start: what
   * `count` successive calls of Ray's `choose_trial_to_run` return when each chosen trial starts
   * running before the next call. Empty to wait.
   */
  chooseTrialsToRun(runner: RunnerView, count: number): readonly TrialView[]
  /** Counters for reports, e.g. `{ checkpoints: 12, perturbations: 5 }`. */
  stats(): Readonly<Record<string, number>>
  /** Internal state as structured-cloneable data, saved with the experiment so a resumed run carries on. */
  snapshot(): unknown
  /** Puts back the state `snapshot()` returned, before the resumed trials are added again. */
  restore(state: unknown): void
  /** Checkpoints the scheduler may still hand out (a donor's), which retention must keep. */
  checkpointsInUse(): readonly CheckpointRef[]
}

/** Shorthand for a decision without exploits. */
export const decide = (decision: TrialDecision, exploits: readonly ExploitAction[] = []): SchedulerDecision => ({ decision, exploits })

/** Ray's `choose_trial_to_run`: the one trial to start next, or undefined to wait. */
export function chooseTrialToRun(scheduler: Scheduler, runner: RunnerView): TrialView | undefined {
  return scheduler.chooseTrialsToRun(runner, 1)[0]
}
