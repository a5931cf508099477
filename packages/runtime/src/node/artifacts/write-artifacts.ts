import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { policyLogFiles } from '../../schedulers/policy-log.js'
import { CHECKPOINT_DIR, JOURNAL_FILE, STATE_FILE } from '../directory-storage.js'
import { type Figure, writeFigure } from '../plots/figure.js'
import { plotHyperparameters } from '../plots/hyperparameter-plot.js'
import { plotLineage } from '../plots/lineage-plot.js'
import { plotMetric } from '../plots/metric-plot.js'
import { type AnyResultGrid, numberAt } from '../plots/series.js'
import { ArtifactError } from './artifact-error.js'
import { columnsOf, toCsv } from './csv.js'
import { experimentIndexHtml, type RunIndexEntry, runIndexHtml } from './html-index.js'
import { flattenRow, rayResultRow, toJson } from './result-rows.js'
import { type ArtifactSummary, summarizeGrid } from './summary.js'

/** The summary file of an experiment's artifacts; its `files` list lets the next run remove stale files. */
export const SUMMARY_FILE = 'summary.json'
/** The page that links everything of an experiment, or of all experiments in an artifacts root. */
export const INDEX_FILE = 'index.html'
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
}

/** What `writeArtifacts` wrote. */
export interface ArtifactManifest {
  /** The experiment's directory. */
  readonly dir: string
  /** Files written, relative to `dir`. */
  readonly files: readonly string[]
  readonly summary: ArtifactSummary
}

// Files of the persistence layer, which may share the directory: never listed, never removed.
const NOT_ARTIFACTS = new Set([CHECKPOINT_DIR, STATE_FILE, JOURNAL_FILE])

async function previousSummary(dir: string): Promise<ArtifactSummary | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, SUMMARY_FILE), 'utf8')) as Partial<ArtifactSummary>
    return parsed.generator === 'vitune' ? (parsed as ArtifactSummary) : undefined
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

async function prepareDirectory(experiment: string, dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true })
  } catch (error) {
    throw new ArtifactError(
      'VITUNE_ARTIFACT_DIR',
      `experiment "${experiment}": cannot create its artifacts directory ${dir} (${(error as Error).message}). Set another outDir in vitune({ outDir }).`,
      { cause: error },
    )
  }
  // Remove what the previous run wrote, so trials that no longer exist leave no stale files behind.
  const previous = await previousSummary(dir)
  for (const file of previous?.files ?? []) {
    if (file.split('/').some((part) => part === '..' || NOT_ARTIFACTS.has(part))) continue
    await rm(join(dir, file), { force: true })
  }
}

async function put(dir: string, file: string, content: string | Uint8Array, files: string[]): Promise<void> {
  const path = join(dir, file)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, content)
  files.push(file)
}

/** The standard figures of a grid: the metric over time, each mutated hyperparameter, the lineage. */
export function standardFigures(grid: AnyResultGrid): Figure[] {
  const figures: Figure[] = []
  const metric = grid.metric
  if (metric !== undefined && grid.trials.some((t) => t.results.some((r) => numberAt(r, metric) !== undefined))) figures.push(plotMetric(grid))
  const hyperparameters = plotHyperparameters(grid)
  if (hyperparameters !== undefined) figures.push(hyperparameters)
  if (grid.lineage.length > 0) figures.push(plotLineage(grid))
  return figures
}

/**
 * Writes an experiment's artifacts into `dir`: `trials/<id>/result.json` per trial, `results.csv`,
 * Ray's policy logs, the standard plots as SVG and PNG, `summary.json` and `index.html`.
 */
export async function writeArtifacts(grid: AnyResultGrid, dir: string, options: WriteArtifactsOptions = {}): Promise<ArtifactManifest> {
  await prepareDirectory(grid.experiment, dir)
  const files: string[] = []
  const csvRows: Record<string, unknown>[] = []
  for (const trial of grid.trials) {
    const lines: string[] = []
    trial.results.forEach((result, i) => {
      const row = rayResultRow(result, i === trial.results.length - 1 && trial.status === 'TERMINATED')
      lines.push(toJson(row))
      csvRows.push(flattenRow(row))
    })
    await put(dir, trialResultFile(trial.trialId), lines.length === 0 ? '' : `${lines.join('\n')}\n`, files)
  }
  await put(dir, RESULTS_CSV, toCsv(columnsOf(csvRows), csvRows), files)
  for (const [name, text] of policyLogFiles(grid)) await put(dir, name, text, files)
  if (options.plots !== false) {
    for (const figure of standardFigures(grid)) {
      const written = await writeFigure(figure, join(dir, PLOTS_DIR))
      files.push(...written.map((path) => relative(dir, path).split(sep).join('/')))
    }
  }
  files.push(SUMMARY_FILE, INDEX_FILE)
  const summary = summarizeGrid(grid, files)
  await writeFile(join(dir, SUMMARY_FILE), toJson(summary, 2))
  await writeExperimentIndex(dir)
  return { dir, files, summary }
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || (dir === root && NOT_ARTIFACTS.has(entry.name))) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)))
    else out.push(relative(root, path).split(sep).join('/'))
  }
  return out
}

/**
 * (Re)writes an experiment's `index.html` from its `summary.json` and the files in its directory,
 * so figures a tune file added after `writeArtifacts` are linked too (and removed by the next run).
 */
export async function writeExperimentIndex(dir: string): Promise<string> {
  const summary = await previousSummary(dir)
  if (summary === undefined) {
    throw new ArtifactError('VITUNE_ARTIFACT_DIR', `${dir} has no vitune ${SUMMARY_FILE}: call writeArtifacts(result, dir) before writing its index.`)
  }
  const files = (await listFiles(dir)).sort()
  if (!files.includes(INDEX_FILE)) files.push(INDEX_FILE)
  const updated: ArtifactSummary = { ...summary, files }
  await writeFile(join(dir, SUMMARY_FILE), toJson(updated, 2))
  const path = join(dir, INDEX_FILE)
  await writeFile(path, experimentIndexHtml(updated, files))
  return path
}

/** Writes `<root>/index.html`, linking every experiment directory below `root` that has a vitune summary. */
export async function writeRunIndex(root: string): Promise<string> {
  const entries: RunIndexEntry[] = []
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const summary = await previousSummary(join(root, entry.name))
    if (summary !== undefined) entries.push({ dir: entry.name, summary })
  }
  entries.sort((a, b) => a.summary.experiment.localeCompare(b.summary.experiment))
  const path = join(root, INDEX_FILE)
  await writeFile(path, runIndexHtml(entries))
  return path
}
