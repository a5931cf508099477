import type { ResultGrid } from '@vitune/runtime'

/** Options of `toReachMetric`. */
export interface ReachOptions {
  /** Metric to read; default: the experiment's metric. */
  readonly metric?: string
  /** Only count results up to this `trainingIteration`. */
  readonly within?: number
}

function isGrid(value: unknown): value is ResultGrid {
  return typeof value === 'object' && value !== null && 'trials' in value && 'experiment' in value
}

/** When a trial first reached `target` (by mode), within the iteration limit. */
function firstReach(grid: ResultGrid, metric: string, target: number, within: number | undefined) {
  const better = (v: number) => (grid.mode === 'min' ? v <= target : v >= target)
  let first: { trialId: string; tag: string; iteration: number; value: number } | undefined
  for (const trial of grid.trials) {
    for (const r of trial.results) {
      if (within !== undefined && r.trainingIteration > within) continue
      const v = (r as Record<string, unknown>)[metric]
      if (typeof v === 'number' && better(v) && (first === undefined || r.trainingIteration < first.iteration)) {
        first = { trialId: trial.trialId, tag: trial.tag, iteration: r.trainingIteration, value: v }
        break
      }
    }
  }
  return first
}

/** vitune's custom matchers, registered by the setup file. */
export const matchers = {
  /** The best trial's final metric reaches `target` (at least for max, at most for min); with `within`, by that iteration. */
  toReachMetric(received: unknown, target: number, options: ReachOptions = {}) {
    if (!isGrid(received)) return { pass: false, message: () => `expected a vitune ResultGrid, got ${typeof received}` }
    const metric = options.metric ?? received.metric
    if (metric === undefined) return { pass: false, message: () => `experiment "${received.experiment}" has no metric; pass { metric: "Q" }` }
    const best = received.getBestResult(metric, received.mode ?? 'max')
    const value = (best.metrics as Record<string, unknown> | undefined)?.[metric] as number | undefined
    const word = received.mode === 'min' ? 'at most' : 'at least'
    if (options.within === undefined) {
      const pass = value !== undefined && (received.mode === 'min' ? value <= target : value >= target)
      return {
        pass,
        message: () =>
          `experiment "${received.experiment}": expected the best ${metric} ${pass ? 'not ' : ''}to reach ${word} ${target}; best trial ${best.trialId} (${best.tag}) ended at ${metric}=${value}`,
        actual: value,
        expected: target,
      }
    }
    const reached = firstReach(received, metric, target, options.within)
    return {
      pass: reached !== undefined,
      message: () =>
        reached === undefined
          ? `experiment "${received.experiment}": expected ${metric} to reach ${word} ${target} within ${options.within} iterations; no trial did (best trial ${best.trialId} (${best.tag}) ended at ${metric}=${value})`
          : `experiment "${received.experiment}": expected ${metric} not to reach ${target} within ${options.within} iterations, but trial ${reached.trialId} reached ${reached.value} at iteration ${reached.iteration}`,
    }
  },
}

declare module 'vitest' {
  interface Matchers<T> {
    /** The best trial's final metric reaches `target`; with `within`, some trial reached it by that iteration. */
    toReachMetric: (target: number, options?: ReachOptions) => T
  }
}
