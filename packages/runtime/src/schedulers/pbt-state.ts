import type { MutationSpecShape, ResolvedPbtOptions } from '@vitune/dsl'
import type { CheckpointRef, Result } from '../types.js'
import type { ExploitAction, RunnerView, TrialDecision, TrialView } from './types.js'

/** PBT's bookkeeping per trial (Ray's `_PBTTrialState`). */
export interface PbtTrialState {
  /** Position in add order; ties in score rank the earlier-added trial lower, as in Ray. */
  order: number
  origTag: string
  lastScore: number | undefined
  lastCheckpoint: CheckpointRef | undefined
  lastPerturbationTime: number
  lastTrainTime: number
  lastResult: Result | undefined
}

/** A read-only view of PBT's bookkeeping for one trial (Ray's `_PBTTrialState`), for reports and tests. */
export interface PbtTrialSnapshot {
  readonly origTag: string
  /** sign x metric at the trial's last perturbation-eligible result; higher is better. */
  readonly lastScore: number | undefined
  /** The checkpoint the trial would donate: set only while it is in the upper quantile. */
  readonly lastCheckpoint: CheckpointRef | undefined
  readonly lastPerturbationTime: number
  readonly lastTrainTime: number
  readonly lastResult: Result | undefined
}

/** Everything the PBT scheduler must save to resume where it stopped (Ray drops it: ray#30838). */
export interface PbtSchedulerState {
  readonly nextPerturbationSync: number
  readonly numCheckpoints: number
  readonly numPerturbations: number
  /** The scheduler's random stream, so donors and explore draws continue the same sequence. */
  readonly random: object
  /** The explore strategy's own state (PB2's data); undefined for PBT's perturbation. */
  readonly explore?: unknown
  /** Per trial id, in add order. */
  readonly trials: readonly (readonly [string, PbtTrialSnapshot])[]
}

/** Settings the PBT scheduler needs beyond the PBT options. */
export interface PbtSchedulerOptions extends ResolvedPbtOptions {
  readonly metric: string
  readonly mode: 'min' | 'max'
  readonly mutations: MutationSpecShape
}

/** The quantiles a trial is checked against: Ray's `_quantiles`, as membership and the upper quantile by position. */
export interface QuantileView {
  readonly inUpper: boolean
  readonly inLower: boolean
  readonly upperSize: number
  upperAt(index: number): TrialView
}

/** What PBT's two modes use of the scheduler's core. */
export interface PbtCore {
  readonly options: PbtSchedulerOptions
  /** Every trial's state, in add order. */
  readonly states: ReadonlyMap<string, PbtTrialState>
  stateOf(trial: TrialView): PbtTrialState
  /** How many of `scored` trials each quantile holds (Ray's `_quantiles`). */
  quantileSize(scored: number): number
  /**
   * The upper quantile checkpoints, the lower exploits (Ray's `_checkpoint_or_exploit`); true when
   * `trial` was exploited. `targetIteration` overrides the policy line's target iteration.
   */
  checkpointOrExploit(runner: RunnerView, trial: TrialView, quantiles: QuantileView, exploits: ExploitAction[], targetIteration?: number): boolean
}

/**
 * Synchronous or asynchronous PBT: one strategy each, instead of a flag forking every method. The
 * core records scores and decides eligibility; the mode ranks, perturbs and says who may run.
 */
export interface PbtMode {
  /** A trial's score is about to change, or its state to be replaced. */
  unrank(state: PbtTrialState): void
  /** A trial has a new score. */
  rank(trial: TrialView, state: PbtTrialState): void
  /** A trial reported a result that is due for a perturbation (or, synchronously, reached the barrier). */
  due(runner: RunnerView, trial: TrialView, state: PbtTrialState, time: number, result: Result, exploits: ExploitAction[]): TrialDecision
  /** Whether a perturbation-eligible result at `time` counts now (synchronous: only at or past the barrier). */
  counts(time: number): boolean
  /** A trial finished or errored: the exploits it releases (a synchronous barrier). */
  finished(runner: RunnerView, trial: TrialView): readonly ExploitAction[]
  /** Whether a waiting trial whose last train time is `time` may be chosen to run. */
  mayRun(time: number): boolean
  /** The next synchronous barrier (asynchronous mode has none: its initial value, unused). */
  readonly nextPerturbationSync: number
  /** Puts back a saved barrier and forgets derived state (rankings are rebuilt from a scan). */
  load(nextPerturbationSync: number): void
}

export const isFinished = (t: TrialView): boolean => t.status === 'TERMINATED' || t.status === 'ERROR'
