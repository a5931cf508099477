import {
  type ExperimentDef,
  type ExperimentProgress,
  type ExperimentStopDef,
  type FailureOptions,
  PBT_DEFAULTS,
  type PbtOptions,
  type StopDef,
  type StorageOptions,
  type WorkerOptions,
} from './definition.js'
import { type PolicyRecord, parsePolicy } from './policy.js'
import {
  ASHA_DEFAULTS,
  type AshaOptions,
  HYPERBAND_DEFAULTS,
  type HyperBandOptions,
  MEDIAN_STOPPING_DEFAULTS,
  type MedianStoppingOptions,
  PB2_DEFAULTS,
  type Pb2Bounds,
  type Pb2BoundsShape,
  type Pb2Options,
  type WithBounds,
} from './scheduler-options.js'
import { trainableModuleOf } from './trainable-module.js'
import type {
  Config,
  InferConfig,
  KnownMutationKeys,
  MetricName,
  Metrics,
  Mode,
  MutateOptions,
  MutationSpec,
  OnlyKnownKeys,
  Pending,
  ReportsPending,
  SpaceSpec,
  StopCriteria,
  Trainable,
  WithMutations,
} from './types.js'
import { copySpec, failFor, validateSpace } from './validate.js'
import { validateMutations, validateMutationsAgainstSpace, validateNewKeys } from './validate-mutations.js'
import { validatePbtOptions } from './validate-pbt.js'
import {
  validateAshaOptions,
  validateHyperBandOptions,
  validateMedianStoppingOptions,
  validatePb2BoundsAgainstSpace,
  validatePb2Options,
} from './validate-schedulers.js'
import { validateOptionsObject, validateShape } from './validate-shape.js'
import { checkWorkersTrainable, workersDef } from './workers.js'

/**
 * An immutable experiment builder around a plain `ExperimentDef`. Every step returns a new
 * builder; `C` is the trial config type, `M` the metrics the trainable reports, `K` its checkpoint,
 * `P` the result keys `.metric()` and `.stop()` named before `.train()`, which `.train()` checks.
 */
export class Experiment<C extends Config = Config, M extends Metrics = Metrics, K = unknown, P extends string = never> {
  /** The plain definition this builder wraps. */
  readonly def: ExperimentDef

  constructor(def: ExperimentDef) {
    this.def = def
  }

  /** The experiment's name, as shown in reports and errors. */
  get name(): string {
    return this.def.name
  }

  private with<C2 extends Config = C, M2 extends Metrics = M, K2 = K, P2 extends string = P>(patch: Partial<ExperimentDef>): Experiment<C2, M2, K2, P2> {
    return new Experiment<C2, M2, K2, P2>({ ...this.def, ...patch })
  }

  private get fail() {
    return failFor(this.def.name)
  }

  /** The search space: constants, domains, grids and `sampleFrom`; its shape is the config type. */
  space<const S extends SpaceSpec>(spec: S): Experiment<InferConfig<S>, M, K, P> {
    validateShape(this.fail, spec, 'space')
    validateSpace(this.fail, spec)
    if (this.def.mutations !== undefined) validateMutationsAgainstSpace(this.fail, spec, this.def.mutations, this.def.newMutationKeys)
    return this.with({ space: copySpec(spec) })
  }

  /**
   * PBT's `hyperparam_mutations`: how each key of the space may be resampled or perturbed. Call it
   * after `.space()`. A key the space lacks is an error unless `options.newKeys` lists it; then each
   * trial draws it from its mutation at its start, as Ray does for every missing key.
   */
  mutate<const X extends MutationSpec<C>, const N extends Exclude<keyof X & string, keyof C> = never>(
    spec: X & KnownMutationKeys<X, C, N>,
    options: MutateOptions<N> = {},
  ): Experiment<WithMutations<C, Pick<X, N>>, M, K, P> {
    validateShape(this.fail, spec, 'mutate')
    validateMutations(this.fail, spec)
    const newKeys = validateNewKeys(this.fail, spec, options)
    validateMutationsAgainstSpace(this.fail, this.def.space, spec, newKeys)
    if (Object.keys(spec).length === 0 && this.def.scheduler.kind === 'pbt' && this.def.scheduler.customExplore === undefined) {
      this.fail('VITUNE_MUTATION_EMPTY', 'mutate', 'no key is given to mutate', 'List at least one key, or pass customExplore to .pbt().')
    }
    return this.with({ mutations: copySpec(spec), newMutationKeys: newKeys.length === 0 ? undefined : newKeys })
  }

  /** Schedule trials with Population Based Training. */
  pbt(options: PbtOptions): Experiment<C, M, K, P> {
    if (typeof options !== 'object' || options === null)
      this.fail('VITUNE_PBT_OPTION', 'pbt', `needs an options object, got ${String(options)}`, 'Write .pbt({ perturbationInterval: 4 }).')
    const o = { ...PBT_DEFAULTS, ...options }
    validatePbtOptions(this.fail, options, o)
    return this.with({ scheduler: { kind: 'pbt', ...o, perturbationFactors: [...o.perturbationFactors] } })
  }

  /**
   * Replay one trial's PBT schedule (Ray's `PopulationBasedTrainingReplay`): the experiment runs a
   * single trial that starts from the policy's initial config and changes its config at the
   * recorded steps, resuming from its own checkpoint. Pass the text or lines of a
   * `pbt_policy_<trial>.txt` file, or records (`readPolicyFile` from `@vitune/runtime/node`).
   */
  replay(policy: string | readonly string[] | readonly PolicyRecord[]): Experiment<C, M, K, P> {
    const records = parsePolicy(policy, `experiment "${this.def.name}" .replay()`)
    if (records.length === 0)
      this.fail(
        'VITUNE_POLICY_EMPTY',
        'replay',
        'the policy has no records, so there is no schedule to replay (the trial was never exploited)',
        "Pass the policy of a trial that was exploited: a non-empty pbt_policy_<trial>.txt, or a trial's `policy` from the result grid.",
      )
    return this.with({ scheduler: { kind: 'pbtReplay', policy: records } })
  }

  /**
   * Stop unpromising trials early with asynchronous successive halving (Ray's `ASHAScheduler`): at
   * each rung (gracePeriod, ×reductionFactor, ... up to maxT) a trial below the top
   * 1/reductionFactor of those that reached the rung before it stops.
   */
  asha(options: AshaOptions = {}): Experiment<C, M, K, P> {
    if (typeof options !== 'object' || options === null)
      this.fail('VITUNE_ASHA_OPTION', 'asha', `needs an options object, got ${String(options)}`, 'Write .asha({ maxT: 100, gracePeriod: 10 }).')
    const o = { ...ASHA_DEFAULTS, ...options }
    validateAshaOptions(this.fail, options, o)
    return this.with({ scheduler: { kind: 'asha', ...o } })
  }

  /**
   * Synchronous successive halving in brackets (Ray's `HyperBandScheduler`): trials wait at each
   * milestone until their bracket is complete, then the best 1/reductionFactor run on.
   */
  hyperband(options: HyperBandOptions = {}): Experiment<C, M, K, P> {
    if (typeof options !== 'object' || options === null)
      this.fail('VITUNE_HYPERBAND_OPTION', 'hyperband', `needs an options object, got ${String(options)}`, 'Write .hyperband({ maxT: 81 }).')
    const o = { ...HYPERBAND_DEFAULTS, ...options }
    validateHyperBandOptions(this.fail, options, o)
    return this.with({ scheduler: { kind: 'hyperband', ...o } })
  }

  /**
   * Stop a trial whose best result is worse than the median of the other trials' running means at
   * the same time (Ray's `MedianStoppingRule`).
   */
  medianStopping(options: MedianStoppingOptions = {}): Experiment<C, M, K, P> {
    if (typeof options !== 'object' || options === null)
      this.fail(
        'VITUNE_MEDIAN_STOPPING_OPTION',
        'medianStopping',
        `needs an options object, got ${String(options)}`,
        'Write .medianStopping({ gracePeriod: 5 }).',
      )
    const o = { ...MEDIAN_STOPPING_DEFAULTS, ...options }
    validateMedianStoppingOptions(this.fail, options, o)
    return this.with({ scheduler: { kind: 'medianStopping', ...o } })
  }

  /**
   * Population Based Bandits (Ray's `PB2`): PBT whose explore step picks the new values of the
   * bounded hyperparameters with a time-varying GP bandit instead of random perturbations. Keys of
   * the bounds the space lacks are drawn uniformly within the bounds at trial start.
   */
  pb2<const B extends Pb2Bounds<C>>(options: Pb2Options<C, B>): Experiment<WithBounds<C, B>, M, K, P> {
    if (typeof options !== 'object' || options === null)
      this.fail(
        'VITUNE_PB2_OPTION',
        'pb2',
        `needs an options object, got ${String(options)}`,
        'Write .pb2({ perturbationInterval: 4, hyperparamBounds: { lr: [1e-4, 1e-1] } }).',
      )
    const o = { ...PB2_DEFAULTS, ...options, hyperparamBounds: copySpec(options.hyperparamBounds) as Pb2BoundsShape }
    validatePb2Options(this.fail, options as Pb2Options, o)
    validatePb2BoundsAgainstSpace(this.fail, this.def.space, o.hyperparamBounds)
    return this.with({ scheduler: { kind: 'pb2', ...o } })
  }

  /** Schedule trials first in, first out, with no early stopping (Ray's default). */
  fifo(): Experiment<C, M, K, P> {
    return this.with({ scheduler: { kind: 'fifo' } })
  }

  /**
   * The metric that ranks trials, and whether higher (`'max'`) or lower (`'min'`) is better. After
   * `.train()` only numbers the trainable reports are accepted; before it, `.train()` checks the name.
   */
  metric<const N extends MetricName<M>>(name: N, mode: Mode): Experiment<C, M, K, Pending<M, P, N>> {
    if (typeof name !== 'string' || name.length === 0)
      this.fail('VITUNE_METRIC_NAME', 'metric', 'the metric name is empty', 'Name a key the trainable reports, e.g. .metric("Q", "max").')
    if (mode !== 'min' && mode !== 'max')
      this.fail('VITUNE_MODE', 'metric', `mode must be "min" or "max", got ${JSON.stringify(mode)}`, 'Pass "max" when higher is better.')
    return this.with({ metric: name, mode })
  }

  /**
   * Stop a trial once any listed result key reaches its value, or when the function says so. Keys
   * are checked against what the trainable reports, by `.stop()` after `.train()` or by `.train()`.
   */
  stop(rule: (result: M & { readonly trialId: string; readonly trainingIteration: number }) => boolean): Experiment<C, M, K, P>
  stop<const S extends StopCriteria<M>>(criteria: S & OnlyKnownKeys<S, MetricName<M>>): Experiment<C, M, K, Pending<M, P, keyof S & string>>
  stop(criteria: StopCriteria<M> | ((result: M & { readonly trialId: string; readonly trainingIteration: number }) => boolean)): Experiment<C, M, K, P> {
    if (typeof criteria !== 'function') {
      if (typeof criteria !== 'object' || criteria === null || Array.isArray(criteria))
        this.fail('VITUNE_STOP', 'stop', `needs an object of result keys or a function, got ${String(criteria)}`, 'Write .stop({ trainingIteration: 100 }).')
      for (const [key, value] of Object.entries(criteria)) {
        if (key === '__proto__')
          this.fail(
            'VITUNE_STOP',
            'stop.__proto__',
            '`__proto__` cannot be a result key',
            'Stop on a key the trainable reports, e.g. .stop({ trainingIteration: 100 }).',
          )
        if (typeof value !== 'number' || !Number.isFinite(value))
          this.fail('VITUNE_STOP', `stop.${key}`, `the stop value must be a finite number, got ${String(value)}`, 'Write .stop({ trainingIteration: 100 }).')
      }
    }
    return this.with({ stop: criteria as StopDef })
  }

  /** The seed every random stream derives from (default 0, so runs repeat); the same seed gives the same results. */
  seed(seed: number): Experiment<C, M, K, P> {
    if (!Number.isSafeInteger(seed)) this.fail('VITUNE_SEED', 'seed', `the seed must be an integer, got ${seed}`, 'Pass a whole number such as 1.')
    return this.with({ seed })
  }

  /** Repeat the whole grid `n` times with fresh random draws (Ray's `num_samples`). */
  samples(n: number): Experiment<C, M, K, P> {
    if (!Number.isInteger(n) || n < 1) this.fail('VITUNE_SAMPLES', 'samples', `needs a whole number >= 1, got ${n}`, 'Pass 1 for a single pass over the grid.')
    return this.with({ samples: n })
  }

  /** Retry failed trials from their last checkpoint (Ray's `FailureConfig`). */
  failures(options: FailureOptions): Experiment<C, M, K, P> {
    validateOptionsObject(this.fail, 'VITUNE_MAX_FAILURES', 'failures', options, ['maxFailures', 'failFast'], '.failures({ maxFailures: 3 })', {
      retries: 'maxFailures',
      max_retries: 'maxFailures',
    })
    if (options.failFast !== undefined && typeof options.failFast !== 'boolean')
      this.fail('VITUNE_MAX_FAILURES', 'failures.failFast', `must be true or false, got ${JSON.stringify(options.failFast)}`, 'Write failFast: true.')
    const maxFailures = options.maxFailures ?? 0
    if (!Number.isInteger(maxFailures) || maxFailures < -1)
      this.fail(
        'VITUNE_MAX_FAILURES',
        'failures.maxFailures',
        `needs a whole number >= -1, got ${maxFailures}`,
        'Pass 3 to retry three times, or -1 to retry forever.',
      )
    return this.with({ maxFailures, failFast: options.failFast ?? false })
  }

  /** Stop every trial once `rule` returns true, e.g. when the best result passes a target. */
  stopExperiment(rule: (progress: ExperimentProgress<M>) => boolean): Experiment<C, M, K, P> {
    if (typeof rule !== 'function')
      this.fail('VITUNE_STOP', 'stopExperiment', `needs a function, got ${typeof rule}`, 'Write .stopExperiment(({ best }) => (best?.Q ?? -Infinity) > 1.19).')
    return this.with({ stopExperiment: rule as ExperimentStopDef })
  }

  /**
   * Fail a trial whose step (the wait for its next report) takes longer than `seconds`: a trainable
   * that awaits something that never settles would otherwise hang the run. The trial is retried
   * under `.failures()` like any error. Ray has no such limit.
   */
  stepTimeout(seconds: number): Experiment<C, M, K, P> {
    if (!(seconds > 0) || !Number.isFinite(seconds))
      this.fail('VITUNE_STEP_TIMEOUT_OPTION', 'stepTimeout', `needs a positive number of seconds, got ${seconds}`, 'Pass 300 for five minutes per step.')
    return this.with({ stepTimeoutS: seconds })
  }

  /** Stop every trial once the run has taken `seconds` (Ray's `time_budget_s`). */
  timeBudget(seconds: number): Experiment<C, M, K, P> {
    if (!(seconds > 0) || !Number.isFinite(seconds))
      this.fail('VITUNE_TIME_BUDGET', 'timeBudget', `needs a positive number of seconds, got ${seconds}`, 'Pass 600 for ten minutes.')
    return this.with({ timeBudgetS: seconds })
  }

  /**
   * Keep the experiment's state and checkpoints on disk so a run resumes after a crash; `.storage()`
   * uses the default directory. `keepCheckpoints` limits how many checkpoints per trial are kept.
   */
  storage(options: StorageOptions = {}): Experiment<C, M, K, P> {
    if (typeof options === 'string')
      this.fail(
        'VITUNE_STORAGE',
        'storage',
        `takes an options object, got the string ${JSON.stringify(options)}`,
        `Write .storage({ path: ${JSON.stringify(options)} }).`,
      )
    validateOptionsObject(this.fail, 'VITUNE_STORAGE', 'storage', options, ['path', 'keepCheckpoints'], '.storage({ path: "runs/my-run" })', {
      dir: 'path',
      directory: 'path',
      location: 'path',
      keep: 'keepCheckpoints',
    })
    const { path, keepCheckpoints } = options
    if (path !== undefined && (typeof path !== 'string' || path.trim().length === 0))
      this.fail('VITUNE_STORAGE', 'storage.path', `needs a non-empty directory path, got ${JSON.stringify(path)}`, 'Pass a path such as ".vitune/my-run".')
    if (keepCheckpoints !== undefined && (!Number.isInteger(keepCheckpoints) || keepCheckpoints < 1))
      this.fail('VITUNE_STORAGE', 'storage.keepCheckpoints', `needs a whole number >= 1, got ${keepCheckpoints}`, 'Pass 2 to keep the newest two per trial.')
    return this.with({ storage: { ...this.def.storage, ...options } })
  }

  /**
   * The most trials the experiment may make (grid points × samples), checked before any is built.
   * Default 1,000,000 (`DEFAULT_MAX_TRIALS`): a guard against a grid or `samples()` one power of ten too high.
   */
  maxTrials(n: number): Experiment<C, M, K, P> {
    if (!Number.isSafeInteger(n) || n < 1)
      this.fail(
        'VITUNE_MAX_TRIALS',
        'maxTrials',
        `needs a whole number >= 1, got ${n}`,
        'Pass the number of trials you mean to run, e.g. .maxTrials(2_000_000).',
      )
    return this.with({ maxTrials: n })
  }

  /** How many trials run at once. Default: all of them. */
  concurrency(n: number): Experiment<C, M, K, P> {
    if (!Number.isInteger(n) || n < 1)
      this.fail('VITUNE_CONCURRENCY', 'concurrency', `needs a whole number >= 1, got ${n}`, 'Pass 2 to run two trials at once.')
    return this.with({ concurrency: n })
  }

  /**
   * Where trials run: `threads` worker threads (`'auto'`: one per core), or `0` for the runner's own
   * thread. Without `.workers()`, a trainable named with `trainable(import.meta.url, 'name', fn)`
   * runs on one thread per core and a closure in this thread. Results are the same either way.
   */
  workers(threads: number | 'auto', options: WorkerOptions = {}): Experiment<C, M, K, P> {
    const workers = workersDef(this.fail, threads, options)
    checkWorkersTrainable(this.fail, workers, this.def.trainable, this.def.trainableModule !== undefined)
    return this.with({ workers })
  }

  /**
   * The trainable: an (async) generator that yields metrics, or a Ray-style function calling `report`.
   * A trainable named with `trainable(import.meta.url, 'name', fn)` can also run in worker threads.
   */
  train<const R extends Metrics, K2 = K>(trainable: Trainable<C, R, K2> & ReportsPending<P, R>): Experiment<C, R, K2> {
    if (typeof trainable !== 'function')
      this.fail(
        'VITUNE_TRAINABLE_TYPE',
        'train',
        `the trainable must be a function, got ${typeof trainable}`,
        'Pass an async generator function or a function that calls report().',
      )
    const location = trainableModuleOf(trainable)
    checkWorkersTrainable(this.fail, this.def.workers, trainable, location !== undefined)
    return this.with<C, R, K2, never>({
      trainable: trainable as unknown as ExperimentDef['trainable'],
      // Cleared when the new trainable has no location, so a stale one never outlives .train().
      trainableModule: location,
    })
  }
}

/** Starts an experiment definition; the name appears in every report and error. */
export function experiment(name: string): Experiment<{}, Metrics, unknown> {
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw failFor(String(name))('VITUNE_EMPTY_NAME', 'name', 'an experiment needs a non-empty name', 'Write experiment("my experiment").')
  }
  return new Experiment({
    name,
    space: {},
    mutations: undefined,
    scheduler: { kind: 'fifo' },
    metric: undefined,
    mode: undefined,
    stop: undefined,
    seed: 0,
    samples: 1,
    maxFailures: 0,
    failFast: false,
    concurrency: undefined,
    trainable: undefined,
  })
}

/** Attaches a checkpoint to a report yielded by a generator trainable. */
export function withCheckpoint<M extends Metrics, K>(metrics: M, checkpoint: K) {
  return { $report: true as const, metrics, checkpoint }
}
