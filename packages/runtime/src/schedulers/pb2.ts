import type { Config } from '@vitune/dsl'
import { deriveStream, type RandomStream } from '../random.js'
import { formatVars, freezeConfig } from '../search/variants.js'
import type { CheckpointRef, Result } from '../types.js'
import { PbtScheduler, type PbtSchedulerState } from './pbt.js'
import { getPath, type Pb2Bound, type Pb2Row, pb2Explore, setPath } from './pb2-explore.js'
import type { GpHyperparameters } from './pb2-gp.js'
import type { ExploitAction, RunnerView, Scheduler, SchedulerDecision, TrialView } from './types.js'

/** PB2's settings, in Ray's terms: PBT's, with bounds instead of mutations. */
export interface Pb2Settings {
  readonly perturbationInterval: number
  readonly timeAttr: string
  readonly quantileFraction: number
  readonly synch: boolean
  readonly requireAttrs: boolean
  readonly customExplore?: ((config: Config) => Config) | undefined
  readonly metric: string
  readonly mode: 'min' | 'max'
  /** The continuous hyperparameters PB2 explores, in order. */
  readonly bounds: readonly Pb2Bound[]
}

/** Everything PB2 saves to resume: PBT's state, the data table and the round's pending points. */
export interface Pb2State {
  readonly pbt: PbtSchedulerState
  readonly rows: readonly Pb2Row[]
  readonly lastExplorationTime: number
  readonly pending: readonly (readonly number[])[] | undefined
  readonly random: object
  readonly gpFits: number
  readonly hyperparameters: GpHyperparameters | undefined
}

/**
 * Population Based Bandits (Ray's `PB2`): PBT whose explore step is a GP bandit. Readiness,
 * quantiles, donors, checkpoints, synchronous barriers and policy logs are PBT's; after each
 * perturbation-ready result PB2 records a row of (time, hyperparameters, score), and every exploit's
 * new config is PB2's choice instead of a random perturbation.
 */
export class Pb2Scheduler implements Scheduler {
  readonly #o: Pb2Settings
  readonly #pbt: PbtScheduler
  readonly #sign: 1 | -1
  #stream: RandomStream
  #rows: Pb2Row[] = []
  #lastExplorationTime = 0
  #pending: (readonly number[])[] | undefined
  #gpFits = 0
  /** The last fit's hyperparameters: the next fit starts there. */
  #hyperparameters: GpHyperparameters | undefined
  #restored = new Set<string>()

  constructor(settings: Pb2Settings, stream: RandomStream) {
    this.#o = settings
    this.#sign = settings.mode === 'max' ? 1 : -1
    // PBT draws donors from the scheduler's stream; PB2's own draws come from a stream derived from it.
    this.#stream = deriveStream(Math.floor(stream.next() * 2 ** 32), 'pb2')
    this.#pbt = new PbtScheduler(
      {
        perturbationInterval: settings.perturbationInterval,
        timeAttr: settings.timeAttr,
        burnInPeriod: 0,
        quantileFraction: settings.quantileFraction,
        resampleProbability: 0,
        perturbationFactors: [1.2, 0.8],
        synch: settings.synch,
        keepInBounds: true,
        requireAttrs: settings.requireAttrs,
        metric: settings.metric,
        mode: settings.mode,
        // PBT's own explore then clones the donor's config; PB2 replaces it below.
        mutations: {},
      },
      stream,
    )
  }

  /** Fills every bounded key the config lacks with a uniform draw within its bounds (Ray's on_trial_add). */
  onTrialAdd(runner: RunnerView, trial: TrialView): Config | undefined {
    this.#pbt.onTrialAdd(runner, trial)
    if (this.#restored.delete(trial.id)) return undefined
    let config: Config | undefined
    for (const b of this.#o.bounds) {
      if (getPath(trial.config, b.path) !== undefined) continue
      const u = b.low + this.#stream.next() * (b.high - b.low)
      config = setPath(config ?? trial.config, b.path, b.integer ? Math.round(u) : u)
    }
    return config
  }

  onTrialResult(runner: RunnerView, trial: TrialView, result: Result): SchedulerDecision {
    const config = trial.config
    const { decision, exploits } = this.#pbt.onTrialResult(runner, trial, result)
    // PBT took the result as perturbation-ready: it becomes a row (Ray's PB2._save_trial_state).
    if (this.#pbt.trialState(trial.id)?.lastResult === result) {
      this.#rows.push({
        trialId: trial.id,
        time: result[this.#o.timeAttr] as number,
        values: this.#o.bounds.map((b) => Number(getPath(config, b.path))),
        reward: this.#sign * (result[this.#o.metric] as number),
      })
    }
    return exploits.length === 0 ? { decision, exploits } : { decision, exploits: this.#explore(exploits) }
  }

  onTrialComplete(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    return this.#explore(this.#pbt.onTrialComplete(runner, trial))
  }

  onTrialError(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    return this.#explore(this.#pbt.onTrialError(runner, trial))
  }

  chooseTrialToRun(runner: RunnerView): TrialView | undefined {
    return this.#pbt.chooseTrialToRun(runner)
  }

  chooseTrialsToRun(runner: RunnerView, count: number): readonly TrialView[] {
    return this.#pbt.chooseTrialsToRun(runner, count)
  }

  stats() {
    return { ...this.#pbt.stats(), gpFits: this.#gpFits }
  }

  checkpointsInUse(): readonly CheckpointRef[] {
    return this.#pbt.checkpointsInUse()
  }

  /** PB2's data table: one row per perturbation-ready result and per explored config. */
  rows(): readonly Pb2Row[] {
    return [...this.#rows]
  }

  snapshot(): Pb2State {
    return {
      pbt: this.#pbt.saveState(),
      rows: [...this.#rows],
      lastExplorationTime: this.#lastExplorationTime,
      pending: this.#pending === undefined ? undefined : [...this.#pending],
      random: this.#stream.state(),
      gpFits: this.#gpFits,
      hyperparameters: this.#hyperparameters,
    }
  }

  restore(state: unknown): void {
    const saved = state as Pb2State
    this.#pbt.loadState(saved.pbt)
    this.#rows = [...saved.rows]
    this.#lastExplorationTime = saved.lastExplorationTime
    this.#pending = saved.pending === undefined ? undefined : [...saved.pending]
    this.#stream = deriveStream(0, '', saved.random)
    this.#gpFits = saved.gpFits
    this.#hyperparameters = saved.hyperparameters
    this.#restored = new Set(saved.pbt.trials.map(([id]) => id))
  }

  /** Replaces the configs of PBT's exploits (clones of the donors) with PB2's choices, in order. */
  #explore(exploits: readonly ExploitAction[]): readonly ExploitAction[] {
    if (exploits.length === 0) return exploits
    return exploits.map((action) => {
      const { event } = action
      // A new round (the data reached a later time) has no pending points yet.
      const latest = this.#latestTime()
      if (latest > this.#lastExplorationTime) this.#pending = undefined
      const choice = pb2Explore({
        rows: this.#rows,
        bounds: this.#o.bounds,
        targetId: event.targetId,
        donorId: event.donorId,
        donorConfig: event.donorConfig,
        pending: this.#pending ?? [],
        stream: this.#stream,
        start: this.#hyperparameters,
      })
      if (choice.model !== undefined) {
        this.#gpFits++
        this.#hyperparameters = choice.model.hyperparameters
      }
      if (choice.row !== undefined) this.#rows.push(choice.row)
      const time = this.#latestTime()
      if (time > this.#lastExplorationTime) {
        this.#lastExplorationTime = time
        this.#pending = [choice.vector]
      } else {
        this.#pending = [...(this.#pending ?? []), choice.vector]
      }
      let config = choice.config
      if (this.#o.customExplore !== undefined) config = this.#o.customExplore(config)
      const newConfig = freezeConfig(config)
      const explored = Object.fromEntries(this.#o.bounds.map((b) => [b.path.join('/'), getPath(newConfig, b.path)]))
      const operations = Object.fromEntries(this.#o.bounds.map((b) => [b.path.join('/'), choice.model === undefined ? 'clone' : 'gp-ucb']))
      const origTag = this.#pbt.trialState(event.targetId)?.origTag ?? event.targetId
      const policy = action.policy === undefined ? undefined : ([...action.policy.slice(0, 5), newConfig] as unknown as typeof action.policy)
      return {
        ...action,
        tag: `${origTag}@perturbed[${formatVars(explored)}]`,
        policy,
        event: { ...event, newConfig, operations },
      }
    })
  }

  #latestTime(): number {
    let latest = Number.NEGATIVE_INFINITY
    for (const row of this.#rows) if (row.time > latest) latest = row.time
    return latest
  }
}
