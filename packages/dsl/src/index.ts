export { Experiment, experiment, validateExperiment, withCheckpoint } from './builder.js'
export type { ExperimentDef, FailureOptions, PbtOptions, ResolvedPbtOptions, SchedulerDef, StopDef } from './definition.js'
export { PBT_DEFAULTS } from './definition.js'
export type { ChoiceDomain, Domain, FloatDomain, GridDomain, IntegerDomain, NormalDomain, RandomDomain, SampleFromDomain } from './domains.js'
export {
  choice,
  DOMAIN_TAG,
  grid,
  isDomain,
  lograndint,
  loguniform,
  qlograndint,
  qloguniform,
  qrandint,
  qrandn,
  quniform,
  randint,
  randn,
  sampleFrom,
  uniform,
} from './domains.js'
export { type DefinitionErrorCode, ExperimentDefinitionError, VituneError } from './errors.js'
export { type PolicyErrorCode, PolicyLogError, type PolicyRecord, parsePolicy, parsePolicyLine } from './policy.js'
export type {
  AutoResultKey,
  CategoricalMutation,
  CheckpointedReport,
  Config,
  GeneratorTrainable,
  InferConfig,
  InferMutationConfig,
  InferMutationValue,
  InferValue,
  MetricName,
  Metrics,
  Mode,
  MutationFor,
  MutationSpec,
  MutationSpecShape,
  MutationValue,
  NumericKeys,
  NumericMutation,
  Prettify,
  Primitive,
  ReportItem,
  ReportingTrainable,
  ReportOptions,
  SpaceSpec,
  SpaceValue,
  StopCriteria,
  Trainable,
  TrainContext,
  WithMutations,
} from './types.js'
