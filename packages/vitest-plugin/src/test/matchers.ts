import type { ResultGrid, TrialResult } from '@vitune/runtime'

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

/** A trial's best value of `metric` among results up to `within`, and where it was reached. */
function bestOf(trial: AnyTrial, metric: string, mode: 'min' | 'max', within: number | undefined) {
  let best: { value: number; iteration: number } | undefined
  for (const r of trial.results) {
    if (within !== undefined && r.trainingIteration > within) continue
    const v = (r as Record<string, unknown>)[metric]
    if (typeof v !== 'number' || !Number.isFinite(v)) continue
    if (best === undefined || (mode === 'max' ? v > best.value : v < best.value)) best = { value: v, iteration: r.trainingIteration }
  }
  return best
}

/** A trial's last finite value of `metric`. */
function lastOf(trial: AnyTrial, metric: string) {
  for (let i = trial.results.length - 1; i >= 0; i--) {
    const r = trial.results[i]
    const v = (r as Record<string, unknown> | undefined)?.[metric]
    if (typeof v === 'number' && Number.isFinite(v)) return { value: v, iteration: r?.trainingIteration ?? 0 }
  }
  return undefined
}

/** vitune's custom matchers, registered by the setup file. */
export const matchers = {
  /**
   * The best trial's final metric reaches `target` (at least for max, at most for min). With
   * `within`, some trial reached it by that iteration; with `everyTrial`, every trial did.
   */
  toReachMetric(received: unknown, target: number, options: ReachOptions = {}) {
    if (!isGrid(received)) return notAGrid(received)
    const metric = options.metric ?? received.metric
    if (metric === undefined) {
      return { pass: false, message: () => `experiment "${received.experiment}" has no metric: pass { metric: "..." } or add .metric() to the experiment` }
    }
    const mode = received.mode ?? 'max'
    const reaches = (v: number | undefined) => v !== undefined && (mode === 'min' ? v <= target : v >= target)
    const word = mode === 'min' ? 'at most' : 'at least'
    const limit = options.within === undefined ? '' : ` within ${options.within} iterations`
    // Per trial: its final value, or its best value up to `within`.
    const values = received.trials.map((trial) => ({
      trial,
      reached: options.within === undefined ? lastOf(trial, metric) : bestOf(trial, metric, mode, options.within),
    }))
    let best: (typeof values)[number] | undefined
    for (const v of values) {
      if (v.reached === undefined) continue
      if (best?.reached === undefined || (mode === 'max' ? v.reached.value > best.reached.value : v.reached.value < best.reached.value)) best = v
    }
    const describe = (v: (typeof values)[number] | undefined) =>
      v?.reached === undefined
        ? `no trial reported a finite ${metric}`
        : `trial ${v.trial.trialId} (${v.trial.tag}) ${options.within === undefined ? 'ended at' : 'reached'} ${metric}=${v.reached.value} at iteration ${v.reached.iteration}`
    const failing = values.filter((v) => !reaches(v.reached?.value))
    const pass = options.everyTrial === true ? failing.length === 0 && values.length > 0 : reaches(best?.reached?.value)
    const who = options.everyTrial === true ? 'every trial' : 'the best trial'
    return {
      pass,
      message: () =>
        pass
          ? `experiment "${received.experiment}": expected ${who} not to reach ${metric} ${word} ${target}${limit}, but it did: best ${describe(best)}`
          : options.everyTrial === true
            ? `experiment "${received.experiment}": expected every trial to reach ${metric} ${word} ${target}${limit}; ${failing.length} did not: ${failing.map(describe).join('; ')} (target ${target})`
            : `experiment "${received.experiment}": expected the best ${metric} to reach ${word} ${target}${limit}; best ${describe(best)}, target ${target}`,
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
    const metric = received.metric
    let bestText = ''
    if (metric !== undefined) {
      const mode = received.mode ?? 'max'
      let best: { trial: AnyTrial; value: number } | undefined
      for (const trial of received.trials) {
        const last = lastOf(trial, metric)
        if (last !== undefined && (best === undefined || (mode === 'max' ? last.value > best.value : last.value < best.value)))
          best = { trial, value: last.value }
      }
      if (best !== undefined) bestText = `; best trial ${best.trial.trialId} (${best.trial.tag}) ended at ${metric}=${best.value}`
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
     * The best trial's final metric reaches `target` (at least for max, at most for min); with
     * `within`, some trial reached it by that iteration; with `everyTrial`, every trial did.
     */
    toReachMetric: (target: number, options?: ReachOptions<MetricName<T>>) => void
    /** The run had a number of exploits within bounds; default at least one. */
    toHaveExploits: (options?: ExploitCountOptions) => void
  }
}
