import type { RunnerView } from './schedulers/types.js'
import { SET_STATE, type Trial } from './trial.js'
import type { TrialState } from './trial-state.js'
import type { TrialStatus } from './types.js'

/**
 * The trials of a run in executor order, with how many are in each status. The one place a trial's
 * state changes (`move`), so the counts are always right; the runner and the test runners share it.
 */
export class Population implements RunnerView {
  readonly experiment: string
  readonly statusCounts: Record<TrialStatus, number> = { PENDING: 0, RUNNING: 0, PAUSED: 0, TERMINATED: 0, ERROR: 0 }
  #trials: Trial[]
  /** Built at the first look-up by id (exploits, resumes): a FIFO run of a million trials never needs it. */
  #byIdMap: Map<string, Trial> | undefined

  constructor(experiment: string, trials: readonly Trial[]) {
    this.experiment = experiment
    this.#trials = [...trials]
    for (let i = 0; i < trials.length; i++) this.statusCounts[(trials[i] as Trial).status]++
  }

  get #byId(): Map<string, Trial> {
    if (this.#byIdMap === undefined) {
      this.#byIdMap = new Map()
      for (const trial of this.#trials) this.#byIdMap.set(trial.id, trial)
    }
    return this.#byIdMap
  }

  /** The trials in executor order (a retried trial moves to the end, as in Ray). */
  get trials(): readonly Trial[] {
    return this.#trials
  }

  /** The trial with this id; throws for an id the run does not have. */
  get(id: string): Trial {
    const trial = this.#byId.get(id)
    if (trial === undefined) throw new Error(`vitune bug: experiment "${this.experiment}" has no trial ${id}`)
    return trial
  }

  /** Whether the run has a trial with this id. */
  has(id: string): boolean {
    return this.#byId.has(id)
  }

  /** Adds a trial at the end of the order (test runners add trials one at a time). */
  add(trial: Trial): void {
    if (this.#byId.has(trial.id)) throw new Error(`vitune bug: experiment "${this.experiment}" already has trial ${trial.id}`)
    this.#trials.push(trial)
    this.#byId.set(trial.id, trial)
    this.statusCounts[trial.status]++
  }

  /** Puts `trial` into `state`. */
  move(trial: Trial, state: TrialState): void {
    this.statusCounts[trial.status]--
    this.statusCounts[state.status]++
    trial[SET_STATE](state)
  }

  /** Moves `trial` to the end of the order: Ray requeues a recovering trial there. */
  requeue(trial: Trial): void {
    this.#trials = this.#trials.filter((t) => t !== trial)
    this.#trials.push(trial)
  }

  /** Puts the trials in the order of `ids` (a resumed run's saved order). */
  reorder(ids: readonly string[]): void {
    this.#trials = ids.map((id) => this.get(id))
  }
}
