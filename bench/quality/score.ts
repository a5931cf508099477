/** Runs an experiment over many seeds and summarises how often, and how fast, it reaches a target. */
import { type Experiment, run } from '../lib/vitune.js'

/** One seed's outcome: the first iteration at which any trial reached the target, and the best value. */
export interface SeedOutcome {
  readonly seed: number
  readonly hitIteration: number | undefined
  readonly best: number
}

/** Outcomes over seeds and their summary. */
export interface QualitySummary {
  readonly outcomes: readonly SeedOutcome[]
  readonly hits: number
  readonly runs: number
  /** Median of `hitIteration` over the seeds that reached the target. */
  readonly medianHitIteration: number | undefined
  /** Median over seeds of the best value any trial reached. */
  readonly medianBest: number
}

/** The median of a list (mean of the middle two for an even count); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * Runs `make(seed)` for each seed and records, per run, the first `trainingIteration` at which any
 * trial's `metric` met `reached`, and the best value of `metric`.
 */
export async function scoreOverSeeds(
  // biome-ignore lint/suspicious/noExplicitAny: any experiment shape; only the metric is read.
  make: (seed: number) => Experiment<any, any, any>,
  seeds: readonly number[],
  metric: string,
  reached: (value: number) => boolean,
): Promise<QualitySummary> {
  const outcomes: SeedOutcome[] = []
  for (const seed of seeds) {
    const grid = await run(make(seed))
    let hitIteration: number | undefined
    let best = Number.NEGATIVE_INFINITY
    for (const trial of grid.trials) {
      for (const result of trial.results) {
        const value = result[metric]
        if (typeof value !== 'number') continue
        best = Math.max(best, value)
        if (reached(value) && (hitIteration === undefined || result.trainingIteration < hitIteration)) hitIteration = result.trainingIteration
      }
    }
    outcomes.push({ seed, hitIteration, best })
  }
  const hitIterations = outcomes.flatMap((o) => (o.hitIteration === undefined ? [] : [o.hitIteration]))
  return {
    outcomes,
    hits: hitIterations.length,
    runs: outcomes.length,
    medianHitIteration: median(hitIterations),
    medianBest: median(outcomes.map((o) => o.best)) as number,
  }
}

/** Seeds 1..n. */
export const seedsUpTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)
