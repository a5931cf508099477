import type { Config, Metrics, Mode } from '@vitune/dsl'
import { RunError } from './errors.js'
import type { SchedulerInfo } from './scheduler-registry.js'
import type { ExperimentStopReason } from './snapshot.js'
import type { ExploitEvent, PolicyRecord, Result, TrialStatus } from './types.js'

/** A config change in a trial's life: its initial config, then one per exploit. */
export interface ConfigChange<C> {
  /** Results after this iteration use the config. 0 for the initial config. */
  readonly trainingIteration: number
  readonly config: C
  readonly cause: 'initial' | 'exploit'
}

/** An error a trial hit, kept with its stack. */
export interface TrialFailure {
  readonly message: string
  readonly stack: string | undefined
  readonly trainingIteration: number
  readonly error: unknown
}

/** Everything one trial did. */
export interface TrialResult<C = Config, M = Metrics> {
  readonly trialId: string
  readonly index: number
  /** Current tag: `<orig>@perturbed[...]` after an exploit. */
  readonly tag: string
  readonly initialTag: string
  readonly status: TrialStatus
  readonly initialConfig: C
  /** The config it ended with. */
  readonly config: C
  /** Its last result. */
  readonly metrics: (M & Result) | undefined
  /** Every result it reported, in order; with PBT `trainingIteration` may jump at exploits. */
  readonly results: readonly (M & Result)[]
  readonly configHistory: readonly ConfigChange<C>[]
  /** Exploits in which this trial was the target. */
  readonly lineage: readonly ExploitEvent[]
  /** Its policy log: the donor's history, then its own exploits (Ray's `pbt_policy_<id>.txt`). */
  readonly policy: readonly PolicyRecord[]
  readonly numFailures: number
  readonly failures: readonly TrialFailure[]
  /** The last error, when the trial ended as ERROR. */
  readonly error: TrialFailure | undefined
}

/** How `getBestResult` summarises a trial's history. */
export type BestScope = 'last' | 'avg' | 'last-5-avg' | 'last-10-avg' | 'all'

function scopeValue(values: readonly number[], scope: BestScope, mode: Mode): number | undefined {
  if (values.length === 0) return undefined
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  switch (scope) {
    case 'last':
      return values[values.length - 1]
    case 'avg':
      return mean(values)
    case 'last-5-avg':
      return mean(values.slice(-5))
    case 'last-10-avg':
      return mean(values.slice(-10))
    case 'all':
      return mode === 'max' ? Math.max(...values) : Math.min(...values)
  }
}

/** The outcome of a run: trials in order, the best one, lineage and policy logs. */
export class ResultGrid<C = Config, M = Metrics> {
  readonly experiment: string
  readonly metric: string | undefined
  readonly mode: Mode | undefined
  readonly trials: readonly TrialResult<C, M>[]
  /** Every exploit in the order it happened. */
  readonly lineage: readonly ExploitEvent[]
  /** Every policy record (Ray's `pbt_global.txt`). */
  readonly policyLog: readonly PolicyRecord[]
  /** Scheduler counters, e.g. checkpoints and perturbations. */
  readonly schedulerStats: Readonly<Record<string, number>>
  /** Which scheduler ran, labelled, with its resolved settings. */
  readonly scheduler: SchedulerInfo
  /** The seed every random stream derived from (`.seed()`, 0 by default). */
  readonly seed: number
  /** Why the run ended early (`.stopExperiment()` or the time budget); undefined when every trial ended by itself. */
  readonly stopReason: ExperimentStopReason | undefined

  constructor(
    init: Pick<
      ResultGrid<C, M>,
      'experiment' | 'metric' | 'mode' | 'trials' | 'lineage' | 'policyLog' | 'schedulerStats' | 'scheduler' | 'seed' | 'stopReason'
    >,
  ) {
    this.experiment = init.experiment
    this.metric = init.metric
    this.mode = init.mode
    this.trials = init.trials
    this.lineage = init.lineage
    this.policyLog = init.policyLog
    this.schedulerStats = init.schedulerStats
    this.scheduler = init.scheduler
    this.seed = init.seed
    this.stopReason = init.stopReason
  }

  /** The best trial by the experiment's metric and mode, judged on its last result. */
  get best(): TrialResult<C, M> {
    return this.getBestResult()
  }

  /** Trials that ended as errored. */
  get errors(): readonly TrialResult<C, M>[] {
    return this.trials.filter((t) => t.status === 'ERROR')
  }

  /**
   * Ray's `get_best_result`: NaN and infinite values are skipped, the first trial wins ties, and a
   * single trial is returned as is.
   */
  getBestResult(metric = this.metric, mode = this.mode, scope: BestScope = 'last'): TrialResult<C, M> {
    if (this.trials.length === 1 && metric === undefined) return this.trials[0] as TrialResult<C, M>
    if (metric === undefined || mode === undefined) {
      throw new RunError(
        'VITUNE_NO_BEST_TRIAL',
        `experiment "${this.experiment}": no metric to rank trials by. Add .metric("Q", "max") to the experiment, or call getBestResult("Q", "max").`,
      )
    }
    let best: TrialResult<C, M> | undefined
    let bestValue = 0
    for (const trial of this.trials) {
      const value = scope === 'last' ? lastFinite(trial, metric) : scopeValue(finiteValues(trial, metric), scope, mode)
      if (value === undefined) continue
      if (best === undefined || (mode === 'max' ? value > bestValue : value < bestValue)) {
        best = trial
        bestValue = value
      }
    }
    if (best === undefined) {
      throw new RunError(
        'VITUNE_NO_BEST_TRIAL',
        `experiment "${this.experiment}": no trial reported a finite \`${metric}\`. Check that the trainable reports it under that name.`,
      )
    }
    return best
  }
}

function finiteValues(trial: TrialResult<unknown, unknown>, metric: string): number[] {
  return trial.results.map((r) => (r as Record<string, unknown>)[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
}

/** A trial's last finite value of `metric` and its best over the whole history (by `mode`; max when unset). */
export function trialMetric(
  trial: TrialResult<unknown, unknown>,
  metric: string | undefined,
  mode: Mode | undefined,
): { readonly last: number | undefined; readonly best: number | undefined } {
  if (metric === undefined) return { last: undefined, best: undefined }
  const values = finiteValues(trial, metric)
  return { last: lastFinite(trial, metric), best: values.length === 0 ? undefined : mode === 'min' ? Math.min(...values) : Math.max(...values) }
}

function lastFinite(trial: TrialResult<unknown, unknown>, metric: string): number | undefined {
  const last = trial.results[trial.results.length - 1] as Record<string, unknown> | undefined
  const value = last?.[metric]
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}
