// A small fake runner that drives a scheduler through its interface, as Ray's PBT mock tests do.
import type { Config, MutationSpecShape, PbtOptions } from '@vitune/dsl'
import { deriveStream } from '../../src/random.js'
import { PbtScheduler } from '../../src/schedulers/pbt.js'
import type { ExploitAction, RunnerView, Scheduler, TrialDecision, TrialView } from '../../src/schedulers/types.js'
import type { CheckpointRef, PolicyRecord, Result, TrialStatus } from '../../src/types.js'

/** A trial whose fields the test sets directly. */
export class MockTrial implements TrialView {
  status: TrialStatus = 'PENDING'
  lastResult: Result | undefined
  reportCheckpoint: CheckpointRef | undefined
  latestCheckpoint: CheckpointRef | undefined
  /** The trial whose checkpoint it was restored from at its last exploit (Ray's `restored_checkpoint`). */
  restoredFrom: string | undefined
  policy: PolicyRecord[] = []

  constructor(
    readonly id: string,
    readonly index: number,
    public tag: string,
    public config: Config,
  ) {}
}

/** Ray's `result(t, r)` test helper: time and iteration t, reward r. */
export function result(t: number, reward: number, extra: Record<string, unknown> = {}): Result {
  return {
    timeTotalS: t,
    episode_reward_mean: reward,
    trainingIteration: t,
    iterationsSinceRestore: 1,
    timeThisIterS: 1,
    trialId: '',
    config: {},
    checkpointed: true,
    ...extra,
  }
}

/** Applies decisions as the executor does: exploits restart the target from the donor's checkpoint. */
export class MockRunner implements RunnerView {
  readonly experiment = 'mock'
  readonly trials: MockTrial[] = []
  readonly globalPolicy: PolicyRecord[] = []
  readonly exploits: ExploitAction[] = []
  #nextCheckpoint = 0

  constructor(readonly scheduler: Scheduler) {}

  add(config: Config): MockTrial {
    const i = this.trials.length
    const trial = new MockTrial(String(i), i, `${i}tag`, config)
    this.trials.push(trial)
    const filled = this.scheduler.onTrialAdd(this, trial)
    if (filled !== undefined) trial.config = filled
    return trial
  }

  /**
   * Reports `res` for `trial` (set RUNNING first, as Ray's helper does). Every report carries a
   * checkpoint, as Ray's mock saves always succeed, unless `withoutCheckpoint`. `lastResultFirst` updates the trial's last
   * result before the scheduler sees it, as Ray's testReplay and testLogConfig do.
   */
  report(trial: MockTrial, res: Result, options: { lastResultFirst?: boolean; withoutCheckpoint?: boolean } = {}): TrialDecision {
    trial.status = 'RUNNING'
    if (options.withoutCheckpoint) {
      trial.reportCheckpoint = undefined
    } else {
      const checkpoint: CheckpointRef = { id: this.#nextCheckpoint++, trialId: trial.id, trainingIteration: res.trainingIteration, result: res }
      trial.reportCheckpoint = checkpoint
      trial.latestCheckpoint = checkpoint
    }
    if (options.lastResultFirst) trial.lastResult = res
    const { decision, exploits } = this.scheduler.onTrialResult(this, trial, res)
    trial.lastResult = res
    this.apply(exploits)
    if (decision === 'PAUSE' && trial.status === 'RUNNING') trial.status = 'PAUSED'
    if (decision === 'STOP') trial.status = 'TERMINATED'
    return decision
  }

  apply(exploits: readonly ExploitAction[]): void {
    for (const action of exploits) {
      const target = this.#trial(action.event.targetId)
      const donor = this.#trial(action.event.donorId)
      target.status = 'PAUSED'
      target.config = action.event.newConfig
      target.tag = action.tag
      target.latestCheckpoint = action.checkpoint
      target.reportCheckpoint = undefined
      target.restoredFrom = action.checkpoint.trialId
      if (action.policy !== undefined) {
        target.policy = [...donor.policy, action.policy]
        this.globalPolicy.push(action.policy)
      }
      this.exploits.push(action)
    }
  }

  #trial(id: string): MockTrial {
    const trial = this.trials.find((t) => t.id === id)
    if (trial === undefined) throw new Error(`no trial ${id}`)
    return trial
  }
}

/** Options of Ray's `basicSetup`. */
export interface BasicSetupOptions {
  readonly numTrials?: number
  readonly resampleProbability?: number
  readonly customExplore?: PbtOptions['customExplore']
  readonly perturbationInterval?: number
  readonly requireAttrs?: boolean
  readonly hyperparams?: Config
  readonly mutations?: MutationSpecShape
  readonly stepOnce?: boolean
  readonly synch?: boolean
  readonly keepInBounds?: boolean
  readonly burnInPeriod?: number
  readonly quantileFraction?: number
  readonly seed?: number
}

/** The PBT scheduler with Ray's mock settings (metric episode_reward_mean, max, timeAttr trainingIteration). */
export function mockPbt(o: BasicSetupOptions = {}): PbtScheduler {
  return new PbtScheduler(
    {
      perturbationInterval: o.perturbationInterval ?? 10,
      timeAttr: 'trainingIteration',
      burnInPeriod: o.burnInPeriod ?? 0,
      quantileFraction: o.quantileFraction ?? 0.25,
      resampleProbability: o.resampleProbability ?? 0,
      perturbationFactors: [1.2, 0.8],
      synch: o.synch ?? false,
      keepInBounds: o.keepInBounds ?? true,
      requireAttrs: o.requireAttrs ?? true,
      ...(o.customExplore === undefined ? {} : { customExplore: o.customExplore }),
      metric: 'episode_reward_mean',
      mode: 'max',
      mutations: o.mutations ?? { float_factor: () => 100.0, int_factor: () => 10, id_factor: [100] },
    },
    deriveStream(o.seed ?? 0, 'scheduler'),
  )
}

/**
 * Ray's `basicSetup`: five trials `{ float_factor: 2, const_factor: 3, int_factor: 10, id_factor: i }`,
 * all RUNNING, then each reports `result(10, 50 * i)`. Returns the counters at that point, since Ray
 * resets them (`reset_stats`) after the setup.
 */
export function basicSetup(o: BasicSetupOptions = {}) {
  const pbt = mockPbt(o)
  const runner = new MockRunner(pbt)
  const n = o.numTrials ?? 5
  for (let i = 0; i < n; i++) {
    const trial = runner.add(o.hyperparams ?? { float_factor: 2.0, const_factor: 3, int_factor: 10, id_factor: i })
    trial.status = 'RUNNING'
  }
  const decisions: TrialDecision[] = []
  if (o.stepOnce ?? true) {
    for (const [i, trial] of runner.trials.entries()) decisions.push(runner.report(trial, result(10, 50 * i)))
  }
  const base = pbt.stats()
  /** Counters since the setup (Ray's `_num_checkpoints` / `_num_perturbations` after `reset_stats`). */
  const stats = () => ({ checkpoints: pbt.stats().checkpoints - base.checkpoints, perturbations: pbt.stats().perturbations - base.perturbations })
  const lastScores = () => runner.trials.map((t) => pbt.trialState(t.id)?.lastScore)
  return { pbt, runner, trials: runner.trials, decisions, stats, lastScores }
}
