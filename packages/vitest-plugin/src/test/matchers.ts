import type { Config } from '@vitune/dsl'
import { type BestScope, formatNumber, noFiniteMetric, type ResultGrid, scopeLabel, type TrialResult, trialLabels, trialScore } from '@vitune/runtime'

/** Metric names of a result grid's trainable, or any string when the received value is not a typed grid. */
export type MetricName<T> = T extends ResultGrid<unknown, infer M> ? Extract<keyof M, string> : string

/** Options of `toReachMetric`. */
export interface ReachOptions<K extends string = string> {
  /** Metric to read; default: the experiment's metric. */
  readonly metric?: K
  /** Count only results up to this `trainingIteration`: "converges above 1.19 within 100 iterations". */
  readonly within?: number
  /** Every trial must reach the target, not just the best one. */
  readonly everyTrial?: boolean
  /**
   * Which value of a trial counts (Ray's `scope`): `'last'`, its last result (the default, as
   * `result.best` and Ray's `get_best_result`), or `'all'`, its best result ever. With `within`
   * the default is `'all'`: the target was reached by then.
   */
  readonly scope?: 'last' | 'all'
}

/** Options of `toHaveExploits`. */
export interface ExploitCountOptions {
  readonly atLeast?: number
  readonly atMost?: number
}

type AnyGrid = ResultGrid<unknown, unknown>
type AnyTrial = TrialResult<unknown, unknown>

function isGrid(value: unknown): value is AnyGrid {
  return typeof value === 'object' && value !== null && 'trials' in value && 'experiment' in value && 'lineage' in value
}

const notAGrid = (received: unknown) => ({
  pass: false,
  message: () => `expected a vitune ResultGrid (the result passed to tune()'s assertions), got ${received === null ? 'null' : typeof received}`,
})

/** A trial's value under `scope`, counting only results up to `within`. */
function scoreWithin(trial: AnyTrial, metric: string, mode: 'min' | 'max', scope: BestScope, within: number | undefined) {
  const view = within === undefined ? trial : { ...trial, results: trial.results.filter((r) => r.trainingIteration <= within) }
  const score = trialScore(view, metric, mode, scope)
  return score === undefined ? undefined : { value: score.value, iteration: score.result.trainingIteration }
}
/** The best trial by its last result, or undefined when none can be ranked. */
function scoreOrUndefined(grid: AnyGrid) {
  try {
    return grid.bestMetric('last')
  } catch {
    return undefined
  }
}

/** vitune's custom matchers, registered by the setup file. */
export const matchers = {
  /**
   * The best trial's last result reaches `target` (at least for max, at most for min); with
   * `scope: 'all'`, some trial's best result ever did. With `within`, some trial reached it by that
   * iteration; with `everyTrial`, every trial did.
   */
  toReachMetric(received: unknown, target: number, options: ReachOptions = {}) {
    if (!isGrid(received)) return notAGrid(received)
    const metric = options.metric ?? received.metric
    if (metric === undefined) {
      return { pass: false, message: () => `experiment "${received.experiment}" has no metric: pass { metric: "..." } or add .metric() to the experiment` }
    }
    const mode = received.mode ?? 'max'
    const scope = options.scope ?? (options.within === undefined ? 'last' : 'all')
    const reaches = (v: number | undefined) => v !== undefined && (mode === 'min' ? v <= target : v >= target)
    const word = mode === 'min' ? 'at most' : 'at least'
    const limit = options.within === undefined ? '' : ` within ${options.within} iterations`
    const labels = trialLabels(received.trials.map((t) => t.initialConfig as Config))
    const values = received.trials.map((trial, i) => ({
      trial,
      label: labels[i] ?? trial.tag,
      reached: scoreWithin(trial, metric, mode, scope, options.within),
    }))
    let best: (typeof values)[number] | undefined
    for (const v of values) {
      if (v.reached === undefined) continue
      if (best?.reached === undefined || (mode === 'max' ? v.reached.value > best.reached.value : v.reached.value < best.reached.value)) best = v
    }
    const what = scope === 'last' ? 'ended at' : 'reached'
    const describe = (v: (typeof values)[number] | undefined) =>
      v?.reached === undefined
        ? v === undefined
          ? noFiniteMetric(received.trials, metric, scope)
          : `trial ${v.trial.trialId} (${v.label}) has no finite ${metric}${scope === 'last' ? ' in its last result' : ''}`
        : `trial ${v.trial.trialId} (${v.label}) ${what} ${metric}=${formatNumber(v.reached.value)} at iteration ${v.reached.iteration}`
    const failing = values.filter((v) => !reaches(v.reached?.value))
    const pass = options.everyTrial === true ? failing.length === 0 && values.length > 0 : reaches(best?.reached?.value)
    const who = options.everyTrial === true ? 'every trial' : 'the best trial'
    const scoped = `${metric} (${scopeLabel(scope)})`
    const bestText = best === undefined ? `no trial can be ranked: ${describe(undefined)}` : `best is ${describe(best)}`
    return {
      pass,
      message: () =>
        pass
          ? `experiment "${received.experiment}": expected ${who} not to reach ${scoped} ${word} ${target}${limit}, but it did: ${bestText}`
          : options.everyTrial === true
            ? `experiment "${received.experiment}": expected every trial to reach ${scoped} ${word} ${target}${limit}; ${failing.length} did not: ${failing.map(describe).join('; ')}`
            : `experiment "${received.experiment}": expected the best ${scoped} to reach ${word} ${target}${limit}; ${bestText}`,
      actual: best?.reached?.value,
      expected: target,
    }
  },

  /** The number of exploits in the run is within bounds (default: at least one). */
  toHaveExploits(received: unknown, options: ExploitCountOptions = {}) {
    if (!isGrid(received)) return notAGrid(received)
    const atLeast = options.atLeast ?? (options.atMost === undefined ? 1 : 0)
    const atMost = options.atMost ?? Number.POSITIVE_INFINITY
    const count = received.lineage.length
    const pass = count >= atLeast && count <= atMost
    const bounds = atMost === Number.POSITIVE_INFINITY ? `at least ${atLeast}` : `between ${atLeast} and ${atMost}`
    const perTrial = received.trials.map((t) => `${t.trialId}: ${t.lineage.length}`).join(', ')
    let bestText = ''
    if (received.metric !== undefined && received.mode !== undefined) {
      const best = scoreOrUndefined(received)
      if (best !== undefined) {
        const label = trialLabels(received.trials.map((t) => t.initialConfig as Config))[received.trials.indexOf(best.trial)]
        bestText = `; best trial ${best.trial.trialId} (${label}) ended at ${received.metric}=${formatNumber(best.value)} (last result)`
      }
    }
    return {
      pass,
      message: () =>
        `experiment "${received.experiment}": expected ${pass ? 'not ' : ''}${bounds} exploits, got ${count} (as target per trial: ${perTrial})${bestText}`,
      actual: count,
      expected: bounds,
    }
  },
}

declare module 'vitest' {
  interface Matchers<T> {
    /**
     * The best trial's last result reaches `target` (at least for max, at most for min); with
     * `scope: 'all'` its best result ever; with `within`, some trial reached it by that iteration;
     * with `everyTrial`, every trial did.
     */
    toReachMetric: (target: number, options?: ReachOptions<MetricName<T>>) => void
    /** The run had a number of exploits within bounds; default at least one. */
    toHaveExploits: (options?: ExploitCountOptions) => void
  }
}
