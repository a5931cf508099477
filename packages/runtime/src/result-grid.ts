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

/**
 * How a trial's history is summarised when trials are compared (Ray's `scope`): its last result
 * (`'last'`, the default everywhere, as in Ray), its best result ever (`'all'`), or a mean.
 */
export type BestScope = 'last' | 'avg' | 'last-5-avg' | 'last-10-avg' | 'all'

const SCOPE_LABELS: Readonly<Record<BestScope, string>> = {
  last: 'last result',
  all: 'best ever',
  avg: 'mean of all results',
  'last-5-avg': 'mean of the last 5 results',
  'last-10-avg': 'mean of the last 10 results',
}

/** How reports and figures name a scope: `last result`, `best ever`, ... */
export function scopeLabel(scope: BestScope): string {
  return SCOPE_LABELS[scope]
}

/** The best trial under a scope, the value that ranks it and the result the value comes from. */
export interface BestMetric<C = Config, M = Metrics> {
  readonly trial: TrialResult<C, M>
  readonly metric: string
  readonly mode: Mode
  readonly scope: BestScope
  /** The trial's value under the scope: its last value, its best ever, or a mean. */
  readonly value: number
  /** The result the value is from: the best one for `'all'`, the trial's last result otherwise. */
  readonly result: M & Result
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

/** One trial's value of `metric` under a scope, and the result it is from; undefined when it has none (Ray skips NaN and infinite values). */
export function trialScore<C, M>(trial: TrialResult<C, M>, metric: string, mode: Mode, scope: BestScope): { value: number; result: M & Result } | undefined {
  const results = trial.results
  const last = results[results.length - 1]
  if (last === undefined) return undefined
  if (scope === 'last') {
    // Ray's scope="last" reads the last result as it is, and skips the trial when it is not finite.
    const value = numberIn(last, metric)
    return value === undefined ? undefined : { value, result: last }
  }
  if (scope === 'all') {
    let best: { value: number; result: M & Result } | undefined
    for (const result of results) {
      const value = numberIn(result, metric)
      if (value !== undefined && (best === undefined || (mode === 'max' ? value > best.value : value < best.value))) best = { value, result }
    }
    return best
  }
  const values = finiteValues(trial, metric)
  const window = scope === 'avg' ? values : values.slice(scope === 'last-5-avg' ? -5 : -10)
  return window.length === 0 ? undefined : { value: mean(window), result: last }
}

function numberIn(result: unknown, metric: string): number | undefined {
  const value = (result as Record<string, unknown>)[metric]
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
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

  /** The best trial by the experiment's metric and mode, judged on its last result (Ray's default scope). */
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
    return this.bestMetric(scope, metric, mode).trial
  }

  /**
   * The best value of the metric and where it comes from. `'last'` (the default, as Ray's) ranks
   * trials by their last result, so `bestMetric().trial` is `best`; `'all'` by the best result each
   * trial ever reported: `bestMetric('all').value` is the best value seen in the whole run.
   */
  bestMetric(scope: BestScope = 'last', metric = this.metric, mode = this.mode): BestMetric<C, M> {
    if (metric === undefined || mode === undefined) {
      throw new RunError(
        'VITUNE_NO_BEST_TRIAL',
        `experiment "${this.experiment}": no metric to rank trials by. Add .metric("Q", "max") to the experiment, or pass one: getBestResult("Q", "max"), bestMetric("all", "Q", "max").`,
      )
    }
    let best: BestMetric<C, M> | undefined
    for (const trial of this.trials) {
      const score = trialScore(trial, metric, mode, scope)
      if (score === undefined) continue
      if (best === undefined || (mode === 'max' ? score.value > best.value : score.value < best.value)) {
        best = { trial, metric, mode, scope, value: score.value, result: score.result }
      }
    }
    if (best === undefined) {
      throw new RunError('VITUNE_NO_BEST_TRIAL', `experiment "${this.experiment}": ${noFiniteMetric(this.trials, metric, scope)}`)
    }
    return best
  }
}

/**
 * Why no trial has a value to rank: which keys the trainable did report (a misspelt or missing
 * metric), or that every value was NaN or infinite, or that no last result had a finite value.
 */
export function noFiniteMetric(trials: readonly TrialResult<unknown, unknown>[], metric: string, scope: BestScope = 'last'): string {
  const reported = new Set<string>()
  let seen = 0
  let finite = 0
  for (const trial of trials) {
    for (const result of trial.results) {
      for (const key of Object.keys(result as object)) if (!RUNTIME_FIELDS.has(key)) reported.add(key)
      const value = (result as Record<string, unknown>)[metric]
      if (value === undefined) continue
      seen++
      if (typeof value === 'number' && Number.isFinite(value)) finite++
    }
  }
  if (trials.every((t) => t.results.length === 0)) return `no trial reported any result, so none has a \`${metric}\`. See the trials' errors.`
  if (seen === 0) {
    const keys = [...reported]
    return `no result has the metric \`${metric}\`; the trainable reported ${keys.length === 0 ? 'no keys of its own' : `only ${keys.map((k) => `\`${k}\``).join(', ')}`}. Report \`${metric}\` from the trainable, or name one of those in .metric().`
  }
  if (finite === 0) return `every reported \`${metric}\` is NaN or infinite (${seen} results), so no trial can be ranked. Check the trainable for divergence.`
  return `no trial's ${scopeLabel(scope)} has a finite \`${metric}\` (each ended with NaN or an infinite value). Rank on the best results ever with bestMetric("all"), or check the trainable for divergence.`
}

/** Result fields the runtime adds; not what the trainable reported. */
const RUNTIME_FIELDS = new Set(['trainingIteration', 'iterationsSinceRestore', 'timeThisIterS', 'timeTotalS', 'trialId', 'config', 'checkpointed'])

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
