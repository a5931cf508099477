export type { ExperimentSummary, ProgressArtifact, ProvidedOptions, TrialSummary } from '../meta.js'
export { type TuneAssertions, type TuneOptions, tune } from './tune.js'
// Re-exported so that importing this entry also loads the matcher type augmentation of `expect`.
export { matchers, type ReachOptions } from './matchers.js'
