import type { ExperimentDef } from '@vitune/dsl'
import type { CheckpointStore } from './checkpoint-store.js'
import type { TrialSnapshot } from './trial.js'
import type { CheckpointKey, ExploitEvent, PolicyRecord, Result } from './types.js'

/** Why a run ended before every trial reached its own stop criteria. */
export type ExperimentStopReason = 'stopExperiment' | 'timeBudget'

/**
 * The experiment's state between two rounds of results: enough to carry on exactly as an
 * uninterrupted run would. Results themselves travel separately, in an append-only journal.
 */
export interface ExperimentSnapshot {
  readonly version: 1
  readonly experiment: string
  /** Identifies the definition; a resume with a different one is refused. */
  readonly fingerprint: string
  /** Every trial reached its end; running again starts a new run. */
  readonly finished: boolean
  readonly stopReason: ExperimentStopReason | undefined
  /** Run time accumulated over all sessions, in seconds of the run's clock. */
  readonly elapsedS: number
  /** Results reported so far; the journal holds exactly this many. */
  readonly totalResults: number
  readonly nextCheckpointId: number
  /** Checkpoints still stored, per trial, oldest first (for retention). */
  readonly storedCheckpoints: readonly CheckpointKey[]
  /** Trial ids in the executor's order (a retried trial moves to the end, as in Ray). */
  readonly order: readonly string[]
  readonly trials: readonly TrialSnapshot[]
  readonly lineage: readonly ExploitEvent[]
  readonly policyLog: readonly PolicyRecord[]
  /** The scheduler's own state, random stream included (see `Scheduler.snapshot`). */
  readonly scheduler: unknown
}

/** What a storage hands back on resume. */
export interface SavedExperiment {
  readonly snapshot: ExperimentSnapshot
  /** Every result in the order it was reported (as many as `snapshot.totalResults`). */
  readonly results: readonly Result[]
}

/**
 * Where a run keeps its state so it can resume after a crash. `@vitune/runtime/node` provides a
 * directory; anything that honours this contract (atomic saves) works.
 */
export interface ExperimentStorage {
  /** Where the state lives, for messages (a directory path). */
  readonly location: string
  /** Where checkpoints go; it must survive the process as the state does. */
  readonly checkpoints: CheckpointStore
  /** The saved state, or undefined when nothing was saved yet. Throws, naming the file, when it is unreadable. */
  load(): SavedExperiment | undefined
  /** Saves the state atomically; `newResults` are the results reported since the previous save. */
  save(snapshot: ExperimentSnapshot, newResults: readonly Result[]): void
  /** Deletes every saved state and checkpoint, for a new run in the same place. */
  reset(): void
  /** Called first: claims the storage for this run, so two runs never write the same state. */
  open?(): void
  /** Called when the run ends, however it ends: releases the claim. */
  close?(): void
}

/** Serialises a definition's shape (functions by their source), so a changed experiment is not resumed by mistake. */
export function fingerprintOf(def: ExperimentDef): string {
  const text = JSON.stringify(
    {
      name: def.name,
      seed: def.seed,
      samples: def.samples,
      space: def.space,
      mutations: def.mutations,
      scheduler: def.scheduler,
      metric: def.metric,
      mode: def.mode,
      stop: def.stop,
      stopExperiment: def.stopExperiment,
      timeBudgetS: def.timeBudgetS,
      maxFailures: def.maxFailures,
      failFast: def.failFast,
      concurrency: def.concurrency,
    },
    (_key, value: unknown) => (typeof value === 'function' ? `fn:${value.toString()}` : value),
  )
  // Two FNV-1a passes with different offsets: 64 bits is plenty to tell definitions apart.
  let a = 0x811c9dc5
  let b = 0x01000193
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193) >>> 0
    b = Math.imul(b ^ c, 0x01000197) >>> 0
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')
}
