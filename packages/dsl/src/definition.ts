import type { PolicyRecord } from './policy.js'
import type { ResolvedAshaOptions, ResolvedHyperBandOptions, ResolvedMedianStoppingOptions, ResolvedPb2Options } from './scheduler-options.js'
import type { TrainableModule } from './trainable-module.js'
import type { Config, Metrics, Mode, MutationSpecShape, SpaceSpec, Trainable } from './types.js'

/** Settings of Population Based Training, in Ray's terms. */
export interface PbtOptions {
  /** Consider a trial for exploit/explore every this many units of `timeAttr`. */
  readonly perturbationInterval: number
  /** Result key used as time; must grow monotonically. Default `'trainingIteration'`. */
  readonly timeAttr?: string
  /** No perturbation before this much `timeAttr`. Default 0. */
  readonly burnInPeriod?: number
  /** Fraction of trials that count as top or bottom, in [0, 0.5]. Default 0.25. */
  readonly quantileFraction?: number
  /** Per key, the probability of resampling instead of perturbing. Default 0.25. */
  readonly resampleProbability?: number
  /** Continuous values are multiplied by one of these. Default [1.2, 0.8]. */
  readonly perturbationFactors?: readonly number[]
  /** Synchronous PBT: every live trial waits at each perturbation point. Default false. */
  readonly synch?: boolean
  /** Applied to the whole explored config, after the built-in mutations. */
  readonly customExplore?: (config: Config) => Config
  /**
   * Keep perturbed values inside their domain's bounds and on its quantization grid. Default true;
   * false reproduces Ray, where `0.9 * 1.2` leaves `uniform(0, 1)`.
   */
  readonly keepInBounds?: boolean
  /** A result missing the metric or `timeAttr` is an error (true) or ignored (false). Default true. */
  readonly requireAttrs?: boolean
}

/** PBT settings with every default filled in. */
export type ResolvedPbtOptions = Required<Omit<PbtOptions, 'customExplore'>> & Pick<PbtOptions, 'customExplore'>

/** Which scheduler decides what trials do. */
export type SchedulerDef =
  | { readonly kind: 'fifo' }
  | ({ readonly kind: 'pbt' } & ResolvedPbtOptions)
  /** Replays one trial's PBT schedule (Ray's PopulationBasedTrainingReplay); the policy is parsed records. */
  | { readonly kind: 'pbtReplay'; readonly policy: readonly PolicyRecord[] }
  /** Asynchronous successive halving (Ray's ASHAScheduler). */
  | ({ readonly kind: 'asha' } & ResolvedAshaOptions)
  /** Synchronous successive halving in brackets (Ray's HyperBandScheduler). */
  | ({ readonly kind: 'hyperband' } & ResolvedHyperBandOptions)
  /** Stops trials below the median of the others (Ray's MedianStoppingRule). */
  | ({ readonly kind: 'medianStopping' } & ResolvedMedianStoppingOptions)
  /** PBT with a GP-bandit explore step (Ray's PB2). */
  | ({ readonly kind: 'pb2' } & ResolvedPb2Options)

/** A stop rule: Ray's object form, or a function of the trial's latest result. */
export type StopDef = { readonly [key: string]: number } | ((result: Metrics & { readonly trialId: string }) => boolean)

/** What an experiment-wide stop rule sees after each round of results. */
export interface ExperimentProgress<M = Metrics> {
  /** The best result any trial has reported so far by the experiment's metric and mode; undefined without a metric. */
  readonly best: (M & { readonly trialId: string; readonly trainingIteration: number }) | undefined
  /** Results reported so far, over all trials. */
  readonly results: number
  /** Seconds the run has taken so far (summed over resumed sessions). */
  readonly elapsedS: number
}

/** Stops every trial at once when it returns true (Ray's `Stopper.stop_all`). */
export type ExperimentStopDef = (progress: ExperimentProgress) => boolean

/** Where an experiment keeps its state and checkpoints, and how many it keeps. */
export interface StorageOptions {
  /** The experiment's directory. Default: `.vitune/<experiment name>` under the current directory. */
  readonly path?: string
  /** Keep only the newest N checkpoints per trial (those a donor may still hand out are always kept). */
  readonly keepCheckpoints?: number
}

/** Failure handling, as Ray's `FailureConfig`. */
export interface FailureOptions {
  /** Retries per trial before it ends as errored; -1 retries forever. Default 0. */
  readonly maxFailures?: number
  /** Stop the whole experiment at the first trial error. Default false. */
  readonly failFast?: boolean
}

/** Memory limits of one worker thread, in megabytes (Node's `resourceLimits`). */
export interface WorkerResourceLimits {
  /** The main heap; a trainable that outgrows it fails its thread's trials (retried), not the run. */
  readonly maxOldGenerationSizeMb?: number
  /** The heap for new, short-lived objects. */
  readonly maxYoungGenerationSizeMb?: number
  /** Memory for generated code. */
  readonly codeRangeSizeMb?: number
  /** The thread's stack. */
  readonly stackSizeMb?: number
}

/** Options of `.workers()` besides the number of threads. */
export interface WorkerOptions {
  /** Memory limits of each worker thread. Default: Node's (as the main thread). */
  readonly resourceLimits?: WorkerResourceLimits
  /**
   * How long a trainable may take to close (its `finally` blocks) before its thread is terminated
   * (failing the other trials on it too), in seconds. Default 5.
   */
  readonly closeTimeoutS?: number
}

/** Where trials run: how many worker threads (0: the runner's own thread; `'auto'`: one per core) and their options. */
export interface WorkersDef extends WorkerOptions {
  readonly threads: number | 'auto'
}

/**
 * The one contract between the DSL and everything else: plain data (functions aside), so it can
 * be persisted and shipped to workers.
 */
export interface ExperimentDef {
  readonly name: string
  readonly space: SpaceSpec
  readonly mutations: MutationSpecShape | undefined
  /** Top-level mutation keys the space lacks, added on purpose (`mutate(spec, { newKeys })`); trials draw them at start. */
  readonly newMutationKeys?: readonly string[] | undefined
  readonly scheduler: SchedulerDef
  readonly metric: string | undefined
  readonly mode: Mode | undefined
  readonly stop: StopDef | undefined
  readonly seed: number
  readonly samples: number
  /** The most trials (grid points × samples) the experiment may make; default `DEFAULT_MAX_TRIALS`. */
  readonly maxTrials?: number
  readonly maxFailures: number
  readonly failFast: boolean
  readonly concurrency: number | undefined
  /** Stops the whole experiment when it returns true. */
  readonly stopExperiment?: ExperimentStopDef
  /** Stops every trial once the run has taken this many seconds (Ray's `time_budget_s`). */
  readonly timeBudgetS?: number
  /**
   * A trial's step (the wait for its next report) may take at most this many seconds; a step that
   * takes longer fails the trial with VITUNE_STEP_TIMEOUT (retries apply). Ray has no such limit.
   */
  readonly stepTimeoutS?: number
  /** Directory and checkpoint retention; used by `@vitune/runtime/node`. */
  readonly storage?: StorageOptions
  readonly trainable: Trainable<never, Metrics, unknown> | undefined
  /**
   * Where the trainable can be imported from, when it was named with `trainable()`: what worker
   * threads and remote workers load, since a function cannot cross to them.
   */
  readonly trainableModule?: TrainableModule | undefined
  /**
   * Where trials run, from `.workers()`. Unset: worker threads (one per core) when the trainable is
   * named by module, the runner's own thread otherwise. Results never depend on it.
   */
  readonly workers?: WorkersDef | undefined
}

/** Defaults applied by `.pbt()`. */
export const PBT_DEFAULTS = {
  timeAttr: 'trainingIteration',
  burnInPeriod: 0,
  quantileFraction: 0.25,
  resampleProbability: 0.25,
  perturbationFactors: [1.2, 0.8],
  synch: false,
  keepInBounds: true,
  requireAttrs: true,
} as const satisfies Omit<ResolvedPbtOptions, 'perturbationInterval'>
