import type { Result } from '../types.js'
import { roundHalfEven } from './numpy.js'

/** HyperBand's settings, in Ray's terms (`HyperBandScheduler`). */
export interface HyperBandSettings {
  readonly timeAttr: string
  readonly maxT: number
  readonly reductionFactor: number
  readonly stopLastTrials: boolean
  readonly metric: string
  readonly mode: 'min' | 'max'
}

/** η^s by repeated multiplication: exact for integer η, where `η ** -s` is not (Ray gets 0.999… there). */
function power(eta: number, s: number): number {
  let p = 1
  for (let i = 0; i < s; i++) p *= eta
  return p
}

/** Brackets per band: Ray's `int(np.round(log(maxT) / log(η))) + 1`, halves rounding to even as NumPy does. */
export function bracketsPerBand(settings: Pick<HyperBandSettings, 'maxT' | 'reductionFactor'>): number {
  return roundHalfEven(Math.log(settings.maxT) / Math.log(settings.reductionFactor)) + 1
}

/** Bracket `s`'s trial count n₀ and first milestone r₀ (0 marks a bracket too small to exist). */
export function bracketSize(settings: Pick<HyperBandSettings, 'maxT' | 'reductionFactor'>, s: number): { readonly n0: number; readonly r0: number } {
  const etaS = power(settings.reductionFactor, s)
  return { n0: Math.ceil((bracketsPerBand(settings) / (s + 1)) * etaS), r0: Math.trunc(settings.maxT * (1 / etaS)) }
}

/** A bracket's state as plain data, for snapshots and reports. */
export interface BracketState {
  readonly s: number
  readonly n: number
  readonly r: number
  readonly cumulR: number
  readonly halves: number
  /** Live trials in add order, with the time and signed score of their last result (undefined before one). */
  readonly live: readonly (readonly [string, BracketResult | undefined])[]
  readonly all: readonly string[]
  readonly completedProgress: number
  readonly totalWork: number
  readonly toUnpause: readonly string[]
}

/** What a bracket keeps of a result: its time and signed score. */
export interface BracketResult {
  readonly time: number
  readonly score: number
}

/**
 * One HyperBand bracket (Ray's `_Bracket`): a fixed capacity of trials run to a milestone, then
 * halved to the best 1/η, the milestone multiplied by η, until `halves` runs out.
 */
export class Bracket {
  readonly s: number
  n: number
  r: number
  cumulR: number
  halves: number
  readonly live: Map<string, BracketResult | undefined>
  readonly all: string[]
  completedProgress: number
  readonly totalWork: number
  readonly toUnpause: Set<string>
  readonly #o: HyperBandSettings

  constructor(settings: HyperBandSettings, state: BracketState) {
    this.#o = settings
    this.s = state.s
    this.n = state.n
    this.r = state.r
    this.cumulR = state.cumulR
    this.halves = state.halves
    this.live = new Map(state.live)
    this.all = [...state.all]
    this.completedProgress = state.completedProgress
    this.totalWork = state.totalWork
    this.toUnpause = new Set(state.toUnpause)
  }

  /** A new, empty bracket `s` with Ray's sizes. */
  static create(settings: HyperBandSettings, s: number, n0: number, r0: number): Bracket {
    return new Bracket(settings, {
      s,
      n: n0,
      r: r0,
      cumulR: r0,
      halves: s,
      live: [],
      all: [],
      completedProgress: 0,
      totalWork: totalWork(settings, n0, r0, s),
      toUnpause: [],
    })
  }

  state(): BracketState {
    return {
      s: this.s,
      n: this.n,
      r: this.r,
      cumulR: this.cumulR,
      halves: this.halves,
      live: [...this.live],
      all: [...this.all],
      completedProgress: this.completedProgress,
      totalWork: this.totalWork,
      toUnpause: [...this.toUnpause],
    }
  }

  /** Live trials fill the capacity (removals free slots). */
  filled(): boolean {
    return this.live.size === this.n
  }

  add(trialId: string): void {
    this.live.set(trialId, undefined)
    this.all.push(trialId)
  }

  /** Records a result (Ray's `update_trial_stats`); undefined when it lacks the time or the metric. */
  update(trialId: string, result: Result, sign: number): BracketResult | undefined {
    const time = result[this.#o.timeAttr]
    const value = result[this.#o.metric]
    if (typeof time !== 'number' || typeof value !== 'number') return undefined
    const previous = this.live.get(trialId)?.time ?? 0
    this.completedProgress += time - previous
    const recorded = { time, score: sign * value }
    this.live.set(trialId, recorded)
    this.toUnpause.delete(trialId)
    return recorded
  }

  /** Whether the trial has not reached the current milestone yet (or never stops, without stopLastTrials). */
  continueTrial(trialId: string): boolean {
    if (!this.#o.stopLastTrials && this.halves === 0) return true
    return timeOf(this.live.get(trialId)) < this.cumulR
  }

  /** Every live trial reached the milestone (Ray's `cur_iter_done`). */
  rungDone(): boolean {
    for (const result of this.live.values()) if (!(timeOf(result) >= this.cumulR)) return false
    return true
  }

  /** No halving left and the last rung done: only with stopLastTrials. */
  finished(): boolean {
    return this.#o.stopLastTrials && this.halves === 0 && this.rungDone()
  }

  /** How far along the bracket is, for choosing among brackets (Ray's `completion_percentage`). */
  completion(): number {
    return this.finished() ? 1 : Math.min(this.completedProgress / this.totalWork, 1)
  }

  /**
   * Ray's `successive_halving`: the capacity shrinks to ceil(n / η) (from the capacity, not from the
   * live count), the milestone grows η-fold up to maxT, and the live trials split into the best n
   * (good) and the rest. Ties keep the earlier-added trial in `bad`; NaN scores rank worst.
   */
  successiveHalving(): { readonly good: string[]; readonly bad: string[] } {
    if (this.halves === 0 && !this.#o.stopLastTrials) return { good: [...this.live.keys()], bad: [] }
    this.halves -= 1
    this.n = Math.ceil(this.n / this.#o.reductionFactor)
    this.r = Math.trunc(Math.min(this.r * this.#o.reductionFactor, this.#o.maxT))
    this.cumulR = this.r
    const ranked = [...this.live].map(([id, result], order) => ({ id, score: result?.score ?? Number.NaN, order }))
    ranked.sort((a, b) => byScore(a.score, b.score) || a.order - b.order)
    const cut = Math.max(0, ranked.length - this.n)
    return { good: ranked.slice(cut).map((x) => x.id), bad: ranked.slice(0, cut).map((x) => x.id) }
  }
}

/** Ascending by score with NaN lowest (Python's sort leaves NaN wherever the input had it). */
function byScore(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1
  if (Number.isNaN(b)) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Ray reads a missing result's time as 0. */
const timeOf = (result: BracketResult | undefined): number => result?.time ?? 0

/**
 * Ray's `_calculate_total_work`: Σ nᵢ·rᵢ over the bracket's rounds. It still caps rᵢ at maxT − r₀
 * (the cap PR #39157 removed from the milestones), which only orders brackets; we keep it to
 * choose trials in Ray's order.
 */
function totalWork(settings: HyperBandSettings, n0: number, r0: number, s: number): number {
  let work = 0
  let n = n0
  let r = r0
  for (let i = 0; i <= s; i++) {
    work += Math.trunc(n) * Math.trunc(r)
    n = Math.ceil(n / settings.reductionFactor)
    r = Math.trunc(Math.min(r * settings.reductionFactor, settings.maxT - r0))
  }
  return work
}
