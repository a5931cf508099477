import { type Config, isDomain, isNestedSpec, type Pb2BoundsShape, type SpaceSpec } from '@vitune/dsl'
import type { RandomStream } from '../random.js'
import { getPath, type Pb2Bound, type Pb2Row, pb2Explore, setPath } from './pb2-explore.js'
import type { GpHyperparameters } from './pb2-gp.js'
import { PbtScheduler } from './pbt.js'
import type { Explored } from './pbt-explore.js'
import type { ExploreStrategy } from './pbt-strategy.js'
import type { RunnerView, TrialView } from './types.js'

/** PB2's settings, in Ray's terms: PBT's, with bounds instead of mutations. */
export interface Pb2Settings {
  readonly perturbationInterval: number
  readonly timeAttr: string
  readonly quantileFraction: number
  readonly synch: boolean
  readonly requireAttrs: boolean
  readonly customExplore?: ((config: Config) => Config) | undefined
  readonly metric: string
  readonly mode: 'min' | 'max'
  /** The continuous hyperparameters PB2 explores, in order. */
  readonly bounds: readonly Pb2Bound[]
}

/** What PB2 saves to resume, besides PBT's state: the data table and the round's pending points. */
export interface Pb2State {
  readonly rows: readonly Pb2Row[]
  readonly lastExplorationTime: number
  readonly pending: readonly (readonly number[])[] | undefined
  readonly hyperparameters: GpHyperparameters | undefined
}

const INTEGER_DOMAINS = new Set(['randint', 'qrandint', 'lograndint', 'qlograndint'])

/**
 * PB2's bounds as a list in key order, nested keys as paths. A key the space draws from an integer
 * domain explores whole numbers (Ray casts to the donor's type; JavaScript cannot tell 1.0 from 1).
 */
export function pb2Bounds(bounds: Pb2BoundsShape, space: SpaceSpec | undefined, prefix: readonly string[] = []): Pb2Bound[] {
  const out: Pb2Bound[] = []
  for (const [key, value] of Object.entries(bounds)) {
    const inSpace: unknown = space?.[key]
    if (Array.isArray(value)) {
      const [low, high] = value as [number, number]
      out.push({ path: [...prefix, key], low, high, integer: isDomain(inSpace) && INTEGER_DOMAINS.has(inSpace.$domain) })
    } else {
      out.push(...pb2Bounds(value as Pb2BoundsShape, isNestedSpec(inSpace) ? (inSpace as SpaceSpec) : undefined, [...prefix, key]))
    }
  }
  return out
}

/**
 * PB2's explore strategy (Ray's `pb2.py` over PBT): every perturbation-ready score becomes a row of
 * (trial, time, hyperparameters, score), and an exploit's new config is the GP bandit's choice
 * (pb2-explore.ts) instead of a random perturbation. Missing bounded keys are drawn at trial start.
 */
export class Pb2Explore implements ExploreStrategy {
  readonly #bounds: readonly Pb2Bound[]
  readonly #customExplore: ((config: Config) => Config) | undefined
  #rows: Pb2Row[] = []
  #lastExplorationTime = 0
  #pending: (readonly number[])[] | undefined
  /** The last fit's hyperparameters: the next fit starts there. */
  #hyperparameters: GpHyperparameters | undefined

  constructor(bounds: readonly Pb2Bound[], customExplore?: (config: Config) => Config) {
    this.#bounds = bounds
    this.#customExplore = customExplore
  }

  /** Draws every bounded key the config lacks uniformly within its bounds (Ray's on_trial_add). */
  fill(config: Config, stream: RandomStream): Config | undefined {
    let filled: Config | undefined
    for (const b of this.#bounds) {
      if (getPath(config, b.path) !== undefined) continue
      const u = b.low + stream.next() * (b.high - b.low)
      filled = setPath(filled ?? config, b.path, b.integer ? Math.round(u) : u)
    }
    return filled
  }

  /** Ray's `PB2._save_trial_state`: one row per perturbation-ready result. */
  scored(trial: TrialView, time: number, score: number): void {
    this.#rows.push({ trialId: trial.id, time, values: this.#bounds.map((b) => Number(getPath(trial.config, b.path))), reward: score })
  }

  /** Ray's `PB2._get_new_config`: the GP bandit's choice for the donor's hyperparameters. */
  explore(_runner: RunnerView, target: TrialView, donor: TrialView, stream: RandomStream): Explored {
    // A new round (the data reached a later time) has no pending points yet.
    if (this.#latestTime() > this.#lastExplorationTime) this.#pending = undefined
    const choice = pb2Explore({
      rows: this.#rows,
      bounds: this.#bounds,
      targetId: target.id,
      donorId: donor.id,
      donorConfig: donor.config,
      pending: this.#pending ?? [],
      stream,
      start: this.#hyperparameters,
    })
    if (choice.model !== undefined) this.#hyperparameters = choice.model.hyperparameters
    if (choice.row !== undefined) this.#rows.push(choice.row)
    const time = this.#latestTime()
    if (time > this.#lastExplorationTime) {
      this.#lastExplorationTime = time
      this.#pending = [choice.vector]
    } else {
      this.#pending = [...(this.#pending ?? []), choice.vector]
    }
    const config = this.#customExplore === undefined ? choice.config : this.#customExplore(choice.config)
    if (config === undefined || config === null || typeof config !== 'object') throw new TypeError('customExplore must return the new config object')
    const how = choice.model === undefined ? 'clone' : 'gp-ucb'
    const operations: Record<string, unknown> = {}
    for (const b of this.#bounds) {
      let level = operations
      for (const key of b.path.slice(0, -1)) level = (level[key] ??= {}) as Record<string, unknown>
      level[b.path[b.path.length - 1] as string] = how
    }
    return { config, operations }
  }

  /** PB2's data table: one row per perturbation-ready result and per explored config. */
  rows(): readonly Pb2Row[] {
    return [...this.#rows]
  }

  snapshot(): Pb2State {
    return {
      rows: [...this.#rows],
      lastExplorationTime: this.#lastExplorationTime,
      pending: this.#pending === undefined ? undefined : [...this.#pending],
      hyperparameters: this.#hyperparameters,
    }
  }

  restore(state: unknown): void {
    const saved = state as Pb2State
    this.#rows = [...saved.rows]
    this.#lastExplorationTime = saved.lastExplorationTime
    this.#pending = saved.pending === undefined ? undefined : [...saved.pending]
    this.#hyperparameters = saved.hyperparameters
  }

  #latestTime(): number {
    let latest = Number.NEGATIVE_INFINITY
    for (const row of this.#rows) if (row.time > latest) latest = row.time
    return latest
  }
}

/**
 * Population Based Bandits (Ray's `PB2`): PBT (readiness, quantiles, donors, checkpoints,
 * synchronous barriers, policy logs) with PB2's explore strategy. Its tags name the top-level
 * bounded keys, as PBT's name the mutated ones.
 */
export function createPb2Scheduler(settings: Pb2Settings, stream: RandomStream): PbtScheduler {
  const tagKeys = Object.fromEntries(settings.bounds.map((b) => [b.path[0] as string, [b.low, b.high]]))
  return new PbtScheduler(
    {
      perturbationInterval: settings.perturbationInterval,
      timeAttr: settings.timeAttr,
      burnInPeriod: 0,
      quantileFraction: settings.quantileFraction,
      resampleProbability: 0,
      perturbationFactors: [1.2, 0.8],
      synch: settings.synch,
      keepInBounds: true,
      requireAttrs: settings.requireAttrs,
      metric: settings.metric,
      mode: settings.mode,
      mutations: tagKeys,
    },
    stream,
    new Pb2Explore(settings.bounds, settings.customExplore),
  )
}
