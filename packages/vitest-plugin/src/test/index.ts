export type { ExperimentSummary, ProgressArtifact, ProvidedOptions, TrialSummary } from '../meta.js'
export { type TuneAssertions, type TuneOptions, tune } from './tune.js'
