import { type Config, type Experiment, type ExperimentDef, type Metrics, validateExperiment } from '@vitune/dsl'
import { type CheckpointStore, MemoryCheckpointStore } from './checkpoint-store.js'
import { RunError } from './errors.js'
import type { TuneEvent } from './events.js'
import type { TrialExecutor } from './executor.js'
import { defaultExecutor } from './executor-choice.js'
import type { ExploitLog } from './exploit.js'
import { TrialLifecycle } from './lifecycle.js'
import type { Population } from './population.js'
import { deriveStream } from './random.js'
import { ResultGrid } from './result-grid.js'
import { loadSaved, RunRecord } from './run-record.js'
import { createPopulation, restoreRun } from './run-setup.js'
import { createScheduler, describeScheduler } from './scheduler-registry.js'
import type { Scheduler } from './schedulers/types.js'
import type { ExperimentStopReason, ExperimentStorage } from './snapshot.js'
import { ExperimentStopper } from './stop.js'
import { PULL_EXPIRED, type Pulled, PullFailure, type PullWatch, pullAsync, pullSync } from './tick.js'
import type { Trial } from './trial.js'
import { Watchdog } from './watchdog.js'

/** Options of a run that are not part of the experiment. */
export interface RunOptions {
  /** Cancels the run: trainables are closed and `run` rejects with `VITUNE_ABORTED`, carrying what ran. */
  readonly signal?: AbortSignal
  /** Receives every event as it happens. */
  readonly onEvent?: (event: TuneEvent) => void
  /** Where checkpoints are kept. Default: in memory (or the storage's store when `storage` is given). */
  readonly checkpointStore?: CheckpointStore
  /**
   * Saves the experiment's state as it goes and resumes an unfinished run from it. See
   * `directoryStorage` and `runResumable` in `@vitune/runtime/node`.
   */
  readonly storage?: ExperimentStorage
  /** With `storage`: carry on from an unfinished saved run (default true); false deletes it and starts over. */
  readonly resume?: boolean
  /**
   * The run's clock, in seconds from any origin. Default: `performance.now()`. Inject a fake one to
   * make wall-time fields and the time budget deterministic in tests.
   */
  readonly clock?: () => number
  /**
   * Where trials run. Default: worker threads for a trainable named by module (see `.workers()`),
   * this thread otherwise. An executor passed here belongs to the caller, who
   * shuts it down (so one pool can serve many runs).
   */
  readonly executor?: TrialExecutor
  /**
   * After how many seconds a trial still in its step (or still closing) is reported, with a
   * `trialWaiting` event (printed when there is no `onEvent`); then at twice, four times... that.
   * Default 10.
   */
  readonly waitNoticeS?: number
}

/** How long a closing trainable may take when the experiment sets no step timeout, in seconds. */
const DEFAULT_CLOSE_GRACE_S = 10

/** An aborted run: `partial` holds what ran until the abort (results, lineage, policy logs). */
export class RunAborted extends RunError {
  declare partial: ResultGrid
  constructor(message: string, partial: ResultGrid, options?: ErrorOptions) {
    super('VITUNE_ABORTED', message, options)
    this.name = 'RunAborted'
    this.partial = partial
  }
}

const now = () => performance.now() / 1000

/**
 * How long the loop may keep the event loop busy before it lets timers, aborts and signal handlers
 * run. Yielding changes no result (rounds are processed in trial order whatever the timing).
 */
const YIELD_INTERVAL_MS = 25
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)))

/** Runs an experiment to completion and returns its result grid. */
export async function run<C extends Config, M extends Metrics, K>(
  experiment: Experiment<C, M, K> | ExperimentDef,
  options: RunOptions = {},
): Promise<ResultGrid<C, M>> {
  const def = 'def' in experiment ? experiment.def : experiment
  validateExperiment(def)
  const storage = options.storage
  const executor = options.executor ?? (await defaultExecutor(def))
  storage?.open?.()
  try {
    const runner = new Runner(def, options, executor)
    return (await runner.run()) as unknown as ResultGrid<C, M>
  } finally {
    storage?.close?.()
    if (options.executor === undefined) await executor.shutdown()
  }
}

/**
 * The loop: in lockstep rounds, start trials in the free slots, pull one report from each running
 * trial, and process the reports in trial order, so the outcome never depends on timing or on
 * where trials run.
 */
class Runner {
  readonly #def: ExperimentDef
  readonly #options: RunOptions
  readonly #population: Population
  readonly #scheduler: Scheduler
  readonly #record: RunRecord
  readonly #stopper: ExperimentStopper
  readonly #lifecycle: TrialLifecycle
  readonly #log: ExploitLog = { lineage: [], policyLog: [] }
  readonly #concurrency: number
  readonly #clock: () => number
  /** Trials that were running when a resumed run was saved; they restart first. */
  readonly #resumedRunning: readonly Trial[] | undefined
  readonly #watchdog: Watchdog
  #sessionStart = 0
  #stopReason: ExperimentStopReason | undefined

  constructor(def: ExperimentDef, options: RunOptions, executor: TrialExecutor) {
    this.#def = def
    this.#options = options
    this.#clock = options.clock ?? now
    const store = options.storage?.checkpoints ?? options.checkpointStore ?? new MemoryCheckpointStore()
    this.#record = new RunRecord(def, store, options.storage)
    this.#stopper = new ExperimentStopper(def)
    this.#scheduler = createScheduler(def, deriveStream(def.seed, 'scheduler'))
    this.#population = createPopulation(def)
    this.#concurrency = def.concurrency ?? Math.max(1, this.#population.trials.length)
    this.#watchdog = new Watchdog(options.waitNoticeS ?? 10)
    this.#lifecycle = new TrialLifecycle({
      def,
      population: this.#population,
      scheduler: this.#scheduler,
      executor,
      store,
      record: this.#record,
      stopper: this.#stopper,
      log: this.#log,
      clock: this.#clock,
      // One never-aborted signal per run when none is given, not one per (re)start.
      signal: options.signal ?? new AbortController().signal,
      onEvent: options.onEvent,
      watchdog: this.#watchdog,
      closeGraceS: def.stepTimeoutS ?? DEFAULT_CLOSE_GRACE_S,
    })
    const saved = loadSaved(def, options.storage, options.resume ?? true)
    this.#resumedRunning =
      saved === undefined
        ? undefined
        : restoreRun(saved, {
            population: this.#population,
            scheduler: this.#scheduler,
            record: this.#record,
            stopper: this.#stopper,
            log: this.#log,
            location: options.storage?.location ?? 'the storage',
          }).running
  }

  #elapsed(): number {
    return this.#record.elapsedBefore + (this.#clock() - this.#sessionStart)
  }

  /** Retention and saving, after each round of results (see RunRecord.persist). */
  #persist(finished: boolean): void {
    // Most runs neither save nor prune: no view and no clock reading per round then.
    if (!this.#record.active) return
    this.#record.persist(
      {
        experiment: this.#def.name,
        trials: this.#population.trials,
        scheduler: this.#scheduler,
        lineage: this.#log.lineage,
        policyLog: this.#log.policyLog,
        stopReason: this.#stopReason,
        elapsedS: this.#elapsed(),
      },
      finished,
    )
  }

  async run(): Promise<ResultGrid> {
    // An abort ends every wait at once: a step or a close that never settles cannot hold the run.
    const onAbort = () => this.#watchdog.expireAll()
    this.#options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return await this.#loop()
    } finally {
      this.#options.signal?.removeEventListener('abort', onAbort)
    }
  }

  async #loop(): Promise<ResultGrid> {
    const lifecycle = this.#lifecycle
    const population = this.#population
    this.#sessionStart = this.#clock()
    lifecycle.emit({ type: 'experimentStart', experiment: this.#def.name, trials: population.trials.length, metric: this.#def.metric, mode: this.#def.mode })
    let running: Trial[] = []
    try {
      if (this.#resumedRunning !== undefined) {
        lifecycle.emit({ type: 'experimentResume', experiment: this.#def.name, results: this.#record.totalResults })
        // The scheduler's state is restored; adding the trials again only tells it they are back.
        for (const trial of population.trials) lifecycle.add(trial)
        for (const trial of this.#resumedRunning) lifecycle.start(trial)
        running = [...this.#resumedRunning]
      } else {
        for (const trial of population.trials) lifecycle.add(trial)
        // Saved before any checkpoint is written, so a directory never holds checkpoints without a state.
        this.#persist(false)
      }
      let lastYield = performance.now()
      while (this.#stopReason === undefined) {
        if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
          await yieldToEventLoop()
          lastYield = performance.now()
        }
        this.#checkAborted()
        if (running.length < this.#concurrency) {
          // One choice for all free slots: restarting a whole population after a barrier stays O(N log N).
          const chosen = this.#scheduler.chooseTrialsToRun(population, this.#concurrency - running.length) as Trial[]
          // Indexed loops on the loop's paths: an array iterator's result objects are not always optimised away.
          for (let i = 0; i < chosen.length; i++) {
            const next = chosen[i] as Trial
            lifecycle.start(next)
            running.push(next)
          }
        }
        if (running.length === 0) {
          const stuck = population.trials.filter((t) => t.status === 'PENDING' || t.status === 'PAUSED')
          if (stuck.length === 0) break
          throw new RunError(
            'VITUNE_SCHEDULER_STALLED',
            `experiment "${this.#def.name}": no trial can run, but ${stuck.map((t) => `${t.id} (${t.status})`).join(', ')} did not finish. This is a scheduler bug; please report it with the experiment.`,
          )
        }
        running.sort((a, b) => a.index - b.index)
        const pulled = pullSync(running, this.#clock) ?? (await this.#pullAsync(running))
        for (let i = 0; i < running.length; i++) if (pulled[i] === PULL_EXPIRED) lifecycle.stuck(running[i] as Trial)
        // Aborted while waiting: nothing of this round is taken.
        this.#checkAborted()
        let budgetSpent = false
        for (let i = 0; i < running.length; i++) {
          const trial = running[i] as Trial
          // An exploit earlier in this round may have paused it: its report is not taken.
          if (trial.status !== 'RUNNING') continue
          const outcome = pulled[i]
          if (outcome === PULL_EXPIRED) {
            // The step outlasted the time budget (the whole run stops below) or the step timeout.
            if (this.#budgetFirst) budgetSpent = true
            else await lifecycle.fail(trial, this.#stepTimeout(trial))
            continue
          }
          const pending = this.#take(trial, outcome)
          if (pending !== undefined) await pending
        }
        running = running.filter((t) => t.status === 'RUNNING')
        const reason = budgetSpent ? 'timeBudget' : this.#stopper.active ? this.#stopper.check(this.#elapsed()) : undefined
        if (reason !== undefined) {
          this.#stopReason = reason
          lifecycle.emit({ type: 'experimentStop', experiment: this.#def.name, reason })
          await lifecycle.stopAll()
        }
        this.#persist(false)
      }
      this.#persist(true)
    } catch (error) {
      await lifecycle.abandon()
      // A run error that ended the run under way keeps what ran (an abort already carries it).
      if (error instanceof RunError) error.partial ??= this.#grid()
      throw error
    }
    lifecycle.emit({ type: 'experimentEnd', experiment: this.#def.name })
    return this.#grid()
  }

  /** Whether this round's wait ended with the time budget rather than the step timeout. */
  #budgetFirst = false

  /**
   * Pulls a round of asynchronous steps, each waited for at most the step timeout or what is left
   * of the time budget, whichever ends first.
   */
  #pullAsync(running: readonly Trial[]): Promise<Pulled[]> {
    const def = this.#def
    const budgetLeft = def.timeBudgetS === undefined ? Number.POSITIVE_INFINITY : Math.max(0, def.timeBudgetS - this.#elapsed())
    const step = def.stepTimeoutS ?? Number.POSITIVE_INFINITY
    this.#budgetFirst = budgetLeft < step
    const watch: PullWatch = {
      watchdog: this.#watchdog,
      seconds: Math.min(step, budgetLeft),
      notice: (trial, waited) => this.#lifecycle.waitingInStep(trial, waited),
    }
    return pullAsync(running, this.#clock, watch)
  }

  #stepTimeout(trial: Trial): RunError {
    const seconds = this.#def.stepTimeoutS as number
    return new RunError(
      'VITUNE_STEP_TIMEOUT',
      `${this.#lifecycle.where(trial)}: its step after training iteration ${trial.iteration} did not report within ${seconds} s (.stepTimeout(${seconds})). A trainable that awaits something that never settles hangs the run; if the step is only slow, raise the timeout.`,
    )
  }

  /** Handles one pulled outcome; a promise only when something must be awaited. */
  #take(trial: Trial, outcome: Exclude<Pulled, typeof PULL_EXPIRED>): Promise<void> | undefined {
    if (outcome === undefined) return this.#lifecycle.complete(trial)
    if (outcome instanceof PullFailure) return this.#lifecycle.fail(trial, outcome.error)
    return this.#lifecycle.process(trial, outcome)
  }

  #checkAborted(): void {
    const signal = this.#options.signal
    if (signal?.aborted)
      throw new RunAborted(`experiment "${this.#def.name}" was aborted: ${String(signal.reason ?? 'no reason given')}.`, this.#grid(), {
        cause: signal.reason,
      })
  }

  #grid(): ResultGrid {
    return new ResultGrid({
      experiment: this.#def.name,
      metric: this.#def.metric,
      mode: this.#def.mode,
      trials: [...this.#population.trials].sort((a, b) => a.index - b.index).map((t) => t.toResult()),
      lineage: this.#log.lineage,
      policyLog: this.#log.policyLog,
      schedulerStats: this.#scheduler.stats(),
      scheduler: describeScheduler(this.#def),
      seed: this.#def.seed,
      stopReason: this.#stopReason,
    })
  }
}
