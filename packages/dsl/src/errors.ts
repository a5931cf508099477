/** Stable codes for every mistake the builder can catch; see docs/errors.md. */
export type DefinitionErrorCode =
  | 'VITUNE_EMPTY_NAME'
  | 'VITUNE_BOUNDS_ORDER'
  | 'VITUNE_BOUNDS_NOT_FINITE'
  | 'VITUNE_LOG_BOUND'
  | 'VITUNE_LOG_BASE'
  | 'VITUNE_QUANTIZATION'
  | 'VITUNE_QUANTUM'
  | 'VITUNE_INTEGER_BOUNDS'
  | 'VITUNE_EMPTY_VALUES'
  | 'VITUNE_UNKNOWN_DOMAIN'
  | 'VITUNE_NESTED_GRID'
  | 'VITUNE_STD_DEV'
  | 'VITUNE_SAMPLE_FROM_ARITY'
  | 'VITUNE_SAMPLE_FROM_IN_MUTATE'
  | 'VITUNE_GRID_IN_MUTATE'
  | 'VITUNE_MUTATION_TYPE'
  | 'VITUNE_MUTATION_EMPTY'
  | 'VITUNE_MUTATION_KEY'
  | 'VITUNE_SPACE_VALUE'
  | 'VITUNE_QUANTILE_FRACTION'
  | 'VITUNE_PERTURBATION_INTERVAL'
  | 'VITUNE_BURN_IN'
  | 'VITUNE_RESAMPLE_PROBABILITY'
  | 'VITUNE_PERTURBATION_FACTORS'
  | 'VITUNE_PBT_OPTION'
  | 'VITUNE_PBT_WITHOUT_METRIC'
  | 'VITUNE_MODE'
  | 'VITUNE_METRIC_NAME'
  | 'VITUNE_SEED'
  | 'VITUNE_SAMPLES'
  | 'VITUNE_STOP'
  | 'VITUNE_MAX_FAILURES'
  | 'VITUNE_CONCURRENCY'
  | 'VITUNE_TIME_BUDGET'
  | 'VITUNE_STEP_TIMEOUT_OPTION'
  | 'VITUNE_STORAGE'
  | 'VITUNE_NO_TRAINABLE'
  | 'VITUNE_TRAINABLE_TYPE'
  | 'VITUNE_POLICY_EMPTY'
  | 'VITUNE_SPACE_SHAPE'
  | 'VITUNE_MAX_TRIALS'
  | 'VITUNE_ASHA_OPTION'
  | 'VITUNE_HYPERBAND_OPTION'
  | 'VITUNE_MEDIAN_STOPPING_OPTION'
  | 'VITUNE_PB2_OPTION'
  | 'VITUNE_MAX_T'
  | 'VITUNE_GRACE_PERIOD'
  | 'VITUNE_REDUCTION_FACTOR'
  | 'VITUNE_BRACKETS'
  | 'VITUNE_MIN_SAMPLES'
  | 'VITUNE_PB2_BOUNDS'
  | 'VITUNE_PB2_WITH_MUTATIONS'
  | 'VITUNE_SCHEDULER_WITHOUT_METRIC'
  | 'VITUNE_WORKERS'
  | 'VITUNE_WORKERS_CLOSURE'

/** Base class of every error vitune throws on purpose: a stable `code` and a message that says what to do. */
export class VituneError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'VituneError'
    this.code = code
  }
}

/** A mistake in how an experiment is written, caught when the builder is called. */
export class ExperimentDefinitionError extends VituneError {
  declare readonly code: DefinitionErrorCode
  /** The experiment the mistake is in. */
  readonly experiment: string
  /** The key path the mistake is at (`space.lr`, `pbt.quantileFraction`), when there is one. */
  readonly key: string | undefined

  constructor(code: DefinitionErrorCode, experiment: string, key: string | undefined, problem: string, fix: string) {
    const where = key === undefined ? '' : ` at \`${key}\``
    super(code, `[${code}] experiment "${experiment}"${where}: ${problem}. ${fix}`)
    this.name = 'ExperimentDefinitionError'
    this.experiment = experiment
    this.key = key
  }
}
