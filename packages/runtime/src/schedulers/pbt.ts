import type { Config, MutationSpecShape, ResolvedPbtOptions } from '@vitune/dsl'
import { RunError } from '../errors.js'
import { type RandomStream, randomChoice } from '../random.js'
import { formatVars, freezeConfig } from '../search/variants.js'
import type { CheckpointRef, Result } from '../types.js'
import { explore, fillMissing } from './pbt-explore.js'
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

/** Settings the PBT scheduler needs beyond the PBT options. */
export interface PbtSchedulerOptions extends ResolvedPbtOptions {
  readonly metric: string
  readonly mode: 'min' | 'max'
  readonly mutations: MutationSpecShape
}

/** NaN sorts as Python's sorted() leaves it: treated as equal, so insertion order decides. */
function compareScores(a: PbtTrialState, b: PbtTrialState): number {
  const d = (a.lastScore as number) - (b.lastScore as number)
  return (Number.isNaN(d) ? 0 : d) || a.order - b.order
}

const isFinished = (t: TrialView) => t.status === 'TERMINATED' || t.status === 'ERROR'

/**
 * Population Based Training, a port of Ray Tune's `PopulationBasedTraining` in both modes.
 * See docs/ray-differences.md for where it deliberately differs.
 */
export class PbtScheduler implements Scheduler {
  readonly #o: PbtSchedulerOptions
  readonly #stream: RandomStream
  readonly #sign: 1 | -1
  readonly #state = new Map<string, PbtTrialState>()
  #nextPerturbationSync: number
  #numCheckpoints = 0
  #numPerturbations = 0

  constructor(options: PbtSchedulerOptions, stream: RandomStream) {
    this.#o = options
    this.#stream = stream
    this.#sign = options.mode === 'max' ? 1 : -1
    this.#nextPerturbationSync = Math.max(options.perturbationInterval, options.burnInPeriod)
  }

  onTrialAdd(_runner: RunnerView, trial: TrialView): Config | undefined {
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
    return fillMissing(trial.config, this.#o.mutations, this.#stream)
  }

  onTrialResult(runner: RunnerView, trial: TrialView, result: Result): SchedulerDecision {
    const o = this.#o
    const time = result[o.timeAttr]
    const score = result[o.metric]
    for (const [key, value] of [
      [o.timeAttr, time],
      [o.metric, score],
    ] as const) {
      if (typeof value === 'number') continue
      if (!o.requireAttrs) return decide('CONTINUE')
      throw new RunError(
        'VITUNE_MISSING_RESULT_KEY',
        `experiment "${runner.experiment}", trial ${trial.id}: the result has no numeric \`${key}\`, which PBT needs (${key === o.metric ? 'the metric' : 'timeAttr'}). Report it from the trainable, or pass requireAttrs: false to .pbt() to ignore such results.`,
      )
    }
    const t = time as number
    const state = this.#stateOf(trial)
    if (t < o.burnInPeriod) return decide('CONTINUE')
    if (t - state.lastPerturbationTime < o.perturbationInterval) return decide('CONTINUE')
    state.lastScore = this.#sign * (score as number)
    state.lastTrainTime = t
    state.lastResult = result

    const exploits: ExploitAction[] = []
    if (!o.synch) {
      state.lastPerturbationTime = t
      const [lower, upper] = this.#quantiles(runner)
      const waiting = runner.trials.some((x) => x.status === 'PENDING' || x.status === 'PAUSED')
      const exploited = this.#checkpointOrExploit(runner, trial, upper, lower, exploits)
      return decide(exploited ? 'NOOP' : waiting ? 'PAUSE' : 'CONTINUE', exploits)
    }
    const behind = runner.trials.some((x) => x.id !== trial.id && !isFinished(x) && this.#stateOf(x).lastTrainTime < this.#nextPerturbationSync)
    if (behind) return decide('PAUSE')
    const exploited = this.#perturbAll(runner, t, exploits, trial.id)
    return decide(exploited ? 'NOOP' : 'PAUSE', exploits)
  }

  onTrialComplete(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    return this.#releaseBarrier(runner, trial)
  }

  onTrialError(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    return this.#releaseBarrier(runner, trial)
  }

  chooseTrialToRun(runner: RunnerView): TrialView | undefined {
    let best: TrialView | undefined
    let bestTime = Number.POSITIVE_INFINITY
    for (const trial of runner.trials) {
      if (trial.status !== 'PENDING' && trial.status !== 'PAUSED') continue
      const time = this.#state.get(trial.id)?.lastTrainTime ?? 0
      if (this.#o.synch && time >= this.#nextPerturbationSync) continue
      if (time < bestTime) {
        best = trial
        bestTime = time
      }
    }
    return best
  }

  stats() {
    return { checkpoints: this.#numCheckpoints, perturbations: this.#numPerturbations }
  }

  #stateOf(trial: TrialView): PbtTrialState {
    const state = this.#state.get(trial.id)
    if (state === undefined) throw new Error(`PBT has no state for trial ${trial.id}; was onTrialAdd called?`)
    return state
  }

  /**
   * Ray waits at a synchronous barrier only when a trial reports. When the last trial still running
   * finishes or errors instead, the others would wait forever: release the barrier then.
   */
  #releaseBarrier(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    if (!this.#o.synch) return []
    const live = runner.trials.filter((x) => x.id !== trial.id && !isFinished(x))
    if (live.length === 0 || live.some((x) => x.status !== 'PAUSED')) return []
    if (live.some((x) => this.#stateOf(x).lastTrainTime < this.#nextPerturbationSync)) return []
    const exploits: ExploitAction[] = []
    const time = Math.max(...live.map((x) => this.#stateOf(x).lastTrainTime))
    this.#perturbAll(runner, time, exploits, undefined)
    return exploits
  }

  /** The synchronous step: upper quantile first (so donors checkpoint before anyone clones them). */
  #perturbAll(runner: RunnerView, time: number, exploits: ExploitAction[], currentId: string | undefined): boolean {
    const [lower, upper] = this.#quantiles(runner)
    const middle = runner.trials.filter((t) => !lower.has(t) && !upper.has(t))
    let currentExploited = false
    for (const t of [...upper, ...middle, ...lower]) {
      this.#stateOf(t).lastPerturbationTime = time
      const exploited = this.#checkpointOrExploit(runner, t, upper, lower, exploits)
      if (exploited && t.id === currentId) currentExploited = true
    }
    const maxTrainTime = Math.max(...runner.trials.map((t) => this.#stateOf(t).lastTrainTime))
    this.#nextPerturbationSync = Math.max(this.#nextPerturbationSync + this.#o.perturbationInterval, maxTrainTime)
    return currentExploited
  }

  /** Ray's `_quantiles`: [lower, upper] of the unfinished trials that have a score. */
  #quantiles(runner: RunnerView): [Set<TrialView>, Set<TrialView>] {
    const scored = runner.trials
      .filter((t) => !isFinished(t) && this.#state.get(t.id)?.lastScore !== undefined)
      .sort((a, b) => compareScores(this.#stateOf(a), this.#stateOf(b)))
    if (scored.length <= 1) return [new Set(), new Set()]
    let k = Math.ceil(scored.length * this.#o.quantileFraction)
    if (k > scored.length / 2) k = Math.floor(scored.length / 2)
    // k = 0 makes every trial "upper", as Python's trials[-0:] does in Ray.
    return [new Set(scored.slice(0, k)), new Set(k === 0 ? scored : scored.slice(-k))]
  }

  /** Returns true when `trial` was exploited. */
  #checkpointOrExploit(runner: RunnerView, trial: TrialView, upper: Set<TrialView>, lower: Set<TrialView>, exploits: ExploitAction[]): boolean {
    const state = this.#stateOf(trial)
    if (upper.has(trial)) {
      state.lastCheckpoint = trial.status === 'PAUSED' ? trial.latestCheckpoint : trial.reportCheckpoint
      this.#numCheckpoints++
    } else {
      state.lastCheckpoint = undefined
    }
    if (!lower.has(trial)) return false
    const donor = randomChoice(this.#stream, [...upper])
    const donorState = this.#stateOf(donor)
    if (donorState.lastCheckpoint === undefined) return false
    exploits.push(this.#exploit(runner, trial, donor))
    return true
  }

  #exploit(runner: RunnerView, trial: TrialView, donor: TrialView): ExploitAction {
    const state = this.#stateOf(trial)
    const donorState = this.#stateOf(donor)
    let explored: ReturnType<typeof explore>
    try {
      explored = explore(donor.config, this.#o.mutations, this.#o, this.#stream)
    } catch (error) {
      throw new RunError(
        'VITUNE_BAD_REPORT',
        `experiment "${runner.experiment}": exploring trial ${trial.id} from donor ${donor.id} failed: ${(error as Error).message}`,
        { cause: error },
      )
    }
    const newConfig = freezeConfig(explored.config)
    const targetIteration = trial.lastResult?.trainingIteration ?? 0
    const donorIteration = (donorState.lastResult?.trainingIteration as number | undefined) ?? 0
    const mutated = Object.fromEntries(Object.keys(this.#o.mutations).map((k) => [k, newConfig[k]]))
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
        time: donorState.lastTrainTime,
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
