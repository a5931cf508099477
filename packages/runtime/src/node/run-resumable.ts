import { resolve } from 'node:path'
import type { Config, Experiment, ExperimentDef, Metrics } from '@vitune/dsl'
import type { ResultGrid } from '../result-grid.js'
import { type RunOptions, run } from '../run.js'
import { DirectoryStorage } from './directory-storage.js'
import { experimentSlug } from './experiment-slug.js'

/** Options of `runResumable`: those of `run`, plus where the experiment's directory is. */
export interface ResumableRunOptions extends Omit<RunOptions, 'storage'> {
  /** The experiment's directory. Default: `.storage({ path })` of the experiment, else `defaultExperimentDirectory`. */
  readonly directory?: string
  /** Relative paths resolve against this. Default: `process.cwd()`. */
  readonly cwd?: string
  /** Flush every file to disk before it counts (survives power loss too). Default false: slower, rarely needed. */
  readonly fsync?: boolean
}

/** Where an experiment keeps its state by default: `<cwd>/.vitune/<slug of its name>`. */
export function defaultExperimentDirectory(name: string, cwd: string = process.cwd()): string {
  return resolve(cwd, '.vitune', experimentSlug(name))
}

/** The directory an experiment uses: the option, then `.storage({ path })`, then the default. */
export function experimentDirectory(def: ExperimentDef, options: Pick<ResumableRunOptions, 'directory' | 'cwd'> = {}): string {
  const cwd = options.cwd ?? process.cwd()
  const path = options.directory ?? def.storage?.path
  return path === undefined ? defaultExperimentDirectory(def.name, cwd) : resolve(cwd, path)
}

/**
 * Runs an experiment with its state in a directory: saved after every round of results, resumed
 * when an unfinished run is found there (after a crash, a kill or an abort), started anew when the
 * run there had finished. The results equal those of an uninterrupted run with the same seed.
 */
export async function runResumable<C extends Config, M extends Metrics, K>(
  experiment: Experiment<C, M, K> | ExperimentDef,
  options: ResumableRunOptions = {},
): Promise<ResultGrid<C, M>> {
  const def = 'def' in experiment ? experiment.def : experiment
  const { directory: _directory, cwd: _cwd, fsync, ...rest } = options
  const storage = new DirectoryStorage(experimentDirectory(def, options), fsync === undefined ? {} : { fsync })
  return run(experiment, { ...rest, storage })
}
