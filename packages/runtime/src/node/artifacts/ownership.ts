import { createHash } from 'node:crypto'
import { readdir, readFile, rm, rmdir } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { CHECKPOINT_DIR, JOURNAL_FILE, LOCK_FILE, STATE_FILE } from '../directory-storage.js'
import { ArtifactError } from './artifact-error.js'
import type { ArtifactSummary } from './summary.js'

/** The summary file of an experiment's artifacts: it records which files vitune wrote there. */
export const SUMMARY_FILE = 'summary.json'
/** The page that links everything of an experiment, or of all experiments in an artifacts root. */
export const INDEX_FILE = 'index.html'
/** Marks an `index.html` as vitune's, so it is only ever rewritten when vitune wrote it. */
export const GENERATOR_META = '<meta name="generator" content="vitune">'

// Files of the persistence layer, which may share the directory: never listed, never removed.
const PERSISTENCE = new Set([CHECKPOINT_DIR, STATE_FILE, JOURNAL_FILE, LOCK_FILE])
// Temporary files of the persistence layer a killed run may leave: the state file's while it is
// written (sealed-file.ts), a lock claim's and a lock takeover marker (lock-file.ts).
const PERSISTENCE_TEMPORARY = new RegExp(`^(${STATE_FILE.replace('.', '\\.')}\\.\\d+\\.tmp|${LOCK_FILE}\\..+)$`)

/** The SHA-256 of an artifact's content, recorded so the next run deletes it only if it is unchanged. */
export function digestOf(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
}

/**
 * Every file below `dir` (relative, `/`-separated, sorted) except hidden ones (`.DS_Store`,
 * `.gitignore`: vitune never writes a hidden file, so it never needs to touch one) and the
 * persistence files a resumable run keeps in the same directory.
 */
export async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue
    if (dir === root && (PERSISTENCE.has(entry.name) || PERSISTENCE_TEMPORARY.test(entry.name))) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)))
    else out.push(relative(root, path).split(sep).join('/'))
  }
  return out.sort()
}

/** The directory's `summary.json` if vitune wrote it; `'foreign'` when the file exists but is not vitune's. */
export async function readSummary(dir: string): Promise<ArtifactSummary | 'foreign' | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, SUMMARY_FILE), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    if (code === 'EISDIR') return 'foreign'
    throw error
  }
  try {
    const parsed = JSON.parse(text) as Partial<ArtifactSummary> | null
    const ok = parsed !== null && typeof parsed === 'object' && parsed.generator === 'vitune' && Array.isArray(parsed.files)
    return ok ? (parsed as ArtifactSummary) : 'foreign'
  } catch {
    return 'foreign'
  }
}

/**
 * Whether `index.html` at `path` is absent or one vitune wrote (so it may be rewritten). Pages of
 * vitune versions before the generator tag are recognised by `legacy`.
 */
export async function isOwnIndex(path: string, legacy: (html: string) => boolean = () => false): Promise<boolean> {
  try {
    const html = await readFile(path, 'utf8')
    return html.includes(GENERATOR_META) || legacy(html)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return true
    if (code === 'EISDIR') return false
    throw error
  }
}

/** A summary of the first format, which listed every file found, so it proves nothing about who wrote them. */
function isLegacy(summary: ArtifactSummary | 'foreign' | undefined): boolean {
  return summary !== undefined && summary !== 'foreign' && (summary.schemaVersion as number) === 1
}

/** What an artifacts directory holds before a run writes into it. */
export interface DirectoryContents {
  /** Files the previous run wrote and nobody changed since: removed before the new run writes. */
  readonly own: readonly string[]
  /** Files a tune file's `afterRun` added next to the artifacts: linked, kept, never deleted. */
  readonly added: readonly string[]
  /** Files vitune did not write (or that were changed after it wrote them): never deleted or overwritten. */
  readonly others: readonly string[]
  /** The experiment whose artifacts the directory holds, from its `summary.json`. */
  readonly experiment: string | undefined
}

/**
 * Sorts the files of an artifacts directory by who wrote them. vitune owns a file only when the
 * previous `summary.json` recorded its digest and the content still has that digest: a forged or
 * outdated summary can never make vitune delete somebody else's file.
 */
export async function inspectDirectory(dir: string): Promise<DirectoryContents> {
  const summary = await readSummary(dir)
  const present = await listFiles(dir)
  const written = summary === undefined || summary === 'foreign' ? {} : (summary.written ?? {})
  const known = new Set(summary === undefined || summary === 'foreign' ? [] : summary.files)
  const others = new Set(summary === undefined || summary === 'foreign' ? [] : (summary.otherFiles ?? []))
  const own: string[] = []
  const added: string[] = []
  const foreign: string[] = []
  for (const file of present) {
    if (file === SUMMARY_FILE) {
      if (summary === 'foreign') foreign.push(file)
      continue
    }
    if (file === INDEX_FILE) {
      if (!(await isOwnIndex(join(dir, file), () => isLegacy(summary) && known.has(INDEX_FILE)))) foreign.push(file)
      continue
    }
    // Only files actually present are considered, so a listed `../x` can never reach outside `dir`.
    const digest = Object.hasOwn(written, file) ? written[file] : undefined
    if (digest !== undefined) {
      if (digestOf(await readFile(join(dir, file))) === digest) own.push(file)
      else foreign.push(file)
    } else if (known.has(file) && !others.has(file)) added.push(file)
    else foreign.push(file)
  }
  const experiment = summary === undefined || summary === 'foreign' || typeof summary.experiment !== 'string' ? undefined : summary.experiment
  return { own, added, others: foreign, experiment }
}

/** Lists a few file names for a message: `a, b, c and 4 more`. */
function someOf(files: readonly string[]): string {
  const shown = files.slice(0, 5).join(', ')
  return files.length > 5 ? `${shown} and ${files.length - 5} more` : shown
}

/** The error for files vitune did not write, in a directory it was asked to write into. */
export function otherFilesError(experiment: string, dir: string, files: readonly string[], clash: boolean): ArtifactError {
  const problem = clash
    ? `its artifacts directory ${dir} holds ${someOf(files)}, which vitune did not write and would have to overwrite. Move or rename ${files.length === 1 ? 'that file' : 'those files'}, or choose another outDir`
    : `its artifacts directory ${dir} holds files vitune did not write (${someOf(files)}). vitune never deletes or overwrites files it did not write: choose another outDir in vitune({ outDir }) (default .vitune) or rename the experiment, or pass vitune({ allowOtherFiles: true }) (writeArtifacts(result, dir, { allowOtherFiles: true })) to write next to them`
  return new ArtifactError('VITUNE_ARTIFACT_OTHER_FILES', `experiment "${experiment}": ${problem}.`)
}

/** Deletes the files of the previous run, then the directories that deleting them left empty (never `dir` itself). */
export async function removeOwnFiles(dir: string, files: readonly string[]): Promise<void> {
  const parents = new Set<string>()
  for (const file of files) {
    await rm(join(dir, file), { force: true })
    for (let parent = dirname(file); parent !== '.'; parent = dirname(parent)) parents.add(parent)
  }
  // Deepest first, so `trials/<id>` goes before `trials`; a directory still holding anything stays.
  for (const parent of [...parents].sort((a, b) => b.split('/').length - a.split('/').length)) {
    try {
      await rmdir(join(dir, parent))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw error
    }
  }
}
