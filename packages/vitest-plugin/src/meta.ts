import type { Config } from '@vitune/dsl'
import type { TestArtifactBase } from 'vitest'

/** What the reporter learns about one trial. */
export interface TrialSummary {
  readonly trialId: string
  readonly tag: string
  readonly status: string
  readonly initialConfig: Config
  readonly finalConfig: Config
  /** The trial's last value of the metric. */
  readonly last: number | undefined
  /** Its best value over the whole run. */
  readonly best: number | undefined
  readonly iterations: number
  readonly exploits: number
  readonly failures: number
  readonly error: string | undefined
}

/** Final data of one experiment, stored on the `run` test's `task.meta.vitune`. */
export interface ExperimentSummary {
  readonly experiment: string
  readonly file: string
  readonly metric: string | undefined
  readonly mode: 'min' | 'max' | undefined
  readonly scheduler: string
  /** The experiment's seed (`.seed()`, 0 by default): the same seed gives the same results. */
  readonly seed: number
  readonly best: { readonly trialId: string; readonly tag: string; readonly value: number | undefined; readonly config: Config } | undefined
  readonly trials: readonly TrialSummary[]
  readonly exploits: number
  readonly durationMs: number
  /** Directory with this experiment's artifacts, when they were written. */
  readonly artifactsDir: string | undefined
}

/** Live progress, sent from the worker as a test artifact. */
export interface ProgressArtifact extends TestArtifactBase {
  readonly type: 'vitune:progress'
  readonly experiment: string
  readonly iteration: number
  readonly population: number
  readonly running: number
  readonly finished: number
  readonly best: number | undefined
  readonly metric: string | undefined
  readonly exploits: number
  readonly done: boolean
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
}

declare module 'vitest' {
  interface TaskMeta {
    vitune?: ExperimentSummary
  }
  interface ProvidedContext {
    vitune: ProvidedOptions
  }
  interface TestArtifactRegistry {
    'vitune:progress': ProgressArtifact
  }
}
