import type { Config, MutationSpecShape, ResolvedPbtOptions } from '@vitune/dsl'
import { RunError } from '../errors.js'
import { deriveStream, type RandomStream, randomIndex } from '../random.js'
import { formatVars, freezeConfig } from '../search/variants.js'
import type { CheckpointRef, Result } from '../types.js'
import type { Explored } from './pbt-explore.js'
import { type RankEntry as Entry, PbtRanking } from './pbt-ranking.js'
import { type ExploreStrategy, PerturbationExplore } from './pbt-strategy.js'
import { decide, type ExploitAction, type RunnerView, type Scheduler, type SchedulerDecision, type TrialView } from './types.js'

/** PBT's bookkeeping per trial (Ray's `_PBTTrialState`). */
interface PbtTrialState {
  /** Position in add order; ties in score rank the earlier-added trial lower, as in Ray. */
  order: number
  origTag: string
  lastScore: number | undefined
  lastCheckpoint: CheckpointRef | undefined
  lastPerturbationTime: number
  lastTrainTime: number
  lastResult: Result | undefined
}

/** A read-only view of PBT's bookkeeping for one trial (Ray's `_PBTTrialState`), for reports and tests. */
export interface PbtTrialSnapshot {
  readonly origTag: string
  /** sign x metric at the trial's last perturbation-eligible result; higher is better. */
  readonly lastScore: number | undefined
  /** The checkpoint the trial would donate: set only while it is in the upper quantile. */
  readonly lastCheckpoint: CheckpointRef | undefined
  readonly lastPerturbationTime: number
  readonly lastTrainTime: number
  readonly lastResult: Result | undefined
}

/** Everything the PBT scheduler must save to resume where it stopped (Ray drops it: ray#30838). */
export interface PbtSchedulerState {
  readonly nextPerturbationSync: number
  readonly numCheckpoints: number
  readonly numPerturbations: number
  /** The scheduler's random stream, so donors and explore draws continue the same sequence. */
  readonly random: object
  /** The explore strategy's own state (PB2's data); undefined for PBT's perturbation. */
  readonly explore?: unknown
  /** Per trial id, in add order. */
  readonly trials: readonly (readonly [string, PbtTrialSnapshot])[]
}

/** Settings the PBT scheduler needs beyond the PBT options. */
export interface PbtSchedulerOptions extends ResolvedPbtOptions {
  readonly metric: string
  readonly mode: 'min' | 'max'
  readonly mutations: MutationSpecShape
}

/** Most results change nothing: one shared decision instead of an object per result. */
const CONTINUE: SchedulerDecision = Object.freeze(decide('CONTINUE', Object.freeze([])))

const isFinished = (t: TrialView) => t.status === 'TERMINATED' || t.status === 'ERROR'

/** A quantile of a synchronous round: its trials in rank order, and a membership test. */
interface ListedQuantile {
  readonly trials: readonly TrialView[]
  has(trial: TrialView): boolean
}

function listedQuantile(trials: readonly TrialView[]): ListedQuantile {
  const members = new Set(trials)
  return { trials, has: (trial) => members.has(trial) }
}

type RankEntry = Entry<PbtTrialState>

/**
 * Population Based Training, a port of Ray Tune's `PopulationBasedTraining` in both modes.
 * See docs/ray-differences.md for where it deliberately differs.
 */
export class PbtScheduler implements Scheduler {
  readonly #o: PbtSchedulerOptions
  readonly #explore: ExploreStrategy
  #stream: RandomStream
  readonly #sign: 1 | -1
  readonly #state = new Map<string, PbtTrialState>()
  #nextPerturbationSync: number
  #numCheckpoints = 0
  #numPerturbations = 0
  /** Where `#findFrom` starts: the index of its last match. */
  #scanFrom = 0
  /**
   * The unfinished trials with a score, ascending by compareScores, kept ranked as scores change so
   * that an asynchronous perturbation needs no sort or scan of the population. Undefined after
   * loadState, and in synchronous mode after any score change, until a scan rebuilds it (a
   * synchronous round also skips trials that finished since).
   */
  #ranking: PbtRanking<PbtTrialState> | undefined = PbtRanking.of([])
  /**
   * Trials the asynchronous ranking knows to be finished (told by onTrialComplete/onTrialError, or
   * seen when it was rebuilt); finished trials leave the ranking. When the runner's count of finished
   * trials says some finished unannounced, the ranking is rebuilt from a scan. Comparing counts is
   * enough because TERMINATED and ERROR are final: no trial leaves them.
   */
  #finished = new Set<string>()
  /**
   * The trial whose result completes a synchronous round, and where it stands: its policy line
   * records that iteration, as every other trial's records where it paused at the barrier (Ray
   * records this one's previous result, so the line would depend on which trial came last).
   */
  #reporting: { readonly id: string; readonly iteration: number } | undefined
  /** Trials whose state came from `loadState` and that were not added since. */
  #restored = new Set<string>()

  /** `explore` defaults to PBT's perturbation of the mutated keys; PB2 passes its GP-bandit. */
  constructor(options: PbtSchedulerOptions, stream: RandomStream, explore: ExploreStrategy = new PerturbationExplore(options.mutations, options)) {
    this.#o = options
    this.#explore = explore
    this.#stream = stream
    this.#sign = options.mode === 'max' ? 1 : -1
    this.#nextPerturbationSync = Math.max(options.perturbationInterval, options.burnInPeriod)
  }

  onTrialAdd(_runner: RunnerView, trial: TrialView): Config | undefined {
    // The first add after loadState resumes the saved state; its config was filled before the save.
    if (this.#restored.delete(trial.id)) return undefined
    const previous = this.#state.get(trial.id)
    if (previous !== undefined) this.#unrank(previous)
    // Re-adding after a failure rebuilds the state, as Ray does; Map.set keeps the insertion position.
    this.#state.set(trial.id, {
      order: this.#state.get(trial.id)?.order ?? this.#state.size,
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
    const o = this.#o
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
    const t = time
    const state = this.#stateOf(trial)
    if (t < o.burnInPeriod) return CONTINUE
    if (t - state.lastPerturbationTime < o.perturbationInterval) return CONTINUE
    // A trial below the barrier does not count as having reached it, even when it is due by its own
    // last perturbation (a retried trial starts over at 0; Ray lets it trigger the round early, so
    // the round's time then depends on concurrency). It goes on until it reaches the barrier.
    if (o.synch && t < this.#nextPerturbationSync) return CONTINUE
    this.#unrank(state)
    state.lastScore = this.#sign * (score as number)
    this.#rank(trial, state)
    state.lastTrainTime = t
    state.lastResult = result
    this.#explore.scored(trial, t, state.lastScore)

    const exploits: ExploitAction[] = []
    if (!o.synch) {
      state.lastPerturbationTime = t
      const { inUpper, inLower, upperSize, upperAt } = this.#asyncQuantiles(runner, state)
      const counts = runner.statusCounts
      const waiting = counts.PENDING + counts.PAUSED > 0
      const exploited = this.#checkpointOrExploit(runner, trial, inUpper, inLower, upperSize, upperAt, exploits)
      return decide(exploited ? 'NOOP' : waiting ? 'PAUSE' : 'CONTINUE', exploits)
    }
    const behind = this.#findFrom(runner.trials, (x) => x.id !== trial.id && !isFinished(x) && this.#stateOf(x).lastTrainTime < this.#nextPerturbationSync)
    if (behind) return decide('PAUSE')
    // The round's time is where the live trials stand, not the time of whichever reported last
    // (Ray takes the latter): it must not depend on the order results arrive in.
    this.#reporting = { id: trial.id, iteration: result.trainingIteration }
    const exploited = this.#perturbAll(runner, this.#liveMaxTrainTime(runner), exploits, trial.id)
    this.#reporting = undefined
    return decide(exploited ? 'NOOP' : 'PAUSE', exploits)
  }

  onTrialComplete(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    this.#noteFinished(trial)
    return this.#releaseBarrier(runner)
  }

  onTrialError(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    this.#noteFinished(trial)
    return this.#releaseBarrier(runner)
  }

  /** The first `count` of the ranking in one pass: what `count` calls of Ray's choose_trial_to_run would start, in O(N log N) rather than O(N × count). */
  chooseTrialsToRun(runner: RunnerView, count: number): readonly TrialView[] {
    return this.#rankCandidates(runner).slice(0, count)
  }

  /** The trials that may run, by `lastTrainTime` and then list order: the first is Ray's choice. */
  #rankCandidates(runner: RunnerView): TrialView[] {
    const ranked: { trial: TrialView; time: number; position: number }[] = []
    for (const [position, trial] of runner.trials.entries()) {
      if (trial.status !== 'PENDING' && trial.status !== 'PAUSED') continue
      const time = this.#state.get(trial.id)?.lastTrainTime ?? 0
      if (this.#o.synch && time >= this.#nextPerturbationSync) continue
      // A NaN or infinite time never wins a strict `<` against the best so far: such a trial is never chosen.
      if (!(time < Number.POSITIVE_INFINITY)) continue
      ranked.push({ trial, time, position })
    }
    ranked.sort((a, b) => a.time - b.time || a.position - b.position)
    return ranked.map((r) => r.trial)
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
    return this.#nextPerturbationSync
  }

  /** PBT's bookkeeping for one trial, or undefined if it was never added. */
  trialState(trialId: string): PbtTrialSnapshot | undefined {
    const state = this.#state.get(trialId)
    return state === undefined ? undefined : { ...state }
  }

  /** A plain, structured-cloneable copy of the scheduler's state, for a persisted experiment. */
  saveState(): PbtSchedulerState {
    return {
      nextPerturbationSync: this.#nextPerturbationSync,
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
    this.#nextPerturbationSync = state.nextPerturbationSync
    this.#numCheckpoints = state.numCheckpoints
    this.#numPerturbations = state.numPerturbations
    this.#stream = deriveStream(0, '', state.random)
    this.#explore.restore(state.explore)
    this.#state.clear()
    this.#ranking = undefined
    this.#finished.clear()
    for (const [id, snapshot] of state.trials) this.#state.set(id, { ...snapshot, order: this.#state.size })
    this.#restored = new Set(this.#state.keys())
  }

  /** A finished trial leaves the asynchronous ranking (Ray's `_quantiles` skips finished trials). */
  #noteFinished(trial: TrialView): void {
    if (!isFinished(trial) || this.#finished.has(trial.id)) return
    this.#finished.add(trial.id)
    const state = this.#state.get(trial.id)
    if (this.#o.synch || this.#ranking === undefined || state === undefined) return
    this.#ranking.remove(state)
  }

  /** Takes a trial out of the ranking, before its score changes or its state is replaced. */
  #unrank(state: PbtTrialState): void {
    // Synchronous PBT changes every score once per round and ranks once per round: one sort then
    // beats N insertions of O(N) each.
    if (this.#o.synch) this.#ranking = undefined
    this.#ranking?.remove(state)
  }

  /** Puts a trial with a new score into the ranking. */
  #rank(trial: TrialView, state: PbtTrialState): void {
    const ranking = this.#ranking
    // A finished trial stays out (a runner may deliver a result for one; Ray ranks only unfinished trials).
    if (ranking === undefined || isFinished(trial)) return
    ranking.insert({ trial, state })
  }

  /**
   * Whether any trial passes `test`, scanning from where the last scan found one. Trials reach a
   * synchronous barrier (and finish) in list order, so the scan usually stops at once: this keeps
   * the barrier checks O(1) per result instead of O(population). Only speed depends on the start.
   */
  #findFrom(trials: readonly TrialView[], test: (trial: TrialView) => boolean): boolean {
    const n = trials.length
    for (let k = 0; k < n; k++) {
      const i = (this.#scanFrom + k) % n
      if (test(trials[i] as TrialView)) {
        this.#scanFrom = i
        return true
      }
    }
    return false
  }

  #stateOf(trial: TrialView): PbtTrialState {
    const state = this.#state.get(trial.id)
    if (state === undefined) throw new Error(`PBT has no state for trial ${trial.id}; was onTrialAdd called?`)
    return state
  }

  /**
   * Ray waits at a synchronous barrier only when a trial reports. When the last trial still running
   * finishes or errors instead, the others would wait forever: release the barrier then. A trial
   * that errored and will retry is PENDING, so the barrier keeps waiting for it, as in Ray.
   */
  #releaseBarrier(runner: RunnerView): readonly ExploitAction[] {
    if (!this.#o.synch) return []
    // A live trial that still runs, or has not reached the barrier, keeps it closed.
    if (this.#findFrom(runner.trials, (x) => !isFinished(x) && (x.status !== 'PAUSED' || this.#stateOf(x).lastTrainTime < this.#nextPerturbationSync)))
      return []
    const live = runner.trials.filter((x) => !isFinished(x))
    if (live.length === 0) return []
    const exploits: ExploitAction[] = []
    this.#perturbAll(runner, this.#liveMaxTrainTime(runner), exploits, undefined)
    return exploits
  }

  /** The furthest `lastTrainTime` among trials that have not finished. */
  #liveMaxTrainTime(runner: RunnerView): number {
    let max = Number.NEGATIVE_INFINITY
    for (const trial of runner.trials) if (!isFinished(trial)) max = Math.max(max, this.#stateOf(trial).lastTrainTime)
    return max
  }

  /** The synchronous step: upper quantile first (so donors checkpoint before anyone clones them). */
  #perturbAll(runner: RunnerView, time: number, exploits: ExploitAction[], currentId: string | undefined): boolean {
    const [lower, upper] = this.#quantiles(runner)
    const middle = runner.trials.filter((t) => !lower.has(t) && !upper.has(t))
    const upperAt = (index: number) => upper.trials[index] as TrialView
    let currentExploited = false
    for (const t of [...upper.trials, ...middle, ...lower.trials]) {
      this.#stateOf(t).lastPerturbationTime = time
      const exploited = this.#checkpointOrExploit(runner, t, upper.has(t), lower.has(t), upper.trials.length, upperAt, exploits)
      if (exploited && t.id === currentId) currentExploited = true
    }
    const interval = this.#o.perturbationInterval
    const next = Math.max(this.#nextPerturbationSync + interval, ...runner.trials.map((t) => this.#stateOf(t).lastTrainTime))
    // Ray's rule, unless every live trial already stands at or past it: then none could run and no
    // result would ever open the barrier (Ray hangs). The barrier moves one interval past the slowest.
    const slowest = Math.min(...runner.trials.filter((t) => !isFinished(t)).map((t) => this.#stateOf(t).lastTrainTime))
    this.#nextPerturbationSync = slowest >= next ? slowest + interval : next
    return currentExploited
  }

  /** The unfinished trials with a score, ascending by compareScores, rebuilt from a scan of the population. */
  #rebuildRanking(runner: RunnerView): PbtRanking<PbtTrialState> {
    const ranking: RankEntry[] = []
    this.#finished.clear()
    for (const trial of runner.trials) {
      if (isFinished(trial)) {
        this.#finished.add(trial.id)
        continue
      }
      const state = this.#state.get(trial.id)
      if (state?.lastScore !== undefined) ranking.push({ trial, state })
    }
    this.#ranking = PbtRanking.of(ranking)
    return this.#ranking
  }

  /** How many of `scored` trials each quantile holds: Ray's `_quantiles`. */
  #quantileSize(scored: number): number {
    let k = Math.ceil(scored * this.#o.quantileFraction)
    if (k > scored / 2) k = Math.floor(scored / 2)
    return k
  }

  /** Ray's `_quantiles` for a synchronous round: [lower, upper] of the unfinished trials that have a score, listed. */
  #quantiles(runner: RunnerView): [ListedQuantile, ListedQuantile] {
    const scored: TrialView[] = []
    for (const { trial } of this.#ranking ?? this.#rebuildRanking(runner)) if (!isFinished(trial)) scored.push(trial)
    if (scored.length <= 1) return [listedQuantile([]), listedQuantile([])]
    const k = this.#quantileSize(scored.length)
    // k = 0 makes every trial "upper", as Python's trials[-0:] does in Ray.
    return [listedQuantile(scored.slice(0, k)), listedQuantile(k === 0 ? scored : scored.slice(-k))]
  }

  /**
   * Ray's `_quantiles` for one asynchronous perturbation, in O(log N): views of the ranking, which
   * holds exactly the unfinished scored trials while the runner's counts confirm that every finished
   * trial was announced. Otherwise (a trial finished unannounced) it is
   * rebuilt from a scan first. Membership is a binary search; the donor is picked by position.
   */
  #asyncQuantiles(runner: RunnerView, state: PbtTrialState): { inUpper: boolean; inLower: boolean; upperSize: number; upperAt: (index: number) => TrialView } {
    const counts = runner.statusCounts
    const exact = this.#ranking !== undefined && counts.TERMINATED + counts.ERROR === this.#finished.size
    const ranking = exact ? (this.#ranking as PbtRanking<PbtTrialState>) : this.#rebuildRanking(runner)
    const m = ranking.size
    const k = m <= 1 ? -1 : this.#quantileSize(m)
    // k = 0 makes every trial "upper", as Python's trials[-0:] does in Ray; k = -1: both empty.
    const upperStart = k === -1 ? m : k === 0 ? 0 : m - k
    const rank = ranking.rankOf(state)
    return {
      inUpper: rank !== -1 && rank >= upperStart,
      inLower: rank !== -1 && rank < k,
      upperSize: m - upperStart,
      upperAt: (index) => ranking.at(upperStart + index).trial,
    }
  }

  /** Returns true when `trial` was exploited. */
  #checkpointOrExploit(
    runner: RunnerView,
    trial: TrialView,
    inUpper: boolean,
    inLower: boolean,
    upperSize: number,
    upperAt: (index: number) => TrialView,
    exploits: ExploitAction[],
  ): boolean {
    const state = this.#stateOf(trial)
    if (inUpper) {
      state.lastCheckpoint = trial.status === 'PAUSED' ? trial.latestCheckpoint : trial.reportCheckpoint
      this.#numCheckpoints++
    } else {
      state.lastCheckpoint = undefined
    }
    if (!inLower) return false
    // Python's random.choice over the upper quantile, drawn by position.
    const donor = upperAt(randomIndex(this.#stream, upperSize))
    const donorState = this.#stateOf(donor)
    if (donorState.lastCheckpoint === undefined) return false
    exploits.push(this.#exploit(runner, trial, donor))
    return true
  }

  #exploit(runner: RunnerView, trial: TrialView, donor: TrialView): ExploitAction {
    const state = this.#stateOf(trial)
    const donorState = this.#stateOf(donor)
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
    const targetIteration = this.#reporting?.id === trial.id ? this.#reporting.iteration : (trial.lastResult?.trainingIteration ?? 0)
    const donorIteration = (donorState.lastResult?.trainingIteration as number | undefined) ?? 0
    const mutated = Object.fromEntries(Object.keys(this.#o.mutations).map((k) => [k, newConfig[k]]))
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
