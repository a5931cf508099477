import type { Config } from '@vitune/dsl'
import type { TestArtifactBase } from 'vitest'
import type { ExecutorSetting } from './executor-setting.js'

/** What the reporter learns about one trial. */
export interface TrialSummary {
  readonly trialId: string
  readonly tag: string
  /** The label tests, tables and legends show: its index and varying config, numbers to significant digits. */
  readonly label: string
  readonly status: string
  readonly initialConfig: Config
  readonly finalConfig: Config
  /** The metric in its last result (scope `last`); undefined when that is missing, NaN or infinite. */
  readonly last: number | undefined
  /** Its best finite value over the whole run (scope `all`). */
  readonly best: number | undefined
  /** Results whose metric was NaN or infinite. */
  readonly nonFinite: number
  /** Whether its last result had the metric as NaN or an infinite value (so `last` is undefined). */
  readonly lastNonFinite: boolean
  readonly iterations: number
  readonly exploits: number
  readonly failures: number
  readonly error: string | undefined
}

/** A best trial under a scope: the value that ranks it and the result it comes from. */
export interface BestSummary {
  readonly scope: 'last' | 'all'
  readonly trialId: string
  readonly tag: string
  readonly label: string
  readonly value: number
  readonly trainingIteration: number
  /** The trial's config at that result. */
  readonly config: Config
}

/** Final data of one experiment, stored on the `run` test's `task.meta.vitune`. */
export interface ExperimentSummary {
  readonly experiment: string
  readonly file: string
  readonly metric: string | undefined
  readonly mode: 'min' | 'max' | undefined
  readonly scheduler: string
  /** How reports name the scheduler, with its main settings: `ASHA (maxT 36, gracePeriod 4, reductionFactor 3)`. */
  readonly schedulerLabel: string
  /** The experiment's seed (`.seed()`, 0 by default): the same seed gives the same results. */
  readonly seed: number
  /** The best trial by its last result: Ray's default scope, and ours everywhere. */
  readonly best: BestSummary | undefined
  /** The best value any trial ever reported (scope `all`), and where. */
  readonly bestEver: BestSummary | undefined
  /** Why no trial can be ranked, when `best` is undefined and there is a metric. */
  readonly noBest: string | undefined
  /** What ended the run early for every trial: `.stopExperiment()` or `.timeBudget()`; undefined when each trial ended by its own stop rule. */
  readonly stopReason: 'stopExperiment' | 'timeBudget' | undefined
  readonly trials: readonly TrialSummary[]
  readonly exploits: number
  readonly durationMs: number
  /** Directory with this experiment's artifacts, when they were written. */
  readonly artifactsDir: string | undefined
}

/** Where a run is: still going, finished by each trial's own stop rule, stopped all at once, failed, or interrupted. */
export type ProgressState = 'running' | 'finished' | 'stopped' | 'failed' | 'interrupted'

/** Live progress, sent from the worker as a test artifact. */
export interface ProgressArtifact extends TestArtifactBase {
  readonly type: 'vitune:progress'
  readonly experiment: string
  readonly iteration: number
  readonly population: number
  readonly running: number
  readonly finished: number
  readonly errored: number
  /** The best of the trials' last results (the scope `result.best` uses). */
  readonly best: number | undefined
  readonly metric: string | undefined
  readonly mode: 'min' | 'max' | undefined
  readonly exploits: number
  readonly state: ProgressState
  /** What stopped every trial at once, when something did. */
  readonly stopReason: 'stopExperiment' | 'timeBudget' | undefined
  /** The run's error, first line, when it failed. */
  readonly error: string | undefined
  /** Where its artifacts go (written for what ran, even after Ctrl-C); undefined when artifacts are off. */
  readonly artifactsDir: string | undefined
  /** It keeps its state (`.storage()`), so an interrupted run resumes where it stopped. */
  readonly resumable: boolean
}

/** A line the reporter prints as soon as it arrives: a warning about the run in progress. */
export interface NoticeArtifact extends TestArtifactBase {
  readonly type: 'vitune:notice'
  readonly experiment: string
  readonly message: string
}

/** Options the plugin hands to test files through `provide`. */
export interface ProvidedOptions {
  /** Absolute root directory for artifacts; one folder per experiment below it. */
  readonly outDir: string
  /** Write artifacts (result files, policy logs, plots). */
  readonly artifacts: boolean
  /** Write artifacts into directories that hold files vitune did not write (never touching those). */
  readonly allowOtherFiles: boolean
  /** Milliseconds between progress updates. */
  readonly progressIntervalMs: number
  /** Where trials run (the plugin's `executor` option, or `VITUNE_REDIS_URL`). */
  readonly executor: ExecutorSetting
}

declare module 'vitest' {
  interface TaskMeta {
    vitune?: ExperimentSummary
    /** On each trial's test: the trial's id, label, status and final config. */
    vituneTrial?: { readonly trialId: string; readonly label: string; readonly status: string; readonly config: unknown }
  }
  interface ProvidedContext {
    vitune: ProvidedOptions
  }
  interface TestArtifactRegistry {
    'vitune:progress': ProgressArtifact
    'vitune:notice': NoticeArtifact
  }
}
