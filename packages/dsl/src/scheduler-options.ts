import type { Config, Prettify } from './types.js'

/** Settings of ASHA (Ray's `AsyncHyperBandScheduler` / `ASHAScheduler`), in Ray's terms. */
export interface AshaOptions {
  /** Result key used as time; must grow monotonically. Default `'trainingIteration'`. */
  readonly timeAttr?: string
  /** A trial stops at this much `timeAttr` (with `stopLastTrials`). Default 100. */
  readonly maxT?: number
  /** No trial stops before this much `timeAttr`: the first rung. Default 1. */
  readonly gracePeriod?: number
  /** Rungs are `reductionFactor` apart; a rung keeps the top 1/reductionFactor. Default 4. */
  readonly reductionFactor?: number
  /** Number of brackets (differently aggressive rung sets). Default 1. */
  readonly brackets?: number
  /** Stop trials at `maxT` (true), or let them run on to the stop criteria. Default true. */
  readonly stopLastTrials?: boolean
}

/** Settings of HyperBand (Ray's `HyperBandScheduler`), in Ray's terms. */
export interface HyperBandOptions {
  /** Result key used as time. Default `'trainingIteration'`. */
  readonly timeAttr?: string
  /** The most `timeAttr` a trial runs; the paper's R. Default 81. */
  readonly maxT?: number
  /** η: each halving keeps 1/η of a bracket and runs it η times longer. Default 3. */
  readonly reductionFactor?: number
  /** Stop trials when their bracket's last rung completes. Default true. */
  readonly stopLastTrials?: boolean
}

/** Settings of the median stopping rule (Ray's `MedianStoppingRule`), in Ray's terms. */
export interface MedianStoppingOptions {
  /** Result key used as time. Default `'trainingIteration'` (Ray: `time_total_s`, not reproducible). */
  readonly timeAttr?: string
  /** No trial stops before this much `timeAttr`. Default 60, as in Ray. */
  readonly gracePeriod?: number
  /** Other trials needed at the same time before one is judged. Default 3. */
  readonly minSamplesRequired?: number
  /** Minimum `timeAttr` between two pauses that yield a slot to waiting trials. Default 0. */
  readonly minTimeSlice?: number
  /** Stop a trial below the median (true) or pause it (false). Default true. */
  readonly hardStop?: boolean
}

/** `[low, high]` for one continuous hyperparameter PB2 explores. */
export type Pb2Range = readonly [low: number, high: number]
/** Shape of PB2's bounds: ranges, possibly nested like the config. */
export type Pb2BoundsShape = { readonly [key: string]: Pb2Range | Pb2BoundsShape }
/** Bounds for config `C`: a range for a number, nested bounds for a nested object; new keys are added as numbers. */
export type Pb2Bounds<C> = { readonly [K in keyof C]?: C[K] extends number ? Pb2Range : Pb2Bounds<C[K]> } & Pb2BoundsShape

/** The config type bounds add to `C`: keys the space lacks become numbers. */
export type InferBoundsConfig<B> = { -readonly [K in keyof B]: B[K] extends Pb2Range ? number : InferBoundsConfig<B[K]> }
/** `C` with the keys of bounds `B` it lacks added as numbers. */
export type WithBounds<C, B> = Prettify<C & InferBoundsConfig<Omit<B, keyof C>>>

/** Settings of PB2 (Ray's `PB2`): PBT's, with bounds instead of mutations. */
export interface Pb2Options<C = Config, B = Pb2BoundsShape> {
  /** Consider a trial for exploit and explore every this many units of `timeAttr`. */
  readonly perturbationInterval: number
  /** The continuous hyperparameters PB2's GP explores, each `[low, high]`. */
  readonly hyperparamBounds: B & Pb2Bounds<C>
  /** Result key used as time. Default `'trainingIteration'`. */
  readonly timeAttr?: string
  /** Fraction of trials that count as top or bottom, in [0, 0.5]. Default 0.25. */
  readonly quantileFraction?: number
  /** Synchronous: every live trial waits at each perturbation point. Default false. */
  readonly synch?: boolean
  /** A result missing the metric or `timeAttr` is an error (true) or ignored (false). Default true. */
  readonly requireAttrs?: boolean
  /** Applied to the new config after PB2's choice. */
  readonly customExplore?: (config: Config) => Config
}

/** ASHA settings with every default filled in. */
export type ResolvedAshaOptions = Required<AshaOptions>
/** HyperBand settings with every default filled in. */
export type ResolvedHyperBandOptions = Required<HyperBandOptions>
/** Median stopping settings with every default filled in. */
export type ResolvedMedianStoppingOptions = Required<MedianStoppingOptions>
/** PB2 settings with every default filled in. */
export type ResolvedPb2Options = Required<Omit<Pb2Options, 'customExplore' | 'hyperparamBounds'>> &
  Pick<Pb2Options, 'customExplore'> & { readonly hyperparamBounds: Pb2BoundsShape }

/** Defaults applied by `.asha()`: Ray's. */
export const ASHA_DEFAULTS = {
  timeAttr: 'trainingIteration',
  maxT: 100,
  gracePeriod: 1,
  reductionFactor: 4,
  brackets: 1,
  stopLastTrials: true,
} as const satisfies ResolvedAshaOptions

/** Defaults applied by `.hyperband()`: Ray's. */
export const HYPERBAND_DEFAULTS = {
  timeAttr: 'trainingIteration',
  maxT: 81,
  reductionFactor: 3,
  stopLastTrials: true,
} as const satisfies ResolvedHyperBandOptions

/** Defaults applied by `.medianStopping()`: Ray's, but time in iterations. */
export const MEDIAN_STOPPING_DEFAULTS = {
  timeAttr: 'trainingIteration',
  gracePeriod: 60,
  minSamplesRequired: 3,
  minTimeSlice: 0,
  hardStop: true,
} as const satisfies ResolvedMedianStoppingOptions

/** Defaults applied by `.pb2()`. */
export const PB2_DEFAULTS = {
  timeAttr: 'trainingIteration',
  quantileFraction: 0.25,
  synch: false,
  requireAttrs: true,
} as const satisfies Omit<ResolvedPb2Options, 'perturbationInterval' | 'hyperparamBounds'>
