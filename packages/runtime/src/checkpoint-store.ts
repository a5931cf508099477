import { cloneCheckpoint, takeHandedOver } from './clone.js'
import { RunError } from './errors.js'
import { sparesForThreads, TypedArrayPool } from './typed-array-pool.js'
import type { CheckpointKey, CheckpointRef } from './types.js'

/**
 * Where checkpoints live. The runner numbers them (so a resumed run numbers them as the
 * uninterrupted one did); a store only keeps values under those refs.
 */
export interface CheckpointStore {
  /**
   * Stores a copy of `value`, so the trainable may keep changing its own. A value marked with
   * `handOver` (a copy nobody else holds, as a worker thread's report) may be kept as it is.
   */
  save(ref: CheckpointRef, value: unknown): void
  /** A copy of the value behind `ref`, for a trainable to resume from. Throws, naming the file, if it is gone or unreadable. */
  load(ref: CheckpointRef): unknown
  /** Frees a checkpoint that nothing will hand out again (retention). */
  delete(ref: CheckpointKey): void
  /** Throws, naming the file, when `ref` can no longer be loaded; called on resume before anything runs. */
  assertReadable(ref: CheckpointRef): void
}

/** Keeps checkpoints in memory as structured clones (`cloneCheckpoint`: the same copy, faster for plain data and typed arrays). */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #values = new Map<number, unknown>()
  /**
   * Typed arrays of deleted checkpoints, reused by the next save of the same shape: copying into
   * memory already in use is several times faster than into fresh pages (docs/benchmarks.md).
   */
  readonly #spare = new TypedArrayPool()
  /** Checkpoints a worker thread copied and sent: their arrays go back to a thread once deleted. */
  readonly #fromThreads = new Set<number>()

  save(ref: CheckpointRef, value: unknown): void {
    // A worker thread's checkpoint arrived as a private copy: copying it again would be waste.
    if (takeHandedOver(value)) {
      this.#values.set(ref.id, value)
      this.#fromThreads.add(ref.id)
    } else this.#values.set(ref.id, cloneCheckpoint(value, this.#spare))
  }

  load(ref: CheckpointRef): unknown {
    this.assertReadable(ref)
    return cloneCheckpoint(this.#values.get(ref.id))
  }

  delete(ref: CheckpointKey): void {
    // The stored copy was never handed out (load copies it), so nothing else can see its arrays. A
    // worker thread's go back to a thread, which makes the copies; this thread would never reuse them.
    const pool = this.#fromThreads.delete(ref.id) ? sparesForThreads : this.#spare
    pool.recycle(this.#values.get(ref.id))
    this.#values.delete(ref.id)
  }

  assertReadable(ref: CheckpointRef): void {
    if (!this.#values.has(ref.id))
      throw new RunError(
        'VITUNE_CHECKPOINT_MISSING',
        `checkpoint ${ref.id} of trial ${ref.trialId} is not in memory: it was deleted or never saved. This is a vitune bug; please report it.`,
      )
  }

  /** How many checkpoints are held (for tests of retention). */
  get size(): number {
    return this.#values.size
  }
}
