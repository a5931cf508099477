import type { Config } from '@vitune/dsl'
import type { CheckpointRef } from '../types.js'
import { decide, type ExploitAction, type RunnerView, type Scheduler, type SchedulerDecision, type TrialView } from './types.js'

/** Nothing to apply: shared, so no array per finished trial. */
const NO_EXPLOITS: readonly ExploitAction[] = Object.freeze([])
const CONTINUE: SchedulerDecision = Object.freeze(decide('CONTINUE', NO_EXPLOITS))

/**
 * FIFO's choice (Ray's `FIFOScheduler.choose_trial_to_run`), batched: the first PENDING trials in
 * order, then the first PAUSED ones. It remembers where the PENDING trials start: a trial before
 * that point never becomes PENDING where it stands (a retried trial moves to the end of the order),
 * so filling slots costs O(trials) over a whole run instead of O(trials) per slot. A retry that moves
 * a trial from before that point shifts the order; the queue notices and scans from the start once.
 */
export class WaitingQueue {
  #cursor = 0
  #beforeCursor: TrialView | undefined

  first(runner: RunnerView, count: number): TrialView[] {
    const trials = runner.trials
    if (this.#cursor > trials.length || (this.#cursor > 0 && trials[this.#cursor - 1] !== this.#beforeCursor)) this.#cursor = 0
    let i = this.#cursor
    while (i < trials.length && (trials[i] as TrialView).status !== 'PENDING') i++
    this.#cursor = i
    this.#beforeCursor = trials[i - 1]
    const chosen: TrialView[] = []
    for (; i < trials.length && chosen.length < count; i++) if ((trials[i] as TrialView).status === 'PENDING') chosen.push(trials[i] as TrialView)
    if (chosen.length < count && runner.statusCounts.PAUSED > 0) {
      for (const trial of trials) {
        if (trial.status !== 'PAUSED') continue
        chosen.push(trial)
        if (chosen.length === count) break
      }
    }
    return chosen
  }
}

/** First in, first out: every trial runs to its stop criteria (Ray's FIFOScheduler). */
export class FifoScheduler implements Scheduler {
  readonly #queue = new WaitingQueue()

  onTrialAdd(): Config | undefined {
    return undefined
  }
  onTrialResult(): SchedulerDecision {
    return CONTINUE
  }
  onTrialComplete(): readonly ExploitAction[] {
    return NO_EXPLOITS
  }
  onTrialError(): readonly ExploitAction[] {
    return NO_EXPLOITS
  }
  chooseTrialsToRun(runner: RunnerView, count: number): readonly TrialView[] {
    return this.#queue.first(runner, count)
  }
  stats() {
    return {}
  }
  /** FIFO keeps no state worth saving: its queue position is found again by a scan. */
  snapshot(): undefined {
    return undefined
  }
  restore(): void {}
  checkpointsInUse(): readonly CheckpointRef[] {
    return []
  }
}
