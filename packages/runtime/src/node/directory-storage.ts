import { createHash, randomUUID } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, truncateSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { RunError } from '../errors.js'
import type { ExperimentSnapshot, ExperimentStorage, SavedExperiment } from '../snapshot.js'
import type { Result } from '../types.js'
import { DirectoryCheckpointStore } from './directory-checkpoint-store.js'
import { pathProblem } from './experiment-slug.js'
import { claimLock, releaseLock } from './lock-file.js'
import { readIfExists, seal, UnsealError, unseal, writeFileAtomic } from './sealed-file.js'

/** File names inside an experiment directory. */
export const STATE_FILE = 'experiment-state.bin'
/** The append-only journal of every result, in the order they were reported. */
export const JOURNAL_FILE = 'results.journal'
/** The directory of checkpoints, one subdirectory per trial. */
export const CHECKPOINT_DIR = 'checkpoints'
/** Claims the directory for one run: `<pid> <token>`. */
export const LOCK_FILE = 'lock'

interface StateFile {
  readonly snapshot: ExperimentSnapshot
  /** The journal's valid length: bytes past it were written after this state, by a run that then crashed. */
  readonly journalBytes: number
  /**
   * The run this directory holds, made when it starts and kept across resumes. Every checkpoint
   * file carries it, so a file of another run is refused. Absent in states of older versions.
   */
  readonly runId?: string
  /** SHA-256 of the journal's first `journalBytes` bytes: a journal of another run, even of the same size, is refused. */
  readonly journalDigest?: string
}

const CHECKPOINT_NAME = /^checkpoint_(\d+)\.bin$/

/** The error for an experiment directory that cannot be created or used. */
function cannotUse(directory: string, why: string, cause?: unknown): RunError {
  return new RunError(
    'VITUNE_STATE_DIR',
    `the experiment directory ${directory} cannot be used: ${why}. Give the experiment another .storage({ path }) (or runResumable(experiment, { directory })).`,
    cause === undefined ? undefined : { cause },
  )
}

/** Seals `value`, or says which part of the run holds something that cannot be stored. */
function sealOrExplain(value: unknown, what: string): Buffer {
  try {
    return seal(value)
  } catch (error) {
    throw new RunError(
      'VITUNE_BAD_REPORT',
      `${what} cannot be saved: ${(error as Error).message}. Persisted runs need structured-cloneable values (numbers, strings, plain objects, arrays; no functions or class instances) in configs and metrics.`,
      { cause: error },
    )
  }
}

/**
 * An experiment directory: the state file (rewritten atomically after each round of results), the
 * results journal (appended, then cut back to what the state file vouches for on resume) and the
 * checkpoints. Nothing is ever silently discarded: an unreadable file is an error naming it.
 */
export class DirectoryStorage implements ExperimentStorage {
  readonly location: string
  readonly checkpoints: DirectoryCheckpointStore
  readonly #fsync: boolean
  readonly #token = randomUUID()
  #journalBytes = 0
  /** The journal's bytes so far, hashed as they are appended, for the state file's `journalDigest`. */
  #journalHash = createHash('sha256')
  #runId: string = randomUUID()

  /**
   * `fsync: true` flushes every file to disk before the state that vouches for it is written. Without
   * it (the default) a killed process loses nothing; a power loss may leave a file the next run
   * reports as corrupt.
   */
  constructor(directory: string, options: { readonly fsync?: boolean } = {}) {
    const problem = pathProblem(resolve(directory))
    if (problem !== undefined) throw cannotUse(directory, problem)
    this.location = directory
    this.#fsync = options.fsync ?? false
    this.checkpoints = new DirectoryCheckpointStore(join(directory, CHECKPOINT_DIR), options)
    this.checkpoints.runId = this.#runId
  }

  get #stateFile(): string {
    return join(this.location, STATE_FILE)
  }

  get #journalFile(): string {
    return join(this.location, JOURNAL_FILE)
  }

  get #lockFile(): string {
    return join(this.location, LOCK_FILE)
  }

  /**
   * Claims the directory. A lock left by a process that no longer exists (killed, crashed) is taken
   * over; one held by a live run (in this process or another) is an error naming the directory.
   */
  open(): void {
    this.#ensureDirectory()
    claimLock(this.#lockFile, `${process.pid} ${this.#token}`, this.location)
  }

  /** Releases the claim taken by `open`, if it is still ours. */
  close(): void {
    releaseLock(this.#lockFile, `${process.pid} ${this.#token}`)
  }

  load(): SavedExperiment | undefined {
    const stateBytes = readIfExists(this.#stateFile)
    if (stateBytes === undefined) {
      const leftovers = [this.#journalFile, this.checkpoints.directory].filter((p) => existsSync(p))
      if (leftovers.length === 0) return undefined
      throw new RunError(
        'VITUNE_STATE_MISSING',
        `the experiment state file ${this.#stateFile} is missing, but ${leftovers.join(' and ')} exist: the run cannot be resumed without it. Restore the file, or start over with resume: false (which deletes them).`,
      )
    }
    let state: StateFile
    try {
      state = unseal(stateBytes) as StateFile
    } catch (error) {
      if (!(error instanceof UnsealError)) throw error
      throw this.#corrupt(this.#stateFile, error.message)
    }
    if (state === null || typeof state !== 'object' || state.snapshot?.version !== 1)
      throw this.#corrupt(this.#stateFile, `it has an unknown format version (${String(state?.snapshot?.version)})`)
    if (!Number.isSafeInteger(state.journalBytes) || state.journalBytes < 0) throw this.#corrupt(this.#stateFile, 'its journal length is not a byte count')
    const results = this.#readJournal(state)
    if (results.length !== state.snapshot.totalResults) {
      throw this.#corrupt(this.#journalFile, `it holds ${results.length} results where the state file expects ${state.snapshot.totalResults}`)
    }
    // Whatever a crashed run wrote after its last saved state is redone by the resumed run.
    if (existsSync(this.#journalFile)) truncateSync(this.#journalFile, state.journalBytes)
    this.#journalBytes = state.journalBytes
    // A state of an older version has no run id: its checkpoints are accepted as they are, new ones get one.
    if (typeof state.runId === 'string') this.#runId = state.runId
    this.checkpoints.runId = this.#runId
    this.#removeCheckpointsFrom(state.snapshot.nextCheckpointId)
    return { snapshot: state.snapshot, results }
  }

  save(snapshot: ExperimentSnapshot, newResults: readonly Result[]): void {
    this.#ensureDirectory()
    if (newResults.length > 0) {
      const records = newResults.map((result) => {
        const body = sealOrExplain(result, `trial ${result.trialId}: a result at iteration ${result.trainingIteration}`)
        const length = Buffer.alloc(4)
        length.writeUInt32LE(body.length)
        return Buffer.concat([length, body])
      })
      const bytes = Buffer.concat(records)
      const fd = openSync(this.#journalFile, 'a')
      try {
        writeSync(fd, bytes)
        if (this.#fsync) fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      this.#journalBytes += bytes.length
      this.#journalHash.update(bytes)
    }
    const state: StateFile = { snapshot, journalBytes: this.#journalBytes, runId: this.#runId, journalDigest: this.#journalHash.copy().digest('hex') }
    writeFileAtomic(this.#stateFile, sealOrExplain(state, `experiment "${snapshot.experiment}": its state (configs, results, checkpoint refs)`), this.#fsync)
  }

  reset(): void {
    rmSync(this.#stateFile, { force: true })
    rmSync(this.#journalFile, { force: true })
    rmSync(this.checkpoints.directory, { recursive: true, force: true })
    this.#journalBytes = 0
    this.#journalHash = createHash('sha256')
    this.#runId = randomUUID()
    this.checkpoints.runId = this.#runId
    this.#ensureDirectory()
  }

  #ensureDirectory(): void {
    try {
      mkdirSync(this.location, { recursive: true })
    } catch (error) {
      throw cannotUse(this.location, (error as Error).message, error)
    }
  }

  #readJournal(state: StateFile): Result[] {
    this.#journalHash = createHash('sha256')
    if (state.journalBytes === 0) return []
    const bytes = readIfExists(this.#journalFile)
    if (bytes === undefined) {
      throw new RunError(
        'VITUNE_STATE_MISSING',
        `the results journal ${this.#journalFile} is missing, but ${this.#stateFile} records ${state.snapshot.totalResults} results in it. Restore the file, or start over with resume: false.`,
      )
    }
    if (bytes.length < state.journalBytes)
      throw this.#corrupt(this.#journalFile, `it is ${bytes.length} bytes long, shorter than the ${state.journalBytes} the state file vouches for`)
    this.#journalHash.update(bytes.subarray(0, state.journalBytes))
    if (state.journalDigest !== undefined && this.#journalHash.copy().digest('hex') !== state.journalDigest) {
      throw this.#corrupt(this.#journalFile, 'its contents are not the results this run saved (a journal of another run, or one changed since)')
    }
    const results: Result[] = []
    let offset = 0
    while (offset < state.journalBytes) {
      if (offset + 4 > state.journalBytes) throw this.#corrupt(this.#journalFile, `a record header is cut off at byte ${offset}`)
      const length = bytes.readUInt32LE(offset)
      const end = offset + 4 + length
      if (end > state.journalBytes) throw this.#corrupt(this.#journalFile, `the record at byte ${offset} runs past the end`)
      try {
        results.push(unseal(bytes.subarray(offset + 4, end)) as Result)
      } catch (error) {
        if (!(error instanceof UnsealError)) throw error
        throw this.#corrupt(this.#journalFile, `the record at byte ${offset}: ${error.message}`)
      }
      offset = end
    }
    return results
  }

  /** Checkpoints (and temporary files) written after the saved state; the resumed run writes them again. */
  #removeCheckpointsFrom(nextId: number): void {
    const root = this.checkpoints.directory
    if (!existsSync(root)) return
    for (const trial of readdirSync(root, { withFileTypes: true })) {
      // Only trial directories hold checkpoints; a stray file (.DS_Store) is not vitune's and stays.
      if (!trial.isDirectory()) continue
      const dir = join(root, trial.name)
      for (const name of readdirSync(dir)) {
        const match = CHECKPOINT_NAME.exec(name)
        if (name.endsWith('.tmp') || (match !== null && Number(match[1]) >= nextId)) rmSync(join(dir, name), { force: true })
      }
    }
  }

  #corrupt(file: string, why: string): RunError {
    return new RunError(
      'VITUNE_STATE_CORRUPT',
      `the experiment file ${file} is unreadable: ${why}. The run cannot be resumed from it; restore it from a backup, or start over with resume: false.`,
    )
  }
}
