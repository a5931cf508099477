import type { ResultGrid, TrialResult } from '@vitune/runtime'
import type { ExperimentSummary, TrialSummary } from '../meta.js'

function metricValues(trial: TrialResult, metric: string | undefined): number[] {
  if (metric === undefined) return []
  return trial.results.map((r) => (r as Record<string, unknown>)[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
}

function summarizeTrial(trial: TrialResult, metric: string | undefined, mode: 'min' | 'max' | undefined): TrialSummary {
  const values = metricValues(trial, metric)
  const last = metric === undefined ? undefined : (trial.metrics as Record<string, unknown> | undefined)?.[metric]
  return {
    trialId: trial.trialId,
    tag: trial.tag,
    status: trial.status,
    initialConfig: trial.initialConfig,
    finalConfig: trial.config,
    last: typeof last === 'number' ? last : undefined,
    best: values.length === 0 ? undefined : mode === 'min' ? Math.min(...values) : Math.max(...values),
    iterations: trial.results.length,
    exploits: trial.lineage.length,
    failures: trial.numFailures,
    error: trial.error?.message,
  }
}

/** Condenses a result grid into what the reporter shows and stores. */
export function summarize(grid: ResultGrid, file: string, scheduler: string, durationMs: number, artifactsDir: string | undefined): ExperimentSummary {
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
    scheduler,
    best,
    trials: grid.trials.map((t) => summarizeTrial(t, grid.metric, grid.mode)),
    exploits: grid.lineage.length,
    durationMs,
    artifactsDir,
  }
}
