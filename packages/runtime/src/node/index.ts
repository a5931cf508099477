export { ArtifactError, type ArtifactErrorCode } from './artifacts/artifact-error.js'
export type { ArtifactSummary, TrialArtifactSummary } from './artifacts/summary.js'
export {
  type ArtifactManifest,
  assertArtifactDirectory,
  assertRunIndexWritable,
  INDEX_FILE,
  PLOTS_DIR,
  RESULTS_CSV,
  type RunIndexOptions,
  SUMMARY_FILE,
  standardFigures,
  trialResultFile,
  type WriteArtifactsOptions,
  writeArtifacts,
  writeExperimentIndex,
  writeRunIndex,
} from './artifacts/write-artifacts.js'
export { DirectoryCheckpointStore } from './directory-checkpoint-store.js'
export { CHECKPOINT_DIR, DirectoryStorage, JOURNAL_FILE, LOCK_FILE, STATE_FILE } from './directory-storage.js'
export { loadTrainable } from './executors/load-trainable.js'
export { DEFAULT_CLOSE_TIMEOUT_S, ThreadExecutor, type ThreadExecutorOptions } from './executors/thread-executor.js'
export { experimentSlug } from './experiment-slug.js'
export { type AnimationOptions, animateParameterHistory } from './plots/animation.js'
export { linearTicks, logTicks, type ScaleChoice, tickLabel, type ValueAxis, type ValueAxisOptions, valueAxis } from './plots/axis.js'
export { composeFigures, escapeXml, type Figure, writeFigure } from './plots/figure.js'
export { type HyperparameterPlotOptions, plotHyperparameters } from './plots/hyperparameter-plot.js'
export { type LineagePlotOptions, plotLineage } from './plots/lineage-plot.js'
export { type MetricPlotOptions, plotMetric } from './plots/metric-plot.js'
export { type ParameterHistoryOptions, plotParameterHistory } from './plots/parameter-history.js'
export { FONT_FILES, type Raster, type RasterOptions, renderPixels, renderPng } from './plots/png.js'
export { plotExplored, plotRungs, type SchedulerPlotOptions } from './plots/scheduler-plots.js'
export { type AnyResultGrid, TRIAL_PALETTE, type TrialStyleOptions } from './plots/series.js'
export { readPolicyFile } from './policy-file.js'
export { defaultExperimentDirectory, experimentDirectory, type ResumableRunOptions, runResumable } from './run-resumable.js'
