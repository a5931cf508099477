// A thin fake runner for the ASHA, HyperBand, median stopping and PB2 suites: it applies a
// scheduler's decisions to trial statuses as the runner does, and nothing else (Ray's mock runner).
import type { Config } from '@vitune/dsl'
import {
  chooseTrialToRun,
  type ExploitAction,
  type RunnerView,
  type Scheduler,
  type SchedulerDecision,
  type TrialDecision,
  type TrialView,
} from '../../src/schedulers/types.js'
import type { CheckpointRef, Result, TrialStatus } from '../../src/types.js'

/** A trial whose fields the test sets directly. */
export class DriverTrial implements TrialView {
  status: TrialStatus = 'PENDING'
  lastResult: Result | undefined
  reportCheckpoint: CheckpointRef | undefined
  latestCheckpoint: CheckpointRef | undefined

  constructor(
    readonly id: string,
    readonly index: number,
    public tag: string,
    public config: Config,
  ) {}
}

/** Ray's `result(t, rew)` helper: `time_total_s` t, `episode_reward_mean` rew, `training_iteration` int(t). */
export function rayResult(t: number, reward: number, extra: Record<string, unknown> = {}): Result {
  return {
    timeTotalS: t,
    episode_reward_mean: reward,
    trainingIteration: Math.trunc(t),
    iterationsSinceRestore: 1,
    timeThisIterS: 1,
    trialId: '',
    config: {},
    checkpointed: false,
    ...extra,
  }
}

/** Drives a scheduler through its hooks with trials in memory. */
export class SchedulerDriver implements RunnerView {
  readonly experiment = 'driver'
  readonly trials: DriverTrial[] = []
  /** Every other-trial stop a decision carried, in order (HyperBand's). */
  readonly stopped: string[] = []
  /** Every exploit applied, in order. */
  readonly exploits: ExploitAction[] = []
  #nextCheckpoint = 0

  constructor(readonly scheduler: Scheduler) {}

  /** Adds a trial (`ft_0000`, `ft_0001`, ... as Ray's tests name them). */
  add(config: Config = {}): DriverTrial {
    const i = this.trials.length
    const trial = new DriverTrial(`ft_${String(i).padStart(4, '0')}`, i, `${i}`, config)
    this.trials.push(trial)
    const filled = this.scheduler.onTrialAdd(this, trial)
    if (filled !== undefined) trial.config = filled
    return trial
  }

  /**
   * Calls onTrialResult and nothing else, as Ray's ASHA and median stopping tests do: the trial's
   * status stays as it is, whatever the decision.
   */
  decide(trial: DriverTrial, result: Result): TrialDecision {
    const decided = this.scheduler.onTrialResult(this, trial, result)
    trial.lastResult = result
    this.#stopOthers(decided)
    return decided.decision
  }

  /** Reports a result for a RUNNING trial (set RUNNING first, as Ray's helpers do) and applies the decision. */
  report(trial: DriverTrial, result: Result): TrialDecision {
    trial.status = 'RUNNING'
    // Every report carries a checkpoint, as Ray's mock saves always succeed.
    const checkpoint: CheckpointRef = { id: this.#nextCheckpoint++, trialId: trial.id, trainingIteration: result.trainingIteration, result }
    trial.reportCheckpoint = checkpoint
    trial.latestCheckpoint = checkpoint
    const decided = this.scheduler.onTrialResult(this, trial, result)
    const { decision, exploits } = decided
    trial.lastResult = result
    this.#apply(exploits)
    this.#stopOthers(decided)
    if (decision === 'PAUSE' && trial.status === 'RUNNING') trial.status = 'PAUSED'
    else if (decision === 'STOP') this.#terminate(trial)
    return decision
  }

  /** The trial finished with `result` as its last (Ray's `on_trial_complete(trial, result)`). */
  complete(trial: DriverTrial, result?: Result): void {
    if (result !== undefined) trial.lastResult = result
    this.#terminate(trial)
  }

  /** The trial raised and will not be retried. */
  error(trial: DriverTrial): void {
    trial.status = 'ERROR'
    this.#apply(this.scheduler.onTrialError(this, trial))
  }

  /** The runner's choice of the next trial to start, started (RUNNING). */
  launchNext(): DriverTrial | undefined {
    const next = chooseTrialToRun(this.scheduler, this) as DriverTrial | undefined
    if (next !== undefined) next.status = 'RUNNING'
    return next
  }

  /** Ids of trials in `status`. */
  inStatus(status: TrialStatus): string[] {
    return this.trials.filter((t) => t.status === status).map((t) => t.id)
  }

  #terminate(trial: DriverTrial): void {
    trial.status = 'TERMINATED'
    this.#apply(this.scheduler.onTrialComplete(this, trial))
  }

  /** Exploits restart the target, paused, from the donor's checkpoint with the new config. */
  #apply(exploits: readonly ExploitAction[]): void {
    for (const action of exploits) {
      const target = this.trials.find((t) => t.id === action.event.targetId) as DriverTrial
      target.status = 'PAUSED'
      target.config = action.event.newConfig
      target.tag = action.tag
      target.latestCheckpoint = action.checkpoint
      target.reportCheckpoint = undefined
      this.exploits.push(action)
    }
  }

  /** Ends the other trials a decision stops, without telling the scheduler (as the runner does). */
  #stopOthers(decided: SchedulerDecision): void {
    for (const id of decided.stop ?? []) {
      this.stopped.push(id)
      const other = this.trials.find((t) => t.id === id)
      if (other !== undefined) other.status = 'TERMINATED'
    }
  }

  /** Trials per status, kept current by scanning: the driver's trials are few. */
  get statusCounts(): Readonly<Record<TrialStatus, number>> {
    const counts: Record<TrialStatus, number> = { PENDING: 0, RUNNING: 0, PAUSED: 0, TERMINATED: 0, ERROR: 0 }
    for (const t of this.trials) counts[t.status]++
    return counts
  }
}
