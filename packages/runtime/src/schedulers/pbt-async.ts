import { PbtRanking } from './pbt-ranking.js'
import { isFinished, type PbtCore, type PbtMode, type PbtTrialState, type QuantileView } from './pbt-state.js'
import type { ExploitAction, RunnerView, TrialDecision, TrialView } from './types.js'

/**
 * Asynchronous PBT: each trial perturbs on its own when due, against the current ranking, which is
 * kept sorted as scores change so a perturbation costs O(log N), not a sort of the population.
 */
export class AsyncPerturbation implements PbtMode {
  readonly #core: PbtCore
  /**
   * The unfinished trials with a score, ascending by compareScores; undefined after a load, until a
   * scan rebuilds it.
   */
  #ranking: PbtRanking<PbtTrialState> | undefined = PbtRanking.of([])
  /**
   * Trials the ranking knows to be finished (told by `finished`, or seen when it was rebuilt);
   * finished trials leave the ranking. When the runner's count of finished trials says some
   * finished unannounced, the ranking is rebuilt from a scan. Comparing counts is enough because
   * TERMINATED and ERROR are final: no trial leaves them.
   */
  readonly #finished = new Set<string>()

  /** Asynchronous mode has no barrier; kept at its initial value, as saved states always held it. */
  readonly nextPerturbationSync: number

  constructor(core: PbtCore) {
    this.#core = core
    this.nextPerturbationSync = Math.max(core.options.perturbationInterval, core.options.burnInPeriod)
  }

  unrank(state: PbtTrialState): void {
    this.#ranking?.remove(state)
  }

  rank(trial: TrialView, state: PbtTrialState): void {
    // A finished trial stays out (a runner may deliver a result for one; Ray ranks only unfinished trials).
    if (this.#ranking === undefined || isFinished(trial)) return
    this.#ranking.insert({ trial, state })
  }

  counts(): boolean {
    return true
  }

  due(runner: RunnerView, trial: TrialView, state: PbtTrialState, time: number, _result: unknown, exploits: ExploitAction[]): TrialDecision {
    state.lastPerturbationTime = time
    const counts = runner.statusCounts
    const waiting = counts.PENDING + counts.PAUSED > 0
    const exploited = this.#core.checkpointOrExploit(runner, trial, this.#quantiles(runner, state), exploits)
    return exploited ? 'NOOP' : waiting ? 'PAUSE' : 'CONTINUE'
  }

  /** A finished trial leaves the ranking (Ray's `_quantiles` skips finished trials); no barrier to release. */
  finished(_runner: RunnerView, trial: TrialView): readonly ExploitAction[] {
    if (!isFinished(trial) || this.#finished.has(trial.id)) return []
    this.#finished.add(trial.id)
    const state = this.#core.states.get(trial.id)
    if (this.#ranking !== undefined && state !== undefined) this.#ranking.remove(state)
    return []
  }

  mayRun(): boolean {
    return true
  }

  load(): void {
    this.#ranking = undefined
    this.#finished.clear()
  }

  /** The unfinished trials with a score, ascending by compareScores, from a scan of the population. */
  #rebuild(runner: RunnerView): PbtRanking<PbtTrialState> {
    const entries: { trial: TrialView; state: PbtTrialState }[] = []
    this.#finished.clear()
    for (const trial of runner.trials) {
      if (isFinished(trial)) {
        this.#finished.add(trial.id)
        continue
      }
      const state = this.#core.states.get(trial.id)
      if (state?.lastScore !== undefined) entries.push({ trial, state })
    }
    this.#ranking = PbtRanking.of(entries)
    return this.#ranking
  }

  /**
   * Ray's `_quantiles` for one perturbation, in O(log N): views of the ranking, which holds exactly
   * the unfinished scored trials while the runner's counts confirm that every finished trial was
   * announced (otherwise it is rebuilt from a scan first). Membership is a binary search; the donor
   * is picked by position.
   */
  #quantiles(runner: RunnerView, state: PbtTrialState): QuantileView {
    const counts = runner.statusCounts
    const exact = this.#ranking !== undefined && counts.TERMINATED + counts.ERROR === this.#finished.size
    const ranking = exact ? (this.#ranking as PbtRanking<PbtTrialState>) : this.#rebuild(runner)
    const m = ranking.size
    const k = m <= 1 ? -1 : this.#core.quantileSize(m)
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
}
