import { type ResultGrid, type TrialResult, trialMetric } from '@vitune/runtime'
import type { ExperimentSummary, TrialSummary } from '../meta.js'

function summarizeTrial(trial: TrialResult, metric: string | undefined, mode: 'min' | 'max' | undefined): TrialSummary {
  const { last, best } = trialMetric(trial, metric, mode)
  return {
    trialId: trial.trialId,
    tag: trial.tag,
    status: trial.status,
    initialConfig: trial.initialConfig,
    finalConfig: trial.config,
    last,
    best,
    iterations: trial.results.length,
    exploits: trial.lineage.length,
    failures: trial.numFailures,
    error: trial.error?.message,
  }
}

/** Condenses a result grid into what the reporter shows and stores. */
export function summarize(grid: ResultGrid, file: string, durationMs: number, artifactsDir: string | undefined): ExperimentSummary {
  let best: ExperimentSummary['best']
  try {
    const b = grid.best
    const value = grid.metric === undefined ? undefined : (b.metrics as Record<string, unknown> | undefined)?.[grid.metric]
    best = { trialId: b.trialId, tag: b.tag, value: typeof value === 'number' ? value : undefined, config: b.config }
  } catch {
    best = undefined
  }
  return {
    experiment: grid.experiment,
    file,
    metric: grid.metric,
    mode: grid.mode,
    scheduler: grid.scheduler.kind,
    seed: grid.seed,
    best,
    trials: grid.trials.map((t) => summarizeTrial(t, grid.metric, grid.mode)),
    exploits: grid.lineage.length,
    durationMs,
    artifactsDir,
  }
}
