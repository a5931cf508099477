import type { Config } from '@vitune/dsl'
import { deriveStream, type RandomStream } from '../random.js'
import type { Result } from '../types.js'
import { WaitingQueue } from './fifo.js'
import { nanPercentile } from './numpy.js'
import { decide, type ExploitAction, type RunnerView, type Scheduler, type SchedulerDecision, type TrialView } from './types.js'

/** ASHA's settings, in Ray's terms (`AsyncHyperBandScheduler`). */
export interface AshaSettings {
  readonly timeAttr: string
  readonly maxT: number
  readonly gracePeriod: number
  readonly reductionFactor: number
  readonly brackets: number
  readonly stopLastTrials: boolean
  readonly metric: string
  readonly mode: 'min' | 'max'
}

/** One rung: a milestone in `timeAttr` units and the signed score each trial had when it got there. */
export interface AshaRung {
  readonly milestone: number
  /** Trial id → signed score (higher is better), in arrival order. */
  readonly recorded: readonly (readonly [string, number])[]
}

/** Where a trial was judged: for reports and plots. */
export interface AshaStop {
  readonly trialId: string
  /** The trial's `timeAttr` when it was stopped. */
  readonly time: number
  /** The rung that stopped it, or undefined when `maxT` did. */
  readonly milestone: number | undefined
  /** The rung's cutoff it fell below (signed: higher is better). */
  readonly cutoff: number | undefined
}

/** Everything ASHA saves to resume: rungs, bracket of each trial, counters and the random stream. */
export interface AshaState {
  readonly brackets: readonly (readonly AshaRung[])[]
  readonly trialBracket: readonly (readonly [string, number])[]
  readonly numStopped: number
  readonly stops: readonly AshaStop[]
  readonly random: object
}

/**
 * The number of rungs of bracket `s` (Ray's `int(log(maxT / grace) / log(rf) - s + 1)`, empty when
 * negative). JavaScript's logarithm matches NumPy's here except at grace · 3⁵ with rf 3, where Ray
 * has one rung fewer (docs/ray-differences.md).
 */
export function ashaRungCount(settings: Pick<AshaSettings, 'maxT' | 'gracePeriod' | 'reductionFactor'>, s: number): number {
  const { maxT, gracePeriod, reductionFactor } = settings
  return Math.max(0, Math.trunc(Math.log(maxT / gracePeriod) / Math.log(reductionFactor) - s + 1))
}

/** Milestones of bracket `s`, largest first, as Ray stores them: grace · rf^(k+s). */
export function ashaMilestones(settings: Pick<AshaSettings, 'maxT' | 'gracePeriod' | 'reductionFactor'>, s: number): number[] {
  const count = ashaRungCount(settings, s)
  const milestones: number[] = []
  for (let k = count - 1; k >= 0; k--) milestones.push(settings.gracePeriod * settings.reductionFactor ** (k + s))
  return milestones
}

interface Rung {
  readonly milestone: number
  readonly recorded: Map<string, number>
}

const CONTINUE = Object.freeze(decide('CONTINUE'))
const STOP = Object.freeze(decide('STOP'))

/**
 * Asynchronous Successive Halving (Ray's `AsyncHyperBandScheduler`, alias `ASHAScheduler`): a trial
 * that reaches a rung below the top 1/rf of the trials that reached it before is stopped. The
 * stopping-based variant Ray implements, never pausing.
 */
export class AshaScheduler implements Scheduler {
  readonly #queue = new WaitingQueue()
  readonly #o: AshaSettings
  readonly #sign: 1 | -1
  #stream: RandomStream
  #brackets: Rung[][]
  #trialBracket = new Map<string, number>()
  #numStopped = 0
  #stops: AshaStop[] = []

  constructor(settings: AshaSettings, stream: RandomStream) {
    this.#o = settings
    this.#sign = settings.mode === 'max' ? 1 : -1
    this.#stream = stream
    this.#brackets = Array.from({ length: settings.brackets }, (_, s) => ashaMilestones(settings, s).map((milestone) => ({ milestone, recorded: new Map() })))
  }

  onTrialAdd(_runner: RunnerView, trial: TrialView): Config | undefined {
    // A retried trial keeps its bracket (Ray's on_trial_error leaves the mapping), and so does a
    // trial added again by a resumed run.
    if (this.#trialBracket.has(trial.id)) return undefined
    // Softmax over rung counts: brackets with more rungs are more likely (Ray's on_trial_add).
    const sizes = this.#brackets.map((b) => b.length)
    const top = Math.max(...sizes)
    const weights = sizes.map((n) => Math.exp(n - top))
    const total = weights.reduce((a, b) => a + b, 0)
    let u = this.#stream.next() * total
    let s = 0
    for (; s < weights.length - 1; s++) {
      u -= weights[s] as number
      if (u < 0) break
    }
    this.#trialBracket.set(trial.id, s)
    return undefined
  }

  onTrialResult(_runner: RunnerView, trial: TrialView, result: Result): SchedulerDecision {
    const o = this.#o
    const time = result[o.timeAttr]
    const value = result[o.metric]
    // Ray continues silently when either key is missing.
    if (typeof time !== 'number' || typeof value !== 'number') return CONTINUE
    if (time >= o.maxT && o.stopLastTrials) {
      this.#numStopped++
      this.#stops.push({ trialId: trial.id, time, milestone: undefined, cutoff: undefined })
      return STOP
    }
    const judged = this.#judge(trial.id, time, this.#sign * value)
    if (judged === undefined) return CONTINUE
    this.#numStopped++
    this.#stops.push({ trialId: trial.id, time, ...judged })
    return STOP
  }

  onTrialComplete(_runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    const result = trial.lastResult
    const time = result?.[this.#o.timeAttr]
    const value = result?.[this.#o.metric]
    // The final result fills the rungs (its decision is ignored), as in Ray. Unlike Ray the trial keeps
    // its bracket: a resumed run adds every trial again, and a known trial draws no new bracket.
    if (typeof time === 'number' && typeof value === 'number') this.#judge(trial.id, time, this.#sign * value)
    return []
  }

  onTrialError(): readonly ExploitAction[] {
    return []
  }

  /** FIFO's choice, which Ray's scheduler inherits. */
  chooseTrialsToRun(runner: RunnerView, count: number): readonly TrialView[] {
    return this.#queue.first(runner, count)
  }

  stats() {
    return { stopped: this.#numStopped }
  }

  /** The rungs of every bracket, largest milestone first, with what each recorded. */
  rungs(): readonly (readonly AshaRung[])[] {
    return this.#brackets.map((b) => b.map((r) => ({ milestone: r.milestone, recorded: [...r.recorded] })))
  }

  /** Every trial ASHA stopped, in order, with the rung and cutoff that stopped it. */
  stops(): readonly AshaStop[] {
    return [...this.#stops]
  }

  snapshot(): AshaState {
    return {
      brackets: this.rungs(),
      trialBracket: [...this.#trialBracket],
      numStopped: this.#numStopped,
      stops: this.stops(),
      random: this.#stream.state(),
    }
  }

  restore(state: unknown): void {
    const saved = state as AshaState
    this.#brackets = saved.brackets.map((b) => b.map((r) => ({ milestone: r.milestone, recorded: new Map(r.recorded) })))
    this.#trialBracket = new Map(saved.trialBracket)
    this.#numStopped = saved.numStopped
    this.#stops = [...saved.stops]
    this.#stream = deriveStream(0, '', saved.random)
  }

  checkpointsInUse() {
    return []
  }

  /**
   * Ray's `_Bracket.on_result`: the highest milestone reached and not yet recorded judges the
   * score against the rung's (1 − 1/rf) quantile, then records it. Returns where it stopped, or
   * undefined to continue.
   */
  #judge(trialId: string, time: number, score: number): { milestone: number; cutoff: number } | undefined {
    const s = this.#trialBracket.get(trialId)
    if (s === undefined) throw new Error(`ASHA has no bracket for trial ${trialId}; was onTrialAdd called?`)
    for (const rung of this.#brackets[s] as Rung[]) {
      const recorded = rung.recorded.has(trialId)
      if (!this.#o.stopLastTrials && time >= rung.milestone && recorded) return undefined
      if (time < rung.milestone || recorded) continue
      // An empty rung has no cutoff: the first trial to reach a rung always passes (NaN < x is false).
      const cutoff = nanPercentile(rung.recorded.values(), (1 - 1 / this.#o.reductionFactor) * 100)
      rung.recorded.set(trialId, score)
      return score < cutoff ? { milestone: rung.milestone, cutoff } : undefined
    }
    return undefined
  }
}
