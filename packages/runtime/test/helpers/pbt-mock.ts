// A small fake runner that drives a scheduler through its interface, as Ray's PBT mock tests do.
import type { Config, MutationSpecShape, PbtOptions } from '@vitune/dsl'
import type { TrialHandle } from '../../src/executor.js'
import { applyExploit, type ExploitLog } from '../../src/exploit.js'
import { Population } from '../../src/population.js'
import { deriveStream } from '../../src/random.js'
import { PbtScheduler } from '../../src/schedulers/pbt.js'
import type { ExploitAction, RunnerView, Scheduler, TrialDecision } from '../../src/schedulers/types.js'
import { Trial } from '../../src/trial.js'
import { decided, FRESH_START, type TrialState } from '../../src/trial-state.js'
import type { CheckpointRef, PolicyRecord, Result, TrialStatus } from '../../src/types.js'

/** A live trainable that the mock never pulls: the mock runner reports results itself. */
const IDLE: TrialHandle = {
  next: async () => undefined,
  nextSync: undefined,
  close: async () => {},
  randomState: () => ({}),
}

/** The state a test forces a trial into, built as the runner's would be. */
function stateFor(status: TrialStatus): TrialState {
  switch (status) {
    case 'PENDING':
      return { status, from: FRESH_START }
    case 'RUNNING':
      return { status, handle: IDLE }
    case 'PAUSED':
      return { status, handle: IDLE }
    case 'TERMINATED':
      return { status }
    case 'ERROR':
      return { status, failure: { message: 'forced by the test', stack: undefined, trainingIteration: 0, error: undefined } }
  }
}

/**
 * A real trial of a mock run. Tests may force its status (`trial.status = 'PAUSED'`), which goes
 * through the population as the runner's changes do; `restoredFrom` records whose checkpoint it
 * restarted from at its last exploit (Ray's `restored_checkpoint`).
 */
export class MockTrial extends Trial {
  restoredFrom: string | undefined
  readonly #population: () => Population

  constructor(id: string, index: number, tag: string, config: Config, population: () => Population) {
    super(id, index, tag, config, {})
    this.#population = population
  }

  override get status(): TrialStatus {
    return this.state.status
  }

  override set status(status: TrialStatus) {
    this.#population().move(this, stateFor(status))
  }
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

/**
 * Drives a scheduler as the runner does, without trainables: it reports results itself, and applies
 * decisions and exploits with the runtime's own transitions (`decided`, `applyExploit`).
 */
export class MockRunner implements RunnerView {
  readonly experiment = 'mock'
  readonly population = new Population('mock', [])
  readonly log: ExploitLog = { lineage: [], policyLog: [] }
  readonly exploits: ExploitAction[] = []
  #nextCheckpoint = 0

  constructor(readonly scheduler: Scheduler) {}

  get trials(): readonly MockTrial[] {
    return this.population.trials as readonly MockTrial[]
  }

  get statusCounts() {
    return this.population.statusCounts
  }

  /** Every policy line so far (Ray's `pbt_global.txt`). */
  get globalPolicy(): readonly PolicyRecord[] {
    return this.log.policyLog
  }

  add(config: Config): MockTrial {
    const i = this.trials.length
    const trial = new MockTrial(String(i), i, `${i}tag`, config, () => this.population)
    this.population.add(trial)
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
    this.population.move(trial, decided(trial.state, decision).state)
    return decision
  }

  apply(exploits: readonly ExploitAction[]): void {
    for (const action of exploits) {
      applyExploit(this.population, action, this.log)
      ;(this.population.get(action.event.targetId) as MockTrial).restoredFrom = action.checkpoint.trialId
      this.exploits.push(action)
    }
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
