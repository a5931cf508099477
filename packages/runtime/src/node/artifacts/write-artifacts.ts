import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { policyLogFiles } from '../../schedulers/policy-log.js'
import { pathProblem } from '../experiment-slug.js'
import type { Figure } from '../plots/figure.js'
import { plotHyperparameters } from '../plots/hyperparameter-plot.js'
import { plotLineage } from '../plots/lineage-plot.js'
import { plotMetric } from '../plots/metric-plot.js'
import { renderPng } from '../plots/png.js'
import { plotExplored, plotRungs } from '../plots/scheduler-plots.js'
import { type AnyResultGrid, numberAt } from '../plots/series.js'
import { ArtifactError } from './artifact-error.js'
import { columnsOf, toCsv } from './csv.js'
import { experimentIndexHtml, type RunIndexEntry, runIndexHtml } from './html-index.js'
import {
  type DirectoryContents,
  digestOf,
  INDEX_FILE,
  inspectDirectory,
  isOwnIndex,
  listFiles,
  otherFilesError,
  readSummary,
  removeOwnFiles,
  SUMMARY_FILE,
} from './ownership.js'
import { flattenRow, rayResultRow, toJson } from './result-rows.js'
import { type ArtifactSummary, summarizeGrid } from './summary.js'

export { INDEX_FILE, SUMMARY_FILE } from './ownership.js'
/** All results of all trials, one row each, nested keys flattened as `config/lr`. */
export const RESULTS_CSV = 'results.csv'
/** Where standard and user plots go inside an experiment's directory. */
export const PLOTS_DIR = 'plots'

/** A trial's `result.json` (JSON lines, Ray's field names), relative to the experiment directory. */
export const trialResultFile = (trialId: string): string => `trials/${trialId}/result.json`

/** Options of `writeArtifacts`. */
export interface WriteArtifactsOptions {
  /** Draw the standard plots (metric, hyperparameters, lineage) as SVG and PNG. Default true. */
  readonly plots?: boolean
  /**
   * Write into a directory that holds files vitune did not write. Default false: such a directory is
   * refused (`VITUNE_ARTIFACT_OTHER_FILES`). Either way vitune never deletes or overwrites them.
   */
  readonly allowOtherFiles?: boolean
}

/** What `writeArtifacts` wrote. */
export interface ArtifactManifest {
  /** The experiment's directory. */
  readonly dir: string
  /** Files written, relative to `dir`. */
  readonly files: readonly string[]
  readonly summary: ArtifactSummary
}

function cannotCreate(experiment: string, dir: string, why: string, cause?: unknown): ArtifactError {
  return new ArtifactError(
    'VITUNE_ARTIFACT_DIR',
    `experiment "${experiment}": cannot create its artifacts directory ${dir} (${why}). Set another outDir in vitune({ outDir }).`,
    cause === undefined ? undefined : { cause },
  )
}

async function createDirectory(experiment: string, dir: string): Promise<void> {
  const problem = pathProblem(resolve(dir))
  if (problem !== undefined) throw cannotCreate(experiment, dir, problem)
  try {
    await mkdir(dir, { recursive: true })
  } catch (error) {
    throw cannotCreate(experiment, dir, (error as Error).message, error)
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/**
 * Throws `VITUNE_ARTIFACT_OTHER_FILES` when `dir` holds files vitune did not write (unless
 * `allowOtherFiles`). The plugin calls it before an experiment runs, so a refused directory costs
 * no tuning time; `writeArtifacts` checks again.
 */
export async function assertArtifactDirectory(experiment: string, dir: string, options: Pick<WriteArtifactsOptions, 'allowOtherFiles'> = {}): Promise<void> {
  const problem = pathProblem(resolve(dir))
  if (problem !== undefined) throw cannotCreate(experiment, dir, problem)
  let exists: boolean
  try {
    exists = await isDirectory(dir)
  } catch (error) {
    throw cannotCreate(experiment, dir, (error as Error).message, error)
  }
  if (!exists) return
  const contents = await inspectDirectory(dir)
  assertSameExperiment(experiment, dir, contents)
  if (contents.others.length > 0 && options.allowOtherFiles !== true) throw otherFilesError(experiment, dir, contents.others, false)
}

/** Refuses the artifacts directory of another experiment whose name has the same slug (`A b`, `a-b`). */
function assertSameExperiment(experiment: string, dir: string, contents: DirectoryContents): void {
  if (contents.experiment === undefined || contents.experiment === experiment) return
  throw new ArtifactError(
    'VITUNE_ARTIFACT_NAME',
    `experiment "${experiment}": its artifacts directory ${dir} holds the artifacts of experiment "${contents.experiment}": both names map to the directory name "${basename(dir)}". Rename one of them (names that differ only in case or punctuation share a directory), or delete ${dir} if "${contents.experiment}" is gone.`,
  )
}

/** Throws `VITUNE_ARTIFACT_OTHER_FILES` when `<root>/index.html` exists and vitune did not write it (`writeRunIndex` would have to overwrite it). */
export async function assertRunIndexWritable(root: string): Promise<void> {
  if (await isOwnIndex(join(root, INDEX_FILE), (html) => html.includes('<title>vitune experiments</title>'))) return
  throw new ArtifactError(
    'VITUNE_ARTIFACT_OTHER_FILES',
    `the artifacts directory ${root} holds an ${INDEX_FILE} that vitune did not write, where vitune writes the page over all experiments. vitune never overwrites it: move it, or choose another outDir in vitune({ outDir }).`,
  )
}

/** The artifact files of a grid, by path relative to the experiment directory; PNGs are rendered when written. */
function artifactFiles(grid: AnyResultGrid, options: WriteArtifactsOptions): Map<string, string | (() => Uint8Array)> {
  const out = new Map<string, string | (() => Uint8Array)>()
  const csvRows: Record<string, unknown>[] = []
  for (const trial of grid.trials) {
    const lines: string[] = []
    trial.results.forEach((result, i) => {
      const row = rayResultRow(result, i === trial.results.length - 1 && trial.status === 'TERMINATED')
      lines.push(toJson(row))
      csvRows.push(flattenRow(row))
    })
    out.set(trialResultFile(trial.trialId), lines.length === 0 ? '' : `${lines.join('\n')}\n`)
  }
  out.set(RESULTS_CSV, toCsv(columnsOf(csvRows), csvRows))
  for (const [name, text] of policyLogFiles(grid)) out.set(name, text)
  if (options.plots !== false) {
    for (const figure of standardFigures(grid)) {
      out.set(`${PLOTS_DIR}/${figure.name}.svg`, figure.svg)
      out.set(`${PLOTS_DIR}/${figure.name}.png`, () => renderPng(figure.svg))
    }
  }
  return out
}

/** The standard figures of a grid: the metric over time, each mutated hyperparameter, the lineage. */
export function standardFigures(grid: AnyResultGrid): Figure[] {
  const figures: Figure[] = []
  const metric = grid.metric
  if (metric !== undefined && grid.trials.some((t) => t.results.some((r) => numberAt(r, metric) !== undefined))) figures.push(plotMetric(grid))
  const hyperparameters = plotHyperparameters(grid)
  if (hyperparameters !== undefined) figures.push(hyperparameters)
  if (grid.lineage.length > 0) figures.push(plotLineage(grid))
  // What the scheduler did: ASHA's and HyperBand's rungs and stops, PB2's choices.
  for (const figure of [plotRungs(grid), plotExplored(grid)]) if (figure !== undefined) figures.push(figure)
  return figures
}

/**
 * Writes an experiment's artifacts into `dir`: `trials/<id>/result.json` per trial, `results.csv`,
 * Ray's policy logs, the standard plots as SVG and PNG, `summary.json` and `index.html`. It first
 * removes the files the previous run wrote there (so no stale trial remains), and only those:
 * files vitune did not write are refused, or with `allowOtherFiles` kept as they are.
 */
export async function writeArtifacts(grid: AnyResultGrid, dir: string, options: WriteArtifactsOptions = {}): Promise<ArtifactManifest> {
  await createDirectory(grid.experiment, dir)
  const contents = await inspectDirectory(dir)
  assertSameExperiment(grid.experiment, dir, contents)
  if (contents.others.length > 0 && options.allowOtherFiles !== true) throw otherFilesError(grid.experiment, dir, contents.others, false)
  const planned = artifactFiles(grid, options)
  const others = new Set(contents.others)
  const clashes = [...planned.keys(), SUMMARY_FILE, INDEX_FILE].filter((file) => others.has(file))
  if (clashes.length > 0) throw otherFilesError(grid.experiment, dir, clashes, true)
  await removeOwnFiles(dir, contents.own)
  const written: Record<string, string> = {}
  for (const [file, content] of planned) {
    const bytes = typeof content === 'function' ? content() : content
    const path = join(dir, file)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, bytes)
    written[file] = digestOf(bytes)
  }
  // What a tune file added after the previous run stays linked (it is kept, not vitune's to delete).
  const files = [...new Set([...Object.keys(written), ...contents.added, SUMMARY_FILE, INDEX_FILE])].sort()
  const summary = summarizeGrid(grid, { files, written, otherFiles: contents.others })
  await writeIndexPages(dir, summary)
  return { dir, files: [...Object.keys(written), SUMMARY_FILE, INDEX_FILE], summary }
}

async function writeIndexPages(dir: string, summary: ArtifactSummary): Promise<string> {
  await writeFile(join(dir, SUMMARY_FILE), toJson(summary, 2))
  const path = join(dir, INDEX_FILE)
  await writeFile(path, experimentIndexHtml(summary, summary.files))
  return path
}

/**
 * (Re)writes an experiment's `index.html` and `summary.json` after `writeArtifacts`, so figures a
 * tune file added to the directory are linked too. vitune keeps them but never deletes them: it
 * did not write them. An artifact someone changed since is no longer counted as vitune's.
 */
export async function writeExperimentIndex(dir: string): Promise<string> {
  const summary = await readSummary(dir)
  if (summary === undefined || summary === 'foreign') {
    throw new ArtifactError('VITUNE_ARTIFACT_DIR', `${dir} has no vitune ${SUMMARY_FILE}: call writeArtifacts(result, dir) before writing its index.`)
  }
  if (!(await isOwnIndex(join(dir, INDEX_FILE), () => (summary.schemaVersion as number) === 1)))
    throw otherFilesError(summary.experiment, dir, [INDEX_FILE], true)
  const others = new Set(summary.otherFiles ?? [])
  const present = (await listFiles(dir)).filter((file) => !others.has(file))
  const written: Record<string, string> = {}
  for (const [file, digest] of Object.entries(summary.written ?? {})) {
    if (present.includes(file) && digestOf(await readFile(join(dir, file))) === digest) written[file] = digest
  }
  const files = [...new Set([...present, INDEX_FILE])].sort()
  return writeIndexPages(dir, { ...summary, schemaVersion: 2, files, written, otherFiles: [...others] })
}

/** Options of `writeRunIndex`. */
export interface RunIndexOptions {
  /** Experiment names in the order they ran: the page lists them so; others follow by name. */
  readonly order?: readonly string[]
}

/**
 * Writes `<root>/index.html`, linking every experiment directory below `root` that has a vitune
 * summary. An `index.html` there that vitune did not write is refused, never overwritten.
 */
export async function writeRunIndex(root: string, options: RunIndexOptions = {}): Promise<string> {
  await assertRunIndexWritable(root)
  const entries: RunIndexEntry[] = []
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const summary = await readSummary(join(root, entry.name))
    if (summary !== undefined && summary !== 'foreign') entries.push({ dir: entry.name, summary })
  }
  const order = options.order ?? []
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length)
  entries.sort((a, b) => rank(a.summary.experiment) - rank(b.summary.experiment) || a.summary.experiment.localeCompare(b.summary.experiment))
  const path = join(root, INDEX_FILE)
  await writeFile(path, runIndexHtml(entries))
  return path
}
