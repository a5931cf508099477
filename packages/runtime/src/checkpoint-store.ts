import type { CheckpointRef, Result } from './types.js'

/** Where checkpoints live. The memory store is the default; a directory store persists them. */
export interface CheckpointStore {
  /** Stores a copy of `value`, so the trainable may keep changing its own. */
  save(trialId: string, value: unknown, result: Result): CheckpointRef
  /** A copy of the value behind `ref`, for a trainable to resume from. */
  load(ref: CheckpointRef): unknown
}

/** Keeps checkpoints in memory as structured clones. */
export class MemoryCheckpointStore implements CheckpointStore {
  #values = new Map<number, unknown>()
  #nextId = 0

  save(trialId: string, value: unknown, result: Result): CheckpointRef {
    const id = this.#nextId++
    this.#values.set(id, structuredClone(value))
    return { id, trialId, trainingIteration: result.trainingIteration, result }
  }

  load(ref: CheckpointRef): unknown {
    return structuredClone(this.#values.get(ref.id))
  }
}
