import type { Config } from '@vitune/dsl'
import { RunError } from '../../errors.js'
import { type BestScope, trialMetric } from '../../result-grid.js'
import type { ExploitEvent } from '../../types.js'
import type { AnyResultGrid, AnyTrial } from '../plots/series.js'

/** What one trial did, as `summary.json` records it. */
export interface TrialArtifactSummary {
  readonly trialId: string
  readonly index: number
  readonly initialTag: string
  readonly tag: string
  readonly status: string
  readonly initialConfig: unknown
  readonly finalConfig: unknown
  /** Number of results it reported. */
  readonly results: number
  readonly lastTrainingIteration: number | undefined
  /** Its last value of the experiment's metric. */
  readonly lastMetric: number | undefined
  /** Its best value of the metric over its whole history, by the experiment's mode. */
  readonly bestMetric: number | undefined
  /** Exploits in which it was the target. */
  readonly exploits: number
  /** Exploits in which it was the donor. */
  readonly donated: number
  readonly failures: number
  readonly error: string | undefined
}

/** A best trial in `summary.json`: the value that ranks it under `scope`, and the result it comes from. */
export interface ArtifactBest {
  readonly scope: BestScope
  readonly trialId: string
  readonly tag: string
  readonly value: number
  /** The trial's config when it reported that result. */
  readonly config: unknown
  readonly trainingIteration: number
}

/** The contents of an experiment's `summary.json`. */
export interface ArtifactSummary {
  readonly generator: 'vitune'
  /** 2 since vitune records what it wrote (`written`, `otherFiles`); 1 listed every file it found. */
  readonly schemaVersion: 2
  readonly experiment: string
  readonly metric: string | undefined
  readonly mode: 'min' | 'max' | undefined
  /** The best trial by its last result (Ray's default scope); `scope` says so. */
  readonly best: ArtifactBest | undefined
  /** The best value any trial ever reported (scope `all`), and where. */
  readonly bestEver: ArtifactBest | undefined
  readonly trials: readonly TrialArtifactSummary[]
  readonly lineage: readonly ExploitEvent[]
  readonly schedulerStats: Readonly<Record<string, number>>
  /** Which scheduler ran, with its resolved settings. */
  readonly scheduler: AnyResultGrid['scheduler']
  /** Every file of the experiment's artifacts, relative to its directory: what vitune wrote and what a tune file added. */
  readonly files: readonly string[]
  /**
   * The files vitune wrote, with the SHA-256 of their content: the next run deletes exactly these,
   * and only while unchanged. A file someone changed is no longer vitune's.
   */
  readonly written: Readonly<Record<string, string>>
  /** Files in the directory that vitune did not write (kept with `allowOtherFiles`): never listed, linked or touched. */
  readonly otherFiles: readonly string[]
}

/** Which files an experiment's artifacts are, for `summary.json`. */
export interface ArtifactFiles {
  readonly files: readonly string[]
  readonly written: Readonly<Record<string, string>>
  readonly otherFiles: readonly string[]
}

function trialSummary(grid: AnyResultGrid, trial: AnyTrial): TrialArtifactSummary {
  const last = trial.results[trial.results.length - 1]
  const { last: lastMetric, best: bestMetric } = trialMetric(trial, grid.metric, grid.mode)
  return {
    trialId: trial.trialId,
    index: trial.index,
    initialTag: trial.initialTag,
    tag: trial.tag,
    status: trial.status,
    initialConfig: trial.initialConfig,
    finalConfig: trial.config,
    results: trial.results.length,
    lastTrainingIteration: last?.trainingIteration,
    lastMetric,
    bestMetric,
    exploits: trial.lineage.length,
    donated: grid.lineage.filter((e) => e.donorId === trial.trialId).length,
    failures: trial.numFailures,
    error: trial.error?.message,
  }
}

function bestUnder(grid: AnyResultGrid, scope: BestScope): ArtifactBest | undefined {
  if (grid.metric === undefined || grid.mode === undefined) return undefined
  try {
    const b = grid.bestMetric(scope)
    return {
      scope,
      trialId: b.trial.trialId,
      tag: b.trial.tag,
      value: b.value,
      config: b.result.config as Config,
      trainingIteration: b.result.trainingIteration,
    }
  } catch (error) {
    // No trial has a finite value of the metric under this scope: there is no best trial to record.
    if (!(error instanceof RunError && error.code === 'VITUNE_NO_BEST_TRIAL')) throw error
    return undefined
  }
}

/** Condenses a result grid into the `summary.json` of its artifacts. */
export function summarizeGrid(grid: AnyResultGrid, files: ArtifactFiles): ArtifactSummary {
  const best = bestUnder(grid, 'last')
  const bestEver = bestUnder(grid, 'all')
  return {
    generator: 'vitune',
    schemaVersion: 2,
    experiment: grid.experiment,
    metric: grid.metric,
    mode: grid.mode,
    best,
    bestEver,
    trials: grid.trials.map((t) => trialSummary(grid, t)),
    lineage: grid.lineage,
    schedulerStats: grid.schedulerStats,
    scheduler: grid.scheduler,
    files: files.files,
    written: files.written,
    otherFiles: files.otherFiles,
  }
}
