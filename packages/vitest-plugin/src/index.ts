export type { ExperimentSummary, ProgressArtifact, ProvidedOptions, TrialSummary } from './meta.js'
export { isTuneMode, TUNE_ENV_VARS, TUNE_FILE_GLOB, TUNE_MODE } from './mode.js'
export { type VituneOptions, vitune } from './plugin.js'
export { TuneReporter, type TuneReporterOptions } from './reporter.js'
