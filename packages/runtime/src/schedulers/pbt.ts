import type { Config } from '@vitune/dsl'
import { RunError } from '../errors.js'
import { deriveStream, type RandomStream, randomIndex } from '../random.js'
import { formatVars, freezeConfig } from '../search/variants.js'
import type { CheckpointRef, Result } from '../types.js'
import { AsyncPerturbation } from './pbt-async.js'
import type { Explored } from './pbt-explore.js'
import type { PbtCore, PbtMode, PbtSchedulerOptions, PbtSchedulerState, PbtTrialSnapshot, PbtTrialState, QuantileView } from './pbt-state.js'
import { type ExploreStrategy, PerturbationExplore } from './pbt-strategy.js'
import { SyncRounds } from './pbt-sync.js'
import { decide, type ExploitAction, type RunnerView, type Scheduler, type SchedulerDecision, type TrialView } from './types.js'

export type { PbtSchedulerOptions, PbtSchedulerState, PbtTrialSnapshot } from './pbt-state.js'

/** Most results change nothing: one shared decision instead of an object per result. */
const CONTINUE: SchedulerDecision = Object.freeze(decide('CONTINUE', Object.freeze([])))

/**
 * Population Based Training, a port of Ray Tune's `PopulationBasedTraining`. The core here records
 * scores and decides who is due; the mode (synchronous rounds or asynchronous perturbation) ranks
 * and perturbs; the explore strategy (PBT's perturbation, PB2's GP-bandit) finds new configs.
 * See docs/ray-differences.md for where it deliberately differs.
 */
export class PbtScheduler implements Scheduler, PbtCore {
  readonly options: PbtSchedulerOptions
  readonly #explore: ExploreStrategy
  readonly #mode: PbtMode
  #stream: RandomStream
  readonly #sign: 1 | -1
  readonly #state = new Map<string, PbtTrialState>()
  #numCheckpoints = 0
  #numPerturbations = 0
  /** Trials whose state came from `loadState` and that were not added since. */
  #restored = new Set<string>()

  /** `explore` defaults to PBT's perturbation of the mutated keys; PB2 passes its GP-bandit. */
  constructor(options: PbtSchedulerOptions, stream: RandomStream, explore: ExploreStrategy = new PerturbationExplore(options.mutations, options)) {
    this.options = options
    this.#explore = explore
    this.#stream = stream
    this.#sign = options.mode === 'max' ? 1 : -1
    this.#mode = options.synch ? new SyncRounds(this) : new AsyncPerturbation(this)
  }

  /** Every trial's PBT state, in add order. */
  get states(): ReadonlyMap<string, PbtTrialState> {
    return this.#state
  }

  onTrialAdd(_runner: RunnerView, trial: TrialView): Config | undefined {
    // The first add after loadState resumes the saved state; its config was filled before the save.
    if (this.#restored.delete(trial.id)) return undefined
    const previous = this.#state.get(trial.id)
    if (previous !== undefined) this.#mode.unrank(previous)
    // Re-adding after a failure rebuilds the state, as Ray does; Map.set keeps the insertion position.
    this.#state.set(trial.id, {
      order: previous?.order ?? this.#state.size,
      origTag: trial.tag,
      lastScore: undefined,
      lastCheckpoint: undefined,
      lastPerturbationTime: 0,
      lastTrainTime: 0,
      lastResult: undefined,
    })
    return this.#explore.fill(trial.config, this.#stream)
  }

  onTrialResult(runner: RunnerView, trial: TrialView, result: Result): SchedulerDecision {
    const o = this.options
    const time = result[o.timeAttr]
    const score = result[o.metric]
    if (typeof time !== 'number' || typeof score !== 'number') {
      const key = typeof time !== 'number' ? o.timeAttr : o.metric
      if (!o.requireAttrs) return CONTINUE
      throw new RunError(
        'VITUNE_MISSING_RESULT_KEY',
        `experiment "${runner.experiment}", trial ${trial.id}: the result has no numeric \`${key}\`, which PBT needs (${key === o.metric ? 'the metric' : 'timeAttr'}). Report it from the trainable, or pass requireAttrs: false to .pbt() to ignore such results.`,
      )
    }
    const state = this.stateOf(trial)
    if (time < o.burnInPeriod) return CONTINUE
    if (time - state.lastPerturbationTime < o.perturbationInterval) return CONTINUE
    if (!this.#mode.counts(time)) return CONTINUE
    this.#mode.unrank(state)
    state.lastScore = this.#sign * score
    this.#mode.rank(trial, state)
    state.lastTrainTime = time
    state.lastResult = result
    this.#explore.scored(trial, time, state.lastScore)
    const exploits: ExploitAction[] = []
    const decision = this.#mode.due(runner, trial, state, time, result, exploits)
    return exploits.length === 0 && decision === 'CONTINUE' ? CONTINUE : decide(decision, exploits)
  }

  onTrialComplete(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    return this.#mode.finished(runner, trial)
  }

  onTrialError(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    return this.#mode.finished(runner, trial)
  }

  /**
   * The trials that may run, by `lastTrainTime` and then list order (Ray's choice, first), at most
   * `count`: what `count` calls of Ray's choose_trial_to_run would start, in O(N log N).
   */
  chooseTrialsToRun(runner: RunnerView, count: number): readonly TrialView[] {
    const ranked: { trial: TrialView; time: number; position: number }[] = []
    for (const [position, trial] of runner.trials.entries()) {
      if (trial.status !== 'PENDING' && trial.status !== 'PAUSED') continue
      const time = this.#state.get(trial.id)?.lastTrainTime ?? 0
      if (!this.#mode.mayRun(time)) continue
      // A NaN or infinite time never wins a strict `<` against the best so far: such a trial is never chosen.
      if (!(time < Number.POSITIVE_INFINITY)) continue
      ranked.push({ trial, time, position })
    }
    ranked.sort((a, b) => a.time - b.time || a.position - b.position)
    return ranked.slice(0, count).map((r) => r.trial)
  }

  stats() {
    return { checkpoints: this.#numCheckpoints, perturbations: this.#numPerturbations }
  }

  /** The Scheduler interface's name for `saveState`. */
  snapshot(): PbtSchedulerState {
    return this.saveState()
  }

  /** The Scheduler interface's name for `loadState`. */
  restore(state: unknown): void {
    this.loadState(state as PbtSchedulerState)
  }

  /** Donors' checkpoints: a trial in the upper quantile may hand its checkpoint out long after newer ones (Ray's #9036). */
  checkpointsInUse(): readonly CheckpointRef[] {
    return [...this.#state.values()].flatMap((s) => (s.lastCheckpoint === undefined ? [] : [s.lastCheckpoint]))
  }

  /** The next synchronous barrier, in units of `timeAttr`. */
  get nextPerturbationSync(): number {
    return this.#mode.nextPerturbationSync
  }

  /** PBT's bookkeeping for one trial, or undefined if it was never added. */
  trialState(trialId: string): PbtTrialSnapshot | undefined {
    const state = this.#state.get(trialId)
    return state === undefined ? undefined : { ...state }
  }

  /** A plain, structured-cloneable copy of the scheduler's state, for a persisted experiment. */
  saveState(): PbtSchedulerState {
    return {
      nextPerturbationSync: this.#mode.nextPerturbationSync,
      numCheckpoints: this.#numCheckpoints,
      numPerturbations: this.#numPerturbations,
      random: this.#stream.state(),
      explore: this.#explore.snapshot(),
      trials: [...this.#state].map(([id, { order: _order, ...snapshot }]) => [id, snapshot] as const),
    }
  }

  /**
   * Restores what `saveState` returned, so a resumed experiment keeps its barriers, scores, donors
   * and random sequence. Call it before the resumed trials are added.
   */
  loadState(state: PbtSchedulerState): void {
    this.#mode.load(state.nextPerturbationSync)
    this.#numCheckpoints = state.numCheckpoints
    this.#numPerturbations = state.numPerturbations
    this.#stream = deriveStream(0, '', state.random)
    this.#explore.restore(state.explore)
    this.#state.clear()
    for (const [id, snapshot] of state.trials) this.#state.set(id, { ...snapshot, order: this.#state.size })
    this.#restored = new Set(this.#state.keys())
  }

  stateOf(trial: TrialView): PbtTrialState {
    const state = this.#state.get(trial.id)
    if (state === undefined) throw new Error(`PBT has no state for trial ${trial.id}; was onTrialAdd called?`)
    return state
  }

  quantileSize(scored: number): number {
    let k = Math.ceil(scored * this.options.quantileFraction)
    if (k > scored / 2) k = Math.floor(scored / 2)
    return k
  }

  checkpointOrExploit(runner: RunnerView, trial: TrialView, quantiles: QuantileView, exploits: ExploitAction[], targetIteration?: number): boolean {
    const state = this.stateOf(trial)
    if (quantiles.inUpper) {
      state.lastCheckpoint = trial.status === 'PAUSED' ? trial.latestCheckpoint : trial.reportCheckpoint
      this.#numCheckpoints++
    } else {
      state.lastCheckpoint = undefined
    }
    if (!quantiles.inLower) return false
    // Python's random.choice over the upper quantile, drawn by position.
    const donor = quantiles.upperAt(randomIndex(this.#stream, quantiles.upperSize))
    const donorState = this.stateOf(donor)
    if (donorState.lastCheckpoint === undefined) return false
    exploits.push(this.#exploit(runner, trial, donor, targetIteration ?? (trial.lastResult?.trainingIteration as number | undefined) ?? 0))
    return true
  }

  /** The exploit of `trial` by `donor` with an explored config; `targetIteration` goes into the policy line. */
  #exploit(runner: RunnerView, trial: TrialView, donor: TrialView, targetIteration: number): ExploitAction {
    const state = this.stateOf(trial)
    const donorState = this.stateOf(donor)
    let explored: Explored
    try {
      explored = this.#explore.explore(runner, trial, donor, this.#stream)
    } catch (error) {
      throw new RunError(
        'VITUNE_BAD_REPORT',
        `experiment "${runner.experiment}": exploring trial ${trial.id} from donor ${donor.id} failed: ${(error as Error).message}`,
        { cause: error },
      )
    }
    const newConfig = freezeConfig(explored.config)
    const donorIteration = (donorState.lastResult?.trainingIteration as number | undefined) ?? 0
    const mutated = Object.fromEntries(Object.keys(this.options.mutations).map((k) => [k, newConfig[k]]))
    const time = state.lastPerturbationTime
    this.#numPerturbations++
    state.lastPerturbationTime = donorState.lastPerturbationTime
    state.lastTrainTime = donorState.lastTrainTime
    return {
      checkpoint: donorState.lastCheckpoint as CheckpointRef,
      tag: `${state.origTag}@perturbed[${formatVars(mutated)}]`,
      policy: [state.origTag, donorState.origTag, targetIteration, donorIteration, donor.config, newConfig],
      event: {
        targetId: trial.id,
        donorId: donor.id,
        time,
        targetIteration,
        donorIteration,
        oldConfig: trial.config,
        donorConfig: donor.config,
        newConfig,
        operations: explored.operations,
      },
    }
  }
}
