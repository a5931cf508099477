import type { ExperimentDef } from '@vitune/dsl'
import { RunError } from './errors.js'
import type { PbtSchedulerState, PbtTrialSnapshot } from './schedulers/pbt.js'
import type { PbtReplayState } from './schedulers/pbt-replay.js'
import type { SavedExperiment } from './snapshot.js'

/**
 * A saved state that passed its checksum but is not a state of this run: rewritten by hand, or
 * re-sealed around parts of another run. Checksums catch damage; these checks catch a state whose
 * parts do not fit together, before anything is restored from it (a restore would throw a raw
 * TypeError, or resume with another run's scheduler). A forgery that fits together cannot be told
 * from the real thing without a key, and vitune keeps none.
 */
class Invalid extends Error {}

function need(ok: boolean, why: string): asserts ok {
  if (!ok) throw new Invalid(why)
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0
const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value)

/** What the scheduler's state may refer to: the run's trials and the checkpoints it has stored. */
interface RunParts {
  readonly trials: ReadonlySet<string>
  readonly checkpoints: ReadonlySet<number>
}

function checkRef(value: unknown, parts: RunParts, what: string): void {
  if (value === undefined) return
  need(isObject(value) && isCount(value.id) && typeof value.trialId === 'string', `${what} is not a checkpoint reference`)
  need(parts.checkpoints.has(value.id), `${what} is checkpoint ${value.id}, which this run has not stored`)
}

type Check<T> = { readonly [K in keyof T]-?: (value: unknown, parts: RunParts, where: string) => void }

// One check per field: a field added to these state types fails to compile until it is checked here.
const PBT_TRIAL: Check<PbtTrialSnapshot> = {
  origTag: (v, _p, w) => need(typeof v === 'string', `${w}'s tag is not text`),
  lastScore: (v, _p, w) => need(v === undefined || typeof v === 'number', `${w}'s score is not a number`),
  lastCheckpoint: (v, p, w) => checkRef(v, p, `${w}'s donor checkpoint`),
  lastPerturbationTime: (v, _p, w) => need(isNumber(v), `${w}'s last perturbation time is not a number`),
  lastTrainTime: (v, _p, w) => need(isNumber(v), `${w}'s last train time is not a number`),
  lastResult: (v, _p, w) => need(v === undefined || isObject(v), `${w}'s last result is not a result`),
}

const PBT_STATE: Check<PbtSchedulerState> = {
  nextPerturbationSync: (v) => need(isNumber(v), 'its next synchronous barrier is not a number'),
  numCheckpoints: (v) => need(isCount(v), 'its checkpoint count is not a count'),
  numPerturbations: (v) => need(isCount(v), 'its perturbation count is not a count'),
  random: (v) => need(isObject(v), 'its random stream has no state'),
  // The explore strategy's own data (PB2's observations): the strategy's restore reads it.
  explore: () => undefined,
  trials: (v, parts) => {
    need(Array.isArray(v), 'its trials are not a list')
    const seen = new Set<string>()
    for (const entry of v as unknown[]) {
      need(Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && isObject(entry[1]), 'a trial entry is not [id, state]')
      const [id, state] = entry as [string, Record<string, unknown>]
      need(parts.trials.has(id), `it has trial ${id}, which this run does not`)
      need(!seen.has(id), `it has trial ${id} twice`)
      seen.add(id)
      checkFields(PBT_TRIAL, state, parts, `trial ${id}`)
    }
  },
}

const REPLAY_STATE: Check<PbtReplayState> = {
  trialId: (v, p) => need(v === undefined || (typeof v === 'string' && p.trials.has(v)), `it replays trial ${String(v)}, which this run does not have`),
  next: (v) => need(isCount(v), 'its next change point is not a count'),
  step: (v) => need(isNumber(v), 'its step is not a number'),
  numPerturbations: (v) => need(isCount(v), 'its perturbation count is not a count'),
}

function checkFields<T>(checks: Check<T>, value: Record<string, unknown>, parts: RunParts, where: string): void {
  for (const [key, check] of Object.entries(checks) as [string, Check<T>[keyof T]][]) check(value[key], parts, where)
}

const STATUSES = new Set(['PENDING', 'RUNNING', 'PAUSED', 'TERMINATED', 'ERROR'])

function checkTrials(snapshot: Record<string, unknown>): Set<string> {
  need(Array.isArray(snapshot.trials), 'its trials are not a list')
  const ids = new Set<string>()
  for (const trial of snapshot.trials as unknown[]) {
    need(isObject(trial) && typeof trial.id === 'string', 'a trial has no id')
    need(!ids.has(trial.id), `trial ${trial.id} appears twice`)
    ids.add(trial.id)
    need(STATUSES.has(trial.status as string), `trial ${trial.id} has no valid status`)
    need(isCount(trial.index) && isNumber(trial.iteration) && isCount(trial.numFailures), `trial ${trial.id}'s counters are not numbers`)
    for (const list of ['failures', 'configHistory', 'lineage', 'policy'] as const)
      need(Array.isArray(trial[list]), `trial ${trial.id}'s ${list} is not a list`)
    need(isObject(trial.stream), `trial ${trial.id}'s random stream has no state`)
  }
  const order = snapshot.order
  need(
    Array.isArray(order) && order.length === ids.size && order.every((id) => ids.has(id as string)) && new Set(order).size === ids.size,
    'its trial order does not list its trials',
  )
  return ids
}

/** The part of a saved state the resume decision reads: whose run it is and whether it finished. */
export function checkSnapshotHeader(saved: SavedExperiment, location: string): void {
  guard(location, () => {
    const snapshot = saved.snapshot as unknown
    need(isObject(snapshot), 'it holds no snapshot')
    need(typeof snapshot.experiment === 'string' && typeof snapshot.fingerprint === 'string', 'it names no experiment')
    need(typeof snapshot.finished === 'boolean', 'it does not say whether the run finished')
  })
}

/**
 * Checks that a saved state's parts fit together and fit this experiment: counters are counts, the
 * trial order lists the trials, and the scheduler's state is of this experiment's scheduler and
 * refers only to this run's trials and stored checkpoints. Throws VITUNE_STATE_CORRUPT naming `location`.
 */
export function checkSnapshot(def: ExperimentDef, saved: SavedExperiment, location: string): void {
  guard(location, () => {
    const snapshot = saved.snapshot as unknown as Record<string, unknown>
    need(isNumber(snapshot.elapsedS) && (snapshot.elapsedS as number) >= 0, 'its run time is not a number')
    need(isCount(snapshot.totalResults) && snapshot.totalResults === saved.results.length, 'its result count does not match the results')
    need(isCount(snapshot.nextCheckpointId), 'its checkpoint counter is not a count')
    need(Array.isArray(snapshot.lineage) && Array.isArray(snapshot.policyLog), 'its lineage or policy log is not a list')
    const trials = checkTrials(snapshot)
    need(Array.isArray(snapshot.storedCheckpoints), 'its stored checkpoints are not a list')
    const checkpoints = new Set<number>()
    for (const key of snapshot.storedCheckpoints as unknown[]) {
      need(isObject(key) && isCount(key.id) && (key.id as number) < (snapshot.nextCheckpointId as number), 'a stored checkpoint has no valid number')
      need(trials.has(key.trialId as string), `stored checkpoint ${key.id as number} belongs to no trial of this run`)
      checkpoints.add(key.id as number)
    }
    const parts: RunParts = { trials, checkpoints }
    const scheduler = snapshot.scheduler
    const kind = def.scheduler.kind
    if (kind === 'pbt') {
      need(isObject(scheduler), 'it has no PBT scheduler state')
      checkFields(PBT_STATE, scheduler, parts, 'PBT')
    } else if (kind === 'pbtReplay') {
      need(isObject(scheduler), 'it has no replay state')
      checkFields(REPLAY_STATE, scheduler, parts, 'replay')
    }
  })
}

function guard(location: string, check: () => void): void {
  try {
    check()
  } catch (error) {
    if (!(error instanceof Invalid)) throw error
    throw new RunError(
      'VITUNE_STATE_CORRUPT',
      `the saved experiment state in ${location} is not a state of this run: ${error.message}. Its checksum is valid, so it was rewritten after vitune saved it. Restore it from a backup, or start over with resume: false.`,
    )
  }
}
