import type { Result } from '../types.js'
import { PbtRanking } from './pbt-ranking.js'
import { isFinished, type PbtCore, type PbtMode, type PbtTrialState, type QuantileView } from './pbt-state.js'
import type { ExploitAction, RunnerView, TrialDecision, TrialView } from './types.js'

/** A quantile of a synchronous round: its trials in rank order, and a membership test. */
interface ListedQuantile {
  readonly trials: readonly TrialView[]
  has(trial: TrialView): boolean
}

function listedQuantile(trials: readonly TrialView[]): ListedQuantile {
  const members = new Set(trials)
  return { trials, has: (trial) => members.has(trial) }
}

/**
 * Synchronous PBT: every live trial waits at the barrier (`nextPerturbationSync`), then the whole
 * population perturbs in one round. Rounds do not depend on the order results arrive in, so the
 * results are the same at any concurrency (docs/ray-differences.md).
 */
export class SyncRounds implements PbtMode {
  readonly #core: PbtCore
  #next: number
  /** Where `#findFrom` starts: the index of its last match. */
  #scanFrom = 0
  /** The last round's ranking, reused while no score changed (a released barrier perturbs without new scores). */
  #ranking: PbtRanking<PbtTrialState> | undefined

  constructor(core: PbtCore) {
    this.#core = core
    this.#next = Math.max(core.options.perturbationInterval, core.options.burnInPeriod)
  }

  get nextPerturbationSync(): number {
    return this.#next
  }

  // Every score changes once per round and the ranking is needed once per round: one sort then
  // beats N insertions of O(N) each.
  unrank(): void {
    this.#ranking = undefined
  }

  rank(): void {}

  /**
   * A trial below the barrier does not count as having reached it, even when it is due by its own
   * last perturbation (a retried trial starts over at 0; Ray lets it open the round early, so the
   * round's time then depends on concurrency). It goes on until it reaches the barrier.
   */
  counts(time: number): boolean {
    return time >= this.#next
  }

  due(runner: RunnerView, trial: TrialView, _state: PbtTrialState, _time: number, result: Result, exploits: ExploitAction[]): TrialDecision {
    const behind = this.#findFrom(runner.trials, (x) => x.id !== trial.id && !isFinished(x) && this.#core.stateOf(x).lastTrainTime < this.#next)
    if (behind) return 'PAUSE'
    // The round's time is where the live trials stand, not the time of whichever reported last
    // (Ray takes the latter): it must not depend on the order results arrive in.
    const exploited = this.#perturbAll(runner, exploits, { id: trial.id, iteration: result.trainingIteration })
    return exploited ? 'NOOP' : 'PAUSE'
  }

  /**
   * Ray waits at a synchronous barrier only when a trial reports. When the last trial still running
   * finishes or errors instead, the others would wait forever: release the barrier then. A trial
   * that errored and will retry is PENDING, so the barrier keeps waiting for it, as in Ray.
   */
  finished(runner: RunnerView): readonly ExploitAction[] {
    // A live trial that still runs, or has not reached the barrier, keeps it closed.
    if (this.#findFrom(runner.trials, (x) => !isFinished(x) && (x.status !== 'PAUSED' || this.#core.stateOf(x).lastTrainTime < this.#next))) return []
    if (!runner.trials.some((x) => !isFinished(x))) return []
    const exploits: ExploitAction[] = []
    this.#perturbAll(runner, exploits, undefined)
    return exploits
  }

  mayRun(time: number): boolean {
    return time < this.#next
  }

  load(nextPerturbationSync: number): void {
    this.#next = nextPerturbationSync
    this.#ranking = undefined
  }

  /**
   * Whether any trial passes `test`, scanning from where the last scan found one. Trials reach a
   * barrier (and finish) in list order, so the scan usually stops at once: this keeps the barrier
   * checks O(1) per result instead of O(population). Only speed depends on the start.
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

  /**
   * The round: upper quantile first (so donors checkpoint before anyone clones them), at the time
   * the furthest live trial stands. `current`, the trial whose result completed the round, records
   * its own iteration in its policy line, as the trials that waited at the barrier do.
   */
  #perturbAll(runner: RunnerView, exploits: ExploitAction[], current: { readonly id: string; readonly iteration: number } | undefined): boolean {
    const core = this.#core
    let time = Number.NEGATIVE_INFINITY
    for (const trial of runner.trials) if (!isFinished(trial)) time = Math.max(time, core.stateOf(trial).lastTrainTime)
    const [lower, upper] = this.#quantiles(runner)
    const middle = runner.trials.filter((t) => !lower.has(t) && !upper.has(t))
    const upperAt = (index: number) => upper.trials[index] as TrialView
    let currentExploited = false
    for (const t of [...upper.trials, ...middle, ...lower.trials]) {
      core.stateOf(t).lastPerturbationTime = time
      const quantiles: QuantileView = { inUpper: upper.has(t), inLower: lower.has(t), upperSize: upper.trials.length, upperAt }
      const isCurrent = t.id === current?.id
      const exploited = core.checkpointOrExploit(runner, t, quantiles, exploits, isCurrent ? current?.iteration : undefined)
      if (exploited && isCurrent) currentExploited = true
    }
    const interval = core.options.perturbationInterval
    const next = Math.max(this.#next + interval, ...runner.trials.map((t) => core.stateOf(t).lastTrainTime))
    // Ray's rule, unless every live trial already stands at or past it: then none could run and no
    // result would ever open the barrier (Ray hangs). The barrier moves one interval past the slowest.
    const slowest = Math.min(...runner.trials.filter((t) => !isFinished(t)).map((t) => core.stateOf(t).lastTrainTime))
    this.#next = slowest >= next ? slowest + interval : next
    return currentExploited
  }

  /** Ray's `_quantiles` for a round: [lower, upper] of the unfinished trials that have a score, listed. */
  #quantiles(runner: RunnerView): [ListedQuantile, ListedQuantile] {
    this.#ranking ??= this.#scan(runner)
    const scored: TrialView[] = []
    for (const { trial } of this.#ranking) if (!isFinished(trial)) scored.push(trial)
    if (scored.length <= 1) return [listedQuantile([]), listedQuantile([])]
    const k = this.#core.quantileSize(scored.length)
    // k = 0 makes every trial "upper", as Python's trials[-0:] does in Ray.
    return [listedQuantile(scored.slice(0, k)), listedQuantile(k === 0 ? scored : scored.slice(-k))]
  }

  #scan(runner: RunnerView): PbtRanking<PbtTrialState> {
    const entries: { trial: TrialView; state: PbtTrialState }[] = []
    for (const trial of runner.trials) {
      if (isFinished(trial)) continue
      const state = this.#core.states.get(trial.id)
      if (state?.lastScore !== undefined) entries.push({ trial, state })
    }
    return PbtRanking.of(entries)
  }
}
