import type { TrialHandle } from './executor.js'
import type { TrialFailure } from './result-grid.js'
import type { TrialDecision } from './schedulers/types.js'
import type { CheckpointRef } from './types.js'

/** Where a trainable (re)starts: a checkpoint (none for a fresh start) and the counters it carries on from. */
export interface StartPoint {
  readonly checkpoint: CheckpointRef | undefined
  readonly iteration: number
  readonly timeTotal: number
  /**
   * Set when a resumed run restarts a trainable that was suspended at its latest checkpoint: the
   * trial continues its history, so `iterationsSinceRestore` goes on counting.
   */
  readonly itersSinceRestore?: number
}

/** A trial that has never run. */
export const FRESH_START: StartPoint = Object.freeze({ checkpoint: undefined, iteration: 0, timeTotal: 0 })

/**
 * Where a trial is in its life (Ray's statuses), each with only what it has: a live trainable while
 * it runs or waits between reports, a start point while it waits to (re)start, its last error once
 * it failed for good.
 */
export type TrialState =
  | { readonly status: 'PENDING'; readonly from: StartPoint }
  | { readonly status: 'RUNNING'; readonly handle: TrialHandle }
  /** Waiting between two reports (a synchronous barrier): it resumes pulling the same trainable. */
  | { readonly status: 'PAUSED'; readonly handle: TrialHandle }
  /** Waiting to restart from a checkpoint (after an exploit). */
  | { readonly status: 'PAUSED'; readonly from: StartPoint }
  | { readonly status: 'TERMINATED' }
  | { readonly status: 'ERROR'; readonly failure: TrialFailure }

/** Every trial starts here; one shared object, as the state of a trial that never ran has nothing of its own. */
export const NEW_TRIAL: TrialState = Object.freeze({ status: 'PENDING', from: FRESH_START })

/** The state of every trial that ended well: nothing of its own, so one shared object. */
export const TERMINATED: TrialState = Object.freeze({ status: 'TERMINATED' })

/** A new state, and the trainable the old one held that must now be closed. */
export interface Transition {
  readonly state: TrialState
  readonly close: TrialHandle | undefined
}

/** The live trainable of a state, if it has one. */
export function handleOf(state: TrialState): TrialHandle | undefined {
  return 'handle' in state ? state.handle : undefined
}

/** Where a waiting trial restarts from; undefined when it resumes its live trainable or cannot run. */
export function startPointOf(state: TrialState): StartPoint | undefined {
  return 'from' in state ? state.from : undefined
}

const stay = (state: TrialState): Transition => ({ state, close: undefined })

/** Whether the state is final: TERMINATED and ERROR are never left. */
export const isFinal = (state: TrialState): boolean => state.status === 'TERMINATED' || state.status === 'ERROR'

function illegal(state: TrialState, what: string): never {
  throw new Error(`vitune bug: a ${state.status} trial cannot ${what}`)
}

/** A waiting trial runs: with the trainable it was suspended in, or with a newly started one. */
export function resumed(state: TrialState, start: (from: StartPoint) => TrialHandle): TrialState {
  if (state.status !== 'PENDING' && state.status !== 'PAUSED') illegal(state, 'start running')
  return { status: 'RUNNING', handle: 'handle' in state ? state.handle : start(state.from) }
}

/** What the scheduler decided for the trial whose result it saw. */
export function decided(state: TrialState, decision: TrialDecision): Transition {
  if (decision === 'STOP') return terminated(state)
  // An exploit may already have paused the trial (NOOP); a pause only applies to a running one.
  if (decision === 'PAUSE' && state.status === 'RUNNING') return stay({ status: 'PAUSED', handle: state.handle })
  return stay(state)
}

/** The trial ends well: it returned, met its stop criteria, or the experiment stopped. */
export function terminated(state: TrialState): Transition {
  if (isFinal(state)) return stay(state)
  return { state: TERMINATED, close: handleOf(state) }
}

/** The trial was cloned over: it waits to restart from the donor's checkpoint. */
export function exploited(state: TrialState, from: StartPoint): Transition {
  if (isFinal(state)) illegal(state, 'be exploited')
  return { state: { status: 'PAUSED', from }, close: handleOf(state) }
}

/** The trial raised: it waits to retry from `retryFrom`, or ends as ERROR when no retry is left. */
export function failed(state: TrialState, failure: TrialFailure, retryFrom: StartPoint | undefined): Transition {
  if (isFinal(state)) illegal(state, 'fail')
  const next: TrialState = retryFrom === undefined ? { status: 'ERROR', failure } : { status: 'PENDING', from: retryFrom }
  return { state: next, close: handleOf(state) }
}
