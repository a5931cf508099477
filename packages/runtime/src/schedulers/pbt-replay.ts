import type { Config, PolicyRecord } from '@vitune/dsl'
import { RunError } from '../errors.js'
import { formatVars, freezeConfig } from '../search/variants.js'
import type { CheckpointRef, Result } from '../types.js'
import { WaitingQueue } from './fifo.js'
import { decide, type ExploitAction, type RunnerView, type Scheduler, type SchedulerDecision, type TrialView } from './types.js'

/** A replay schedule: the config to start from, then the config to switch to at each step. */
export interface PolicyChain {
  readonly initialConfig: Config
  /** In chronological order: at `trainingIteration` (the donor's step), switch to `config`. */
  readonly changes: readonly { readonly trainingIteration: number; readonly config: Config }[]
  /** The tag of the trial whose policy this is (the last record's target). */
  readonly tag: string
}

/** The replay's position in its schedule. */
export interface PbtReplayState {
  readonly trialId: string | undefined
  /** Index of the next change point. */
  readonly next: number
  readonly step: number
  readonly numPerturbations: number
}

/**
 * Ray's `_load_policy`: walk the records from last to first and keep them while each one's target
 * is the donor of the record after it. An earlier break means the trial was cloned over later, so
 * what came before is not its history.
 */
export function policyChain(records: readonly PolicyRecord[]): PolicyChain | undefined {
  const kept: PolicyRecord[] = []
  let donorTag: string | undefined
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i] as PolicyRecord
    if (donorTag !== undefined && record[0] !== donorTag) break
    donorTag = record[1]
    kept.push(record)
  }
  const first = kept[kept.length - 1]
  const last = kept[0]
  if (first === undefined || last === undefined) return undefined
  return {
    initialConfig: first[4],
    changes: kept.reverse().map((r) => ({ trainingIteration: r[3], config: r[5] })),
    tag: last[0],
  }
}

/**
 * Replays one trial's PBT schedule (Ray's `PopulationBasedTrainingReplay`): the single trial starts
 * from the chain's initial config, and when its `trainingIteration` reaches a recorded step it
 * restarts from its own latest checkpoint with the recorded config. No weights are cloned.
 */
export class PbtReplayScheduler implements Scheduler {
  readonly #chain: PolicyChain
  #trialId: string | undefined
  #next = 0
  #step = 0
  #numPerturbations = 0
  readonly #queue = new WaitingQueue()

  constructor(records: readonly PolicyRecord[]) {
    const chain = policyChain(records)
    if (chain === undefined) throw new RunError('VITUNE_REPLAY', 'the policy to replay has no records. Pass the policy of a trial that was exploited.')
    // The records belong to the experiment definition: copy them before the trial may hold them.
    const own = (config: Config) => freezeConfig(structuredClone(config))
    this.#chain = { ...chain, initialConfig: own(chain.initialConfig), changes: chain.changes.map((c) => ({ ...c, config: own(c.config) })) }
  }

  onTrialAdd(runner: RunnerView, trial: TrialView): Config | undefined {
    // A failed trial is re-added on retry: keep its place in the schedule.
    if (this.#trialId === trial.id) return undefined
    if (this.#trialId !== undefined) {
      throw new RunError(
        'VITUNE_REPLAY',
        `experiment "${runner.experiment}": a PBT replay runs exactly one trial, but trial ${trial.id} is a second one. Remove grid() and samples() from the replayed experiment's space.`,
      )
    }
    this.#trialId = trial.id
    return this.#chain.initialConfig
  }

  onTrialResult(runner: RunnerView, trial: TrialView, result: Result): SchedulerDecision {
    const change = this.#chain.changes[this.#next]
    const step = result.trainingIteration
    if (change === undefined || typeof step !== 'number') return decide('CONTINUE')
    this.#step = step
    if (step < change.trainingIteration) return decide('CONTINUE')
    const checkpoint = trial.reportCheckpoint ?? trial.latestCheckpoint
    if (checkpoint === undefined) {
      throw new RunError(
        'VITUNE_REPLAY',
        `experiment "${runner.experiment}", trial ${trial.id}: the replayed schedule changes the config at training iteration ${change.trainingIteration}, but the trial has no checkpoint to resume from. Report a checkpoint at least every perturbation interval.`,
      )
    }
    this.#next++
    this.#numPerturbations++
    const action: ExploitAction = {
      checkpoint,
      tag: `replay_${this.#chain.tag}@perturbed[${formatVars(change.config)}]`,
      policy: undefined,
      event: {
        targetId: trial.id,
        donorId: trial.id,
        time: step,
        targetIteration: step,
        donorIteration: step,
        oldConfig: trial.config,
        donorConfig: trial.config,
        newConfig: change.config,
        operations: {},
      },
    }
    return decide('NOOP', [action])
  }

  onTrialComplete(): readonly ExploitAction[] {
    return []
  }

  onTrialError(): readonly ExploitAction[] {
    return []
  }

  chooseTrialsToRun(runner: RunnerView, count: number): readonly TrialView[] {
    return this.#queue.first(runner, count)
  }

  /** The replayed trial restarts from its own checkpoints, which the trial itself keeps referenced. */
  checkpointsInUse(): readonly CheckpointRef[] {
    return []
  }

  stats() {
    return { step: this.#step, perturbations: this.#numPerturbations }
  }

  /** Where the replay is in its schedule, for a persisted experiment. */
  snapshot(): PbtReplayState {
    return { trialId: this.#trialId, next: this.#next, step: this.#step, numPerturbations: this.#numPerturbations }
  }

  /** Puts back what `snapshot()` returned. */
  restore(state: unknown): void {
    const s = state as PbtReplayState
    this.#trialId = s.trialId
    this.#next = s.next
    this.#step = s.step
    this.#numPerturbations = s.numPerturbations
  }
}
