import type { Config } from '@vitune/dsl'
import { RunError } from '../../errors.js'
import { trialMetric } from '../../result-grid.js'
import type { ExploitEvent } from '../../types.js'
import { type AnyResultGrid, type AnyTrial, numberAt } from '../plots/series.js'

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

/** The contents of an experiment's `summary.json`. */
export interface ArtifactSummary {
  readonly generator: 'vitune'
  /** 2 since vitune records what it wrote (`written`, `otherFiles`); 1 listed every file it found. */
  readonly schemaVersion: 2
  readonly experiment: string
  readonly metric: string | undefined
  readonly mode: 'min' | 'max' | undefined
  readonly best:
    | {
        readonly trialId: string
        readonly tag: string
        readonly value: number | undefined
        readonly config: unknown
        readonly trainingIteration: number | undefined
      }
    | undefined
  readonly trials: readonly TrialArtifactSummary[]
  readonly lineage: readonly ExploitEvent[]
  readonly schedulerStats: Readonly<Record<string, number>>
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

/** Condenses a result grid into the `summary.json` of its artifacts. */
export function summarizeGrid(grid: AnyResultGrid, files: ArtifactFiles): ArtifactSummary {
  let best: ArtifactSummary['best']
  if (grid.metric !== undefined && grid.mode !== undefined) {
    try {
      const b = grid.getBestResult()
      const last = b.results[b.results.length - 1]
      best = { trialId: b.trialId, tag: b.tag, value: numberAt(last, grid.metric), config: b.config as Config, trainingIteration: last?.trainingIteration }
    } catch (error) {
      // No trial reported a finite value of the metric: there is no best trial to record.
      if (!(error instanceof RunError && error.code === 'VITUNE_NO_BEST_TRIAL')) throw error
      best = undefined
    }
  }
  return {
    generator: 'vitune',
    schemaVersion: 2,
    experiment: grid.experiment,
    metric: grid.metric,
    mode: grid.mode,
    best,
    trials: grid.trials.map((t) => trialSummary(grid, t)),
    lineage: grid.lineage,
    schedulerStats: grid.schedulerStats,
    files: files.files,
    written: files.written,
    otherFiles: files.otherFiles,
  }
}
