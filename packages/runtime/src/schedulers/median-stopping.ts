import type { Config } from '@vitune/dsl'
import type { Result } from '../types.js'
import { WaitingQueue } from './fifo.js'
import { npMean, npMedian } from './numpy.js'
import { decide, type ExploitAction, type RunnerView, type Scheduler, type SchedulerDecision, type TrialView } from './types.js'

/** The median stopping rule's settings, in Ray's terms (`MedianStoppingRule`). */
export interface MedianStoppingSettings {
  readonly timeAttr: string
  readonly gracePeriod: number
  readonly minSamplesRequired: number
  readonly minTimeSlice: number
  readonly hardStop: boolean
  readonly metric: string
  readonly mode: 'min' | 'max'
}

/** A trial the rule stopped (or paused, without `hardStop`): when, and against which median. */
export interface MedianStop {
  readonly trialId: string
  readonly time: number
  /** The trial's best value so far, in the metric's own sign. */
  readonly best: number
  /** The median of the other trials' running means at `time`. */
  readonly median: number
}

/** Everything the rule saves to resume. */
export interface MedianStoppingState {
  /** Per trial, in first-report order: its recorded (time, metric) pairs. */
  readonly results: readonly (readonly [string, readonly (readonly [number, number])[], number | undefined])[]
  readonly stopped: readonly string[]
  readonly lastPause: readonly (readonly [string, number])[]
  readonly stops: readonly MedianStop[]
}

interface History {
  readonly points: [number, number][]
  /** `trainingIteration` of the result recorded last, so a completion repeating it is not counted twice. */
  lastIteration: number | undefined
}

const CONTINUE = Object.freeze(decide('CONTINUE'))

/**
 * The median stopping rule (Ray's `MedianStoppingRule`, from Google Vizier): after the grace
 * period, a trial whose best result is worse than the median of the other trials' running means up
 * to the same time is stopped. With too few other trials it yields its slot to waiting trials.
 */
export class MedianStoppingScheduler implements Scheduler {
  readonly #queue = new WaitingQueue()
  readonly #o: MedianStoppingSettings
  #results = new Map<string, History>()
  #stopped = new Set<string>()
  #lastPause = new Map<string, number>()
  #stops: MedianStop[] = []

  constructor(settings: MedianStoppingSettings) {
    this.#o = settings
  }

  onTrialAdd(): Config | undefined {
    return undefined
  }

  onTrialResult(runner: RunnerView, trial: TrialView, result: Result): SchedulerDecision {
    const o = this.#o
    const time = result[o.timeAttr]
    const value = result[o.metric]
    if (typeof time !== 'number' || typeof value !== 'number') return CONTINUE
    // A soft-stopped trial that was resumed runs on unjudged, and no longer counts (as in Ray).
    if (this.#stopped.has(trial.id)) return CONTINUE
    this.#record(trial.id, result, time, value)
    if (time < o.gracePeriod) return CONTINUE
    const means = this.#othersRunningMeans(trial.id, time)
    if (means.length < o.minSamplesRequired) {
      const lastPause = this.#lastPause.get(trial.id) ?? Number.NEGATIVE_INFINITY
      if (time - lastPause > o.minTimeSlice && waiting(runner)) {
        this.#lastPause.set(trial.id, time)
        return decide('PAUSE')
      }
      return CONTINUE
    }
    const median = npMedian(means)
    const best = this.#best(trial.id)
    // NaN in either (no usable values) stops, as Ray's `max(median, best) != best` does.
    const keep = o.mode === 'max' ? best >= median : best <= median
    if (keep) return CONTINUE
    this.#stopped.add(trial.id)
    this.#stops.push({ trialId: trial.id, time, best, median })
    return decide(o.hardStop ? 'STOP' : 'PAUSE')
  }

  onTrialComplete(_runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    const result = trial.lastResult
    const time = result?.[this.#o.timeAttr]
    const value = result?.[this.#o.metric]
    // Ray appends the final result; one it already recorded from onTrialResult is not counted twice.
    if (
      result !== undefined &&
      typeof time === 'number' &&
      typeof value === 'number' &&
      this.#results.get(trial.id)?.lastIteration !== result.trainingIteration
    )
      this.#record(trial.id, result, time, value)
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
    return { stopped: this.#stopped.size }
  }

  /** Every trial the rule stopped, in order, with the median it fell short of. */
  stops(): readonly MedianStop[] {
    return [...this.#stops]
  }

  snapshot(): MedianStoppingState {
    return {
      results: [...this.#results].map(([id, h]) => [id, h.points.map((p) => [...p] as const), h.lastIteration] as const),
      stopped: [...this.#stopped],
      lastPause: [...this.#lastPause],
      stops: [...this.#stops],
    }
  }

  restore(state: unknown): void {
    const saved = state as MedianStoppingState
    this.#results = new Map(
      saved.results.map(([id, points, lastIteration]) => [id, { points: points.map(([t, v]) => [t, v] as [number, number]), lastIteration }]),
    )
    this.#stopped = new Set(saved.stopped)
    this.#lastPause = new Map(saved.lastPause)
    this.#stops = [...saved.stops]
  }

  checkpointsInUse() {
    return []
  }

  #record(trialId: string, result: Result, time: number, value: number): void {
    let history = this.#results.get(trialId)
    if (history === undefined) {
      history = { points: [], lastIteration: undefined }
      this.#results.set(trialId, history)
    }
    history.points.push([time, value])
    history.lastIteration = result.trainingIteration
  }

  /**
   * Running means over [gracePeriod, time] of the other trials whose latest result reached `time`.
   * Unlike Ray, NaN values are left out of a mean, and a trial with no value in the window is no
   * sample: in Ray either one makes the median NaN and stops every trial (ray#24809).
   */
  #othersRunningMeans(trialId: string, time: number): number[] {
    const means: number[] = []
    for (const [id, { points }] of this.#results) {
      if (id === trialId) continue
      const last = points[points.length - 1]
      if (last === undefined || !(last[0] >= time)) continue
      const window: number[] = []
      for (const [t, v] of points) if (t >= this.#o.gracePeriod && t <= time && !Number.isNaN(v)) window.push(v)
      const mean = npMean(window)
      if (!Number.isNaN(mean)) means.push(mean)
    }
    return means
  }

  /** The trial's best value over everything it reported, NaNs skipped (NaN when nothing else). */
  #best(trialId: string): number {
    let best = Number.NaN
    for (const [, v] of this.#results.get(trialId)?.points ?? []) {
      if (Number.isNaN(v)) continue
      if (Number.isNaN(best) || (this.#o.mode === 'max' ? v > best : v < best)) best = v
    }
    return best
  }
}

/** Whether a trial waits for a slot: Ray's "any live trial PENDING or PAUSED". */
function waiting(runner: RunnerView): boolean {
  return runner.statusCounts.PENDING + runner.statusCounts.PAUSED > 0
}
