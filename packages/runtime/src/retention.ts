import type { CheckpointKey } from './types.js'

/**
 * The checkpoints a run has stored, per trial, and which of them retention may delete. A checkpoint
 * that anything may still hand out (a trial's latest, a restore target, a PBT donor's, one the last
 * saved state points to) is never deleted, however old: deleting those is Ray's #9036.
 */
export class CheckpointLedger {
  readonly #byTrial = new Map<string, CheckpointKey[]>()

  constructor(stored: readonly CheckpointKey[] = []) {
    for (const ref of stored) this.add(ref)
  }

  add({ id, trialId }: CheckpointKey): void {
    const ref = { id, trialId }
    const list = this.#byTrial.get(ref.trialId)
    if (list === undefined) this.#byTrial.set(ref.trialId, [ref])
    else list.push(ref)
  }

  /** Every stored checkpoint, in the order they were added per trial. */
  all(): CheckpointKey[] {
    return [...this.#byTrial.values()].flat()
  }

  /** Removes and returns the checkpoints beyond the newest `keep` per trial that nothing uses. */
  prune(keep: number, inUse: ReadonlySet<number>): CheckpointKey[] {
    const deleted: CheckpointKey[] = []
    for (const [trialId, list] of this.#byTrial) {
      const newest = new Set(list.slice(-keep).map((r) => r.id))
      const kept = list.filter((r) => newest.has(r.id) || inUse.has(r.id))
      if (kept.length === list.length) continue
      for (const r of list) if (!kept.includes(r)) deleted.push(r)
      this.#byTrial.set(trialId, kept)
    }
    return deleted
  }
}
