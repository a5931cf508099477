import type { Config } from '@vitune/dsl'
import { RunError } from '../errors.js'
import type { Result, TrialStatus } from '../types.js'
import { Bracket, type BracketState, bracketSize, bracketsPerBand, type HyperBandSettings } from './hyperband-bracket.js'
import { decide, type ExploitAction, type RunnerView, type Scheduler, type SchedulerDecision, type TrialDecision, type TrialView } from './types.js'

export type { HyperBandSettings } from './hyperband-bracket.js'

/** A trial HyperBand ended: when, in which bracket, at which milestone. */
export interface HyperBandStop {
  readonly trialId: string
  /** Band and bracket (`s`) it ran in. */
  readonly band: number
  readonly s: number
  /** The milestone whose halving dropped it (the bracket's last for a finished bracket). */
  readonly milestone: number
  /** Its time when stopped. */
  readonly time: number
  /** Halved out, or ran to the bracket's end. */
  readonly reason: 'halved' | 'finished'
}

/** Everything HyperBand saves to resume. */
export interface HyperBandState {
  /** Bands in creation order; a null is Ray's placeholder for a bracket too small to exist. */
  readonly bands: readonly (readonly (BracketState | null)[])[]
  /** Trial id → [band, position in band], for the trials added so far. */
  readonly trialInfo: readonly (readonly [string, readonly [number, number]])[]
  /** The bracket new trials join: [band, position], or undefined before the first. */
  readonly current: readonly [number, number] | undefined
  readonly numStopped: number
  readonly stops: readonly HyperBandStop[]
  /** Stops decided by a completion or an error, not yet carried by a decision. */
  readonly pendingStops: readonly string[]
  readonly stopOnResult: readonly string[]
}

/**
 * HyperBand (Ray's `HyperBandScheduler`, synchronous successive halving in bands of brackets): a
 * trial that reaches its bracket's milestone pauses until every trial of the bracket has; then the
 * best 1/η go on to a milestone η times further and the rest stop. It is the one scheduler here
 * that ends other trials than the one reporting: the decision's `stop` lists them.
 */
export class HyperBandScheduler implements Scheduler {
  readonly #o: HyperBandSettings
  readonly #sign: 1 | -1
  readonly #perBand: number
  #bands: (Bracket | null)[][] = []
  #trialInfo = new Map<string, readonly [number, number]>()
  #current: readonly [number, number] | undefined
  #numStopped = 0
  #stops: HyperBandStop[] = []
  /**
   * Other trials to stop, decided while no decision could carry them (a trial's completion or error
   * completed a rung); the next decision carries them.
   */
  #pendingStops: string[] = []
  /** Deferred stops resumed only to be stopped, because nothing else could run (see chooseTrialsToRun). */
  #stopOnResult = new Set<string>()
  /** Trials whose place came from `restore` and that were not added since: a resumed run adds them again. */
  #restored = new Set<string>()

  constructor(settings: HyperBandSettings) {
    this.#o = settings
    this.#sign = settings.mode === 'max' ? 1 : -1
    this.#perBand = bracketsPerBand(settings)
  }

  onTrialAdd(_runner: RunnerView, trial: TrialView): Config | undefined {
    if (this.#restored.delete(trial.id)) return undefined
    // A retried trial joins a bracket anew, as Ray re-adds it; it already left its old one on error.
    let bracket = this.#currentBracket()
    if (bracket === undefined || bracket.filled()) bracket = this.#openBracket()
    bracket.add(trial.id)
    this.#trialInfo.set(trial.id, this.#current as readonly [number, number])
    return undefined
  }

  onTrialResult(runner: RunnerView, trial: TrialView, result: Result): SchedulerDecision {
    if (this.#stopOnResult.delete(trial.id)) return this.#withStops(decide('STOP'))
    const bracket = this.#bracketOf(trial.id)
    if (bracket.update(trial.id, result, this.#sign) === undefined) {
      const key = typeof result[this.#o.timeAttr] !== 'number' ? this.#o.timeAttr : this.#o.metric
      throw new RunError(
        'VITUNE_MISSING_RESULT_KEY',
        `experiment "${runner.experiment}", trial ${trial.id}: the result has no numeric \`${key}\`, which HyperBand needs to rank trials at its milestones. Report it from the trainable.`,
      )
    }
    if (bracket.continueTrial(trial.id)) return this.#withStops(decide('CONTINUE'))
    return this.#withStops(decide(this.#processBracket(runner, bracket, trial.id)))
  }

  onTrialComplete(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    this.#remove(runner, trial.id)
    return []
  }

  onTrialError(runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    this.#remove(runner, trial.id)
    return []
  }

  /**
   * Ray's choice, `count` times: bands in order, their brackets least complete first, trials in add
   * order; PENDING trials, and PAUSED ones the last halving promoted. Other PAUSED trials wait.
   * Starting a trial changes no bracket's completion, so one pass gives what successive calls would.
   */
  chooseTrialsToRun(runner: RunnerView, count: number): readonly TrialView[] {
    const byId = new Map(runner.trials.map((t) => [t.id, t]))
    const chosen: TrialView[] = []
    for (const band of this.#bands) {
      const brackets = band.filter((b): b is Bracket => b !== null)
      const order = brackets.map((b, i) => ({ b, i, completion: b.completion() })).sort((x, y) => x.completion - y.completion || x.i - y.i)
      for (const { b } of order) {
        for (const id of b.live.keys()) {
          if (chosen.length === count) return chosen
          const trial = byId.get(id)
          if (trial !== undefined && (trial.status === 'PENDING' || (trial.status === 'PAUSED' && b.toUnpause.has(id)))) chosen.push(trial)
        }
      }
    }
    // Stops decided by a completion or an error wait for the next decision. When nothing else can
    // run, no decision will come: resume those trials so that their next result stops them.
    if (chosen.length === 0 && runner.statusCounts.RUNNING === 0 && this.#pendingStops.length > 0) {
      for (const id of this.#pendingStops.splice(0, count)) {
        const trial = byId.get(id)
        if (trial === undefined || trial.status !== 'PAUSED') continue
        this.#stopOnResult.add(id)
        chosen.push(trial)
      }
    }
    return chosen
  }

  stats() {
    return { stopped: this.#numStopped, brackets: this.#bands.reduce((n, band) => n + band.filter((b) => b !== null).length, 0) }
  }

  /** Every trial HyperBand ended, in order, with its bracket and milestone. */
  stops(): readonly HyperBandStop[] {
    return [...this.#stops]
  }

  /** The bands as data: for reports, plots and tests. */
  bands(): readonly (readonly (BracketState | null)[])[] {
    return this.#bands.map((band) => band.map((b) => b?.state() ?? null))
  }

  snapshot(): HyperBandState {
    return {
      bands: this.bands(),
      trialInfo: [...this.#trialInfo],
      current: this.#current,
      numStopped: this.#numStopped,
      stops: this.stops(),
      pendingStops: [...this.#pendingStops],
      stopOnResult: [...this.#stopOnResult],
    }
  }

  restore(state: unknown): void {
    const saved = state as HyperBandState
    this.#bands = saved.bands.map((band) => band.map((b) => (b === null ? null : new Bracket(this.#o, b))))
    this.#trialInfo = new Map(saved.trialInfo)
    this.#current = saved.current
    this.#numStopped = saved.numStopped
    this.#stops = [...saved.stops]
    this.#pendingStops = [...saved.pendingStops]
    this.#stopOnResult = new Set(saved.stopOnResult)
    this.#restored = new Set(this.#trialInfo.keys())
  }

  checkpointsInUse() {
    return []
  }

  #currentBracket(): Bracket | undefined {
    if (this.#current === undefined) return undefined
    return this.#bands[this.#current[0]]?.[this.#current[1]] ?? undefined
  }

  /** Ray's loop in `on_trial_add`: the next bracket of the band (s = 0, 1, ...), skipping ones too small. */
  #openBracket(): Bracket {
    for (;;) {
      let band = this.#bands[this.#bands.length - 1]
      if (band === undefined || band.length === this.#perBand) {
        band = []
        this.#bands.push(band)
      }
      const s = band.length
      const { n0, r0 } = bracketSize(this.#o, s)
      if (r0 === 0) {
        band.push(null)
        continue
      }
      const bracket = Bracket.create(this.#o, s, n0, r0)
      band.push(bracket)
      this.#current = [this.#bands.length - 1, s]
      return bracket
    }
  }

  #bracketOf(trialId: string): Bracket {
    const info = this.#trialInfo.get(trialId)
    const bracket = info === undefined ? undefined : this.#bands[info[0]]?.[info[1]]
    if (bracket === undefined || bracket === null) throw new Error(`HyperBand has no bracket for trial ${trialId}; was onTrialAdd called?`)
    return bracket
  }

  /**
   * Ray's `on_trial_remove`: the trial leaves its bracket's live set, and when that completes the
   * rung, the bracket is processed. Unlike Ray, a bracket is processed again after its first halving
   * (Ray's `is_being_processed` is never cleared, stranding PAUSED trials when a later straggler
   * errors); a trial that already left (stopped by a halving) changes nothing.
   */
  #remove(runner: RunnerView, trialId: string): void {
    const info = this.#trialInfo.get(trialId)
    if (info === undefined) return
    const bracket = this.#bands[info[0]]?.[info[1]]
    if (bracket === undefined || bracket === null || !bracket.live.delete(trialId)) return
    bracket.toUnpause.delete(trialId)
    if (bracket.live.size === 0) return
    if (!bracket.finished()) {
      this.#processBracket(runner, bracket, undefined)
      return
    }
    // The removal completed the bracket's last rung: the trials waiting there end (Ray leaves them
    // PAUSED and never resumes them, ray#6780).
    const status = statusLookup(runner)
    const [band] = info
    for (const [id, result] of [...bracket.live]) {
      if (status(id) !== 'PAUSED') continue
      this.#stops.push({ trialId: id, band, s: bracket.s, milestone: bracket.cumulR, time: result?.time ?? 0, reason: 'finished' })
      this.#stopOther(bracket, id)
    }
  }

  /** The decision for the reporting trial, carrying every stop decided so far. */
  #withStops(decision: SchedulerDecision): SchedulerDecision {
    if (this.#pendingStops.length === 0) return decision
    const stop = this.#pendingStops
    this.#pendingStops = []
    return { ...decision, stop }
  }

  /** Ray's `_process_bracket`: the decision for `reportingId`; other trials' stops go to the queue. */
  #processBracket(runner: RunnerView, bracket: Bracket, reportingId: string | undefined): TrialDecision {
    if (!bracket.rungDone()) return 'PAUSE'
    const status = statusLookup(runner)
    const [band] = this.#trialInfo.get(reportingId ?? (bracket.live.keys().next().value as string)) ?? [0]
    if (bracket.finished()) {
      // The last rung is done: every live trial ends (Ray's cleanup_full).
      for (const [id, result] of [...bracket.live]) {
        this.#stops.push({ trialId: id, band, s: bracket.s, milestone: bracket.cumulR, time: result?.time ?? 0, reason: 'finished' })
        if (id !== reportingId && status(id) === 'PAUSED') this.#stopOther(bracket, id)
      }
      return 'STOP'
    }
    const milestone = bracket.cumulR
    const { good, bad } = bracket.successiveHalving()
    this.#numStopped += bad.length
    let decision: TrialDecision = 'PAUSE'
    for (const id of bad) {
      this.#stops.push({ trialId: id, band, s: bracket.s, milestone, time: bracket.live.get(id)?.time ?? 0, reason: 'halved' })
      if (id === reportingId) {
        bracket.live.delete(id)
        decision = 'STOP'
      } else this.#stopOther(bracket, id)
    }
    for (const id of good) {
      if (bracket.continueTrial(id)) {
        if (id === reportingId) decision = 'CONTINUE'
        else if (status(id) === 'PAUSED') bracket.toUnpause.add(id)
        // A PENDING trial (one being retried) simply runs when chosen (ray#35338).
      } else if (bracket.finished()) {
        // Good but already past the new milestone of the last rung (PR #39157's "overstepped" trial).
        this.#stops.push({ trialId: id, band, s: bracket.s, milestone: bracket.cumulR, time: bracket.live.get(id)?.time ?? 0, reason: 'finished' })
        if (id === reportingId) {
          bracket.live.delete(id)
          decision = 'STOP'
        } else this.#stopOther(bracket, id)
      }
    }
    return decision
  }

  /** Another trial ends: it leaves the bracket now, and the runner stops it (Ray's `stop_trial`). */
  #stopOther(bracket: Bracket, trialId: string): void {
    bracket.live.delete(trialId)
    bracket.toUnpause.delete(trialId)
    this.#pendingStops.push(trialId)
  }
}

/** Status by trial id, built once per bracket processing (a halving happens once per rung). */
function statusLookup(runner: RunnerView): (id: string) => TrialStatus | undefined {
  let byId: Map<string, TrialStatus> | undefined
  return (id) => {
    byId ??= new Map(runner.trials.map((t) => [t.id, t.status]))
    return byId.get(id)
  }
}
