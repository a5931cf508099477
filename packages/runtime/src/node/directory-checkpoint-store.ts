import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { CheckpointStore } from '../checkpoint-store.js'
import { RunError } from '../errors.js'
import type { CheckpointKey, CheckpointRef } from '../types.js'
import { readIfExists, seal, UnsealError, unseal, writeFileAtomic } from './sealed-file.js'

/**
 * Keeps each checkpoint in its own file, `<directory>/<trial id>/checkpoint_<id>.bin` (Ray's
 * `checkpoint_000012` naming), written atomically. Values must be structured-cloneable.
 */
export class DirectoryCheckpointStore implements CheckpointStore {
  /** The directory that holds one subdirectory per trial. */
  readonly directory: string

  readonly #fsync: boolean
  /**
   * The run the checkpoints belong to (`DirectoryStorage` sets it): each file carries it, and a file
   * of another run is refused on load. Undefined: files are neither tagged nor checked.
   */
  runId: string | undefined = undefined

  /** `fsync: true` flushes each file to disk before it replaces the old one (survives power loss, not only crashes). */
  constructor(directory: string, options: { readonly fsync?: boolean } = {}) {
    this.directory = directory
    this.#fsync = options.fsync ?? false
  }

  /** The file a checkpoint lives in. */
  fileOf(ref: CheckpointKey): string {
    return join(this.directory, ref.trialId, `checkpoint_${String(ref.id).padStart(6, '0')}.bin`)
  }

  save(ref: CheckpointRef, value: unknown): void {
    let bytes: Buffer
    try {
      bytes = seal({ runId: this.runId, id: ref.id, trialId: ref.trialId, value })
    } catch (error) {
      throw new RunError(
        'VITUNE_CHECKPOINT_CORRUPT',
        `trial ${ref.trialId}: its checkpoint at iteration ${ref.trainingIteration} cannot be stored: ${(error as Error).message}. Checkpoints must be structured-cloneable (plain objects, arrays, typed arrays, Maps; no functions or class instances).`,
        { cause: error },
      )
    }
    mkdirSync(join(this.directory, ref.trialId), { recursive: true })
    writeFileAtomic(this.fileOf(ref), bytes, this.#fsync)
  }

  load(ref: CheckpointRef): unknown {
    const file = this.fileOf(ref)
    const bytes = readIfExists(file)
    if (bytes === undefined) throw this.#missing(ref, file)
    let stored: { runId?: string; id: number; trialId: string; value: unknown }
    try {
      stored = unseal(bytes) as typeof stored
    } catch (error) {
      if (!(error instanceof UnsealError)) throw error
      throw new RunError(
        'VITUNE_CHECKPOINT_CORRUPT',
        `trial ${ref.trialId}: the checkpoint file ${file} is unreadable: ${error.message}. Restore the file from a backup, or start the experiment over with resume: false.`,
      )
    }
    if (stored.runId !== undefined && this.runId !== undefined && stored.runId !== this.runId) {
      throw new RunError(
        'VITUNE_CHECKPOINT_CORRUPT',
        `trial ${ref.trialId}: the checkpoint file ${file} belongs to another run of the experiment (run ${stored.runId}, this run is ${this.runId}). Was it copied from another directory? Restore this run's file, or start over with resume: false.`,
      )
    }
    if (stored.id !== ref.id || stored.trialId !== ref.trialId) {
      throw new RunError(
        'VITUNE_CHECKPOINT_CORRUPT',
        `trial ${ref.trialId}: the checkpoint file ${file} holds checkpoint ${stored.id} of trial ${stored.trialId}, not ${ref.id}. Was it copied from another experiment? Start over with resume: false.`,
      )
    }
    return stored.value
  }

  delete(ref: CheckpointKey): void {
    rmSync(this.fileOf(ref), { force: true })
  }

  assertReadable(ref: CheckpointRef): void {
    const file = this.fileOf(ref)
    if (!existsSync(file)) throw this.#missing(ref, file)
  }

  #missing(ref: CheckpointRef, file: string): RunError {
    return new RunError(
      'VITUNE_CHECKPOINT_MISSING',
      `trial ${ref.trialId}: the checkpoint file ${file} (iteration ${ref.trainingIteration}) is missing, but the experiment still needs it. Restore the file, or start the experiment over with resume: false.`,
    )
  }
}
