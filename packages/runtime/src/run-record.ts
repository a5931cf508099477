import type { ExperimentDef } from '@vitune/dsl'
import type { CheckpointStore } from './checkpoint-store.js'
import { RunError } from './errors.js'
import { CheckpointLedger } from './retention.js'
import type { Scheduler } from './schedulers/types.js'
import { type ExperimentSnapshot, type ExperimentStopReason, type ExperimentStorage, fingerprintOf, type SavedExperiment } from './snapshot.js'
import { checkSnapshot, checkSnapshotHeader } from './snapshot-check.js'
import type { Trial } from './trial.js'
import { startPointOf } from './trial-state.js'
import type { CheckpointRef, ExploitEvent, PolicyRecord, Result } from './types.js'

/** What a save reads from the executor. */
export interface RunView {
  readonly experiment: string
  readonly trials: readonly Trial[]
  readonly scheduler: Scheduler
  readonly lineage: readonly ExploitEvent[]
  readonly policyLog: readonly PolicyRecord[]
  readonly stopReason: ExperimentStopReason | undefined
  readonly elapsedS: number
}

/** Every checkpoint something may still hand out: trials' latest and restore targets, and the scheduler's donors. */
export function referencedCheckpoints(trials: readonly Trial[], scheduler: Scheduler): Map<number, CheckpointRef> {
  const refs = new Map<number, CheckpointRef>()
  const add = (ref: CheckpointRef | undefined) => {
    if (ref !== undefined) refs.set(ref.id, ref)
  }
  for (const trial of trials) {
    add(trial.latestCheckpoint)
    add(trial.reportCheckpoint)
    add(startPointOf(trial.state)?.checkpoint)
  }
  for (const ref of scheduler.checkpointsInUse()) add(ref)
  return refs
}

/** The unfinished run to resume, if any; a finished one (or `resume: false`) is cleared for a new run. */
export function loadSaved(def: ExperimentDef, storage: ExperimentStorage | undefined, resume: boolean): SavedExperiment | undefined {
  if (storage === undefined) return undefined
  if (!resume) {
    storage.reset()
    return undefined
  }
  const saved = storage.load()
  if (saved === undefined) return undefined
  checkSnapshotHeader(saved, storage.location)
  const { snapshot } = saved
  // A finished run of this experiment is replaced, whatever changed in its definition (fault-tolerance.md);
  // one of another experiment is refused, so two experiments never share a directory by accident.
  if (snapshot.finished && snapshot.experiment === def.name) {
    storage.reset()
    return undefined
  }
  if (snapshot.experiment !== def.name) {
    throw new RunError(
      'VITUNE_STATE_MISMATCH',
      `experiment "${def.name}": ${storage.location} holds a${snapshot.finished ? ' finished' : 'n unfinished'} run of experiment "${snapshot.experiment}". Give this experiment its own storage path, or pass resume: false to delete that run's state and start over there.`,
    )
  }
  if (snapshot.fingerprint !== fingerprintOf(def)) {
    throw new RunError(
      'VITUNE_STATE_MISMATCH',
      `experiment "${def.name}": ${storage.location} holds an unfinished run of a different definition of this experiment (space, scheduler, stop rules, seed or concurrency changed). Restore the definition to resume it, pass resume: false to start over, or use another storage path.`,
    )
  }
  checkSnapshot(def, saved, storage.location)
  return saved
}

/**
 * The run's bookkeeping besides its trials: checkpoint numbering and retention, the results not
 * yet saved, and the saves themselves.
 */
export class RunRecord {
  readonly #def: ExperimentDef
  readonly #store: CheckpointStore
  readonly #storage: ExperimentStorage | undefined
  readonly #fingerprint: string
  #ledger = new CheckpointLedger()
  #nextCheckpointId = 0
  #totalResults = 0
  /** Results reported since the last save, for the storage's journal. */
  #unsaved: Result[] = []
  /** Checkpoints the last saved state points to: retention keeps them until the next save. */
  #savedRefs: ReadonlySet<number> = new Set()
  /** Run time of earlier sessions, in seconds. */
  elapsedBefore = 0

  constructor(def: ExperimentDef, store: CheckpointStore, storage: ExperimentStorage | undefined) {
    this.#def = def
    this.#store = store
    this.#storage = storage
    this.#fingerprint = fingerprintOf(def)
  }

  /** Whether `persist` has anything to do: a storage to save to, or checkpoints to prune. */
  get active(): boolean {
    return this.#storage !== undefined || this.#def.storage?.keepCheckpoints !== undefined
  }

  /** Results reported so far, over all sessions. */
  get totalResults(): number {
    return this.#totalResults
  }

  /** Stores a reported checkpoint under the next id (ids continue across a resume, as if uninterrupted). */
  checkpoint(trialId: string, value: unknown, result: Result): CheckpointRef {
    const ref: CheckpointRef = { id: this.#nextCheckpointId++, trialId, trainingIteration: result.trainingIteration, result }
    this.#store.save(ref, value)
    // The ledger serves retention and saved states only; without either it would just grow.
    if (this.#storage !== undefined || this.#def.storage?.keepCheckpoints !== undefined) this.#ledger.add(ref)
    return ref
  }

  /** Counts a result and queues it for the next save. */
  result(result: Result): void {
    this.#totalResults++
    // Without storage nothing is ever saved: queueing would only keep a second list of every result.
    if (this.#storage !== undefined) this.#unsaved.push(result)
  }

  /** Takes the counters of a saved state and checks that every checkpoint it needs is still readable. */
  restore(snapshot: ExperimentSnapshot, referenced: ReadonlyMap<number, CheckpointRef>): void {
    this.#ledger = new CheckpointLedger(snapshot.storedCheckpoints)
    this.#nextCheckpointId = snapshot.nextCheckpointId
    this.#totalResults = snapshot.totalResults
    this.elapsedBefore = snapshot.elapsedS
    for (const ref of referenced.values()) this.#store.assertReadable(ref)
    this.#savedRefs = new Set(referenced.keys())
  }

  /**
   * After each round of results: applies checkpoint retention and saves the state. The state is only
   * saved when every suspended trainable sits at a checkpoint, so a resume can restart it exactly.
   */
  persist(view: RunView, finished: boolean): void {
    const keep = this.#def.storage?.keepCheckpoints
    if (this.#storage === undefined && keep === undefined) return
    const referenced = referencedCheckpoints(view.trials, view.scheduler)
    if (this.#storage === undefined) {
      if (keep !== undefined) for (const ref of this.#ledger.prune(keep, new Set(referenced.keys()))) this.#store.delete(ref)
      return
    }
    if (!finished && !view.trials.every((t) => t.restartable)) return
    if (keep !== undefined) {
      const protect = new Set([...referenced.keys(), ...this.#savedRefs])
      for (const ref of this.#ledger.prune(keep, protect)) this.#store.delete(ref)
    }
    this.#storage.save(this.#snapshot(view, finished), this.#unsaved)
    this.#unsaved = []
    this.#savedRefs = new Set(referenced.keys())
  }

  #snapshot(view: RunView, finished: boolean): ExperimentSnapshot {
    return {
      version: 1,
      experiment: view.experiment,
      fingerprint: this.#fingerprint,
      finished,
      stopReason: view.stopReason,
      elapsedS: view.elapsedS,
      totalResults: this.#totalResults,
      nextCheckpointId: this.#nextCheckpointId,
      storedCheckpoints: this.#ledger.all(),
      order: view.trials.map((t) => t.id),
      trials: view.trials.map((t) => t.snapshot(this.#def.seed)),
      lineage: view.lineage,
      policyLog: view.policyLog,
      scheduler: view.scheduler.snapshot(),
    }
  }
}
