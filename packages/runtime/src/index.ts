export { type CheckpointStore, MemoryCheckpointStore } from './checkpoint-store.js'
export { RunError, type RunErrorCode } from './errors.js'
export type { TuneEvent } from './events.js'
export type { TrainableSource, TrialExecutor, TrialHandle, TrialStart } from './executor.js'
export { InProcessExecutor } from './executors/in-process.js'
export { formatNumber } from './format-number.js'
export { configLeaves, LABEL_DIGITS, labelValue, trialLabels } from './labels.js'
export { describeWaiting } from './lifecycle.js'
export { deriveStream, type RandomStream } from './random.js'
export {
  type BestMetric,
  type BestScope,
  type ConfigChange,
  noFiniteMetric,
  ResultGrid,
  scopeLabel,
  type TrialFailure,
  type TrialResult,
  trialMetric,
  trialScore,
} from './result-grid.js'
export { CheckpointLedger } from './retention.js'
export { RunAborted, type RunOptions, run } from './run.js'
export { createScheduler, describeScheduler, SCHEDULERS, type SchedulerEntry, type SchedulerInfo, type SchedulerSettings } from './scheduler-registry.js'
export { FifoScheduler } from './schedulers/fifo.js'
export { PbtScheduler, type PbtSchedulerOptions } from './schedulers/pbt.js'
export { type Explored, type ExploreOptions, explore, fillMissing } from './schedulers/pbt-explore.js'
export { PbtReplayScheduler, type PbtReplayState, type PolicyChain, policyChain } from './schedulers/pbt-replay.js'
export { type ExploreStrategy, PerturbationExplore } from './schedulers/pbt-strategy.js'
export { filterMutatedParams, summarizeHyperparamChanges } from './schedulers/pbt-summary.js'
export { formatPolicyLog, formatPolicyRecord, GLOBAL_POLICY_FILE, type PolicySource, policyFileName, policyLogFiles } from './schedulers/policy-log.js'
export type { ExploitAction, RunnerView, Scheduler, SchedulerDecision, TrialDecision, TrialView } from './schedulers/types.js'
export { chooseTrialToRun } from './schedulers/types.js'
export { multipleOf, quantize, roundHalfEven } from './search/quantize.js'
export { fitToDomain, isIntegerDomain, isRandomDomain, sampleDomain } from './search/sample.js'
export { formatVars, generateVariants, type Variant } from './search/variants.js'
export { type ExperimentSnapshot, type ExperimentStopReason, type ExperimentStorage, fingerprintOf, type SavedExperiment } from './snapshot.js'
export { ExperimentStopper, shouldStopTrial } from './stop.js'
export { type Report, startTrainable, type TrialIterator, TrialStopped } from './trainable.js'
export type { TrialSnapshot } from './trial.js'
export { FRESH_START, type StartPoint, type TrialState } from './trial-state.js'
export { ScheduleError, type ScheduleErrorCode } from './tuned/errors.js'
export { changedParts, type DefinitionFingerprint, definitionFingerprint, FINGERPRINT_PARTS } from './tuned/fingerprint.js'
export { replayDefinition, scheduleToPolicy } from './tuned/replay.js'
export {
  checkSchedule,
  describeScheduleDifference,
  formatReached,
  type ScheduleChange,
  sameValue,
  scheduleOf,
  type TunedSchedule,
} from './tuned/schedule.js'
export type { CheckpointKey, CheckpointRef, ExploitEvent, PolicyRecord, Result, TrialStatus } from './types.js'
export { WALL_TIME_FIELDS } from './types.js'
