import { noFiniteMetric, type ResultGrid, RunError, type TrialResult, trialLabels, trialMetric } from '@vitune/runtime'
import type { BestSummary, ExperimentSummary, TrialSummary } from '../meta.js'

function summarizeTrial(trial: TrialResult, label: string, metric: string | undefined, mode: 'min' | 'max' | undefined): TrialSummary {
  const { last, best } = trialMetric(trial, metric, mode)
  let nonFinite = 0
  let lastNonFinite = false
  if (metric !== undefined) {
    for (const r of trial.results) {
      const v = (r as Record<string, unknown>)[metric]
      lastNonFinite = typeof v === 'number' && !Number.isFinite(v)
      if (lastNonFinite) nonFinite++
    }
  }
  return {
    trialId: trial.trialId,
    tag: trial.tag,
    label,
    status: trial.status,
    initialConfig: trial.initialConfig,
    finalConfig: trial.config,
    last,
    best,
    nonFinite,
    lastNonFinite,
    iterations: trial.results.length,
    exploits: trial.lineage.length,
    failures: trial.numFailures,
    error: trial.error?.message,
  }
}

function bestUnder(grid: ResultGrid, scope: 'last' | 'all', labels: readonly string[]): BestSummary | undefined {
  if (grid.metric === undefined || grid.mode === undefined) return undefined
  try {
    const b = grid.bestMetric(scope)
    const label = labels[grid.trials.indexOf(b.trial)] ?? b.trial.tag
    return { scope, trialId: b.trial.trialId, tag: b.trial.tag, label, value: b.value, trainingIteration: b.result.trainingIteration, config: b.result.config }
  } catch (error) {
    if (error instanceof RunError && error.code === 'VITUNE_NO_BEST_TRIAL') return undefined
    throw error
  }
}

/** What the run test knows beyond the grid. */
export interface RunFacts {
  readonly file: string
  readonly durationMs: number
  readonly artifactsDir: string | undefined
}

/** Condenses a result grid into what the reporter shows and stores. */
export function summarize(grid: ResultGrid, facts: RunFacts): ExperimentSummary {
  const labels = trialLabels(grid.trials.map((t) => t.initialConfig))
  const best = bestUnder(grid, 'last', labels)
  return {
    experiment: grid.experiment,
    file: facts.file,
    metric: grid.metric,
    mode: grid.mode,
    scheduler: grid.scheduler.kind,
    schedulerLabel: schedulerText(grid.scheduler),
    seed: grid.seed,
    best,
    bestEver: bestUnder(grid, 'all', labels),
    noBest: best === undefined && grid.metric !== undefined ? noFiniteMetric(grid.trials, grid.metric) : undefined,
    stopReason: grid.stopReason,
    trials: grid.trials.map((t, i) => summarizeTrial(t, labels[i] ?? t.tag, grid.metric, grid.mode)),
    exploits: grid.lineage.length,
    durationMs: facts.durationMs,
    artifactsDir: facts.artifactsDir,
  }
}

/** The scheduler's label with its numeric and boolean settings, for the summary: `ASHA (maxT 36, ...)`. */
function schedulerText(scheduler: ResultGrid['scheduler']): string {
  const settings = Object.entries(scheduler.settings)
    .filter(([key, value]) => (typeof value === 'number' || typeof value === 'boolean') && key !== 'synch')
    .map(([key, value]) => `${key} ${String(value)}`)
  return settings.length === 0 ? scheduler.label : `${scheduler.label} (${settings.join(', ')})`
}
