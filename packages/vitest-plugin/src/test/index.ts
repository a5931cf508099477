export type { TunedSchedule } from '@vitune/runtime'
export type { ExperimentSummary, ProgressArtifact, ProvidedOptions, TrialSummary } from '../meta.js'
// Re-exported so that importing this entry also loads the matcher type augmentation of `expect`.
export { type ExploitCountOptions, type MetricName, matchers, type ReachOptions } from './matchers.js'
export type { ScheduleOptions } from './schedule.js'
export { type TuneAssertions, type TuneOptions, tune } from './tune.js'
