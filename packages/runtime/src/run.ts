import { type Config, type Experiment, type ExperimentDef, type Metrics, validateExperiment } from '@vitune/dsl'
import { type CheckpointStore, MemoryCheckpointStore } from './checkpoint-store.js'
import { RunError } from './errors.js'
import type { TuneEvent } from './events.js'
import { deriveStream, type RandomStream } from './random.js'
import { ResultGrid, type TrialFailure } from './result-grid.js'
import { loadSaved, RunRecord, referencedCheckpoints } from './run-record.js'
import { FifoScheduler } from './schedulers/fifo.js'
import { PbtScheduler } from './schedulers/pbt.js'
import { PbtReplayScheduler } from './schedulers/pbt-replay.js'
import type { ExploitAction, RunnerView, Scheduler, TrialDecision } from './schedulers/types.js'
import { freezeConfig, generateVariants } from './search/variants.js'
import type { ExperimentStopReason, ExperimentStorage, SavedExperiment } from './snapshot.js'
import { ExperimentStopper, shouldStopTrial } from './stop.js'
import { type Report, startTrainable, type TrialIterator } from './trainable.js'
import { Trial } from './trial.js'
import type { ExploitEvent, PolicyRecord, Result, TrialStatus } from './types.js'

/** Options of a run that are not part of the experiment. */
export interface RunOptions {
  /** Cancels the run: trainables are closed and `run` rejects. */
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
}

/** Stable 5-hex prefix for trial ids, from the experiment's name and seed. */
function idPrefix(name: string, seed: number): string {
  let h = 0x811c9dc5
  for (const ch of `${name}\u0000${seed}`) {
    h ^= ch.codePointAt(0) as number
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0').slice(0, 5)
}

function createScheduler(def: ExperimentDef, stream: RandomStream): Scheduler {
  if (def.scheduler.kind === 'fifo') return new FifoScheduler()
  if (def.scheduler.kind === 'pbtReplay') return new PbtReplayScheduler(def.scheduler.policy)
  return new PbtScheduler({ ...def.scheduler, metric: def.metric as string, mode: def.mode as 'min' | 'max', mutations: def.mutations ?? {} }, stream)
}

const now = () => performance.now() / 1000

/** A synchronous pull that threw; the error waits in `Runner.#pullErrors`. */
const FAILED: unique symbol = Symbol('failed')

const isSettled = (outcome: Report | PromiseSettledResult<Report | undefined>): outcome is PromiseSettledResult<Report | undefined> => 'status' in outcome

/**
 * A plain copy of a report's metrics that the runtime fields are then added to. Building results
 * with `{ ...metrics, trainingIteration, ... }` hits a slow path in V8 (several microseconds per
 * retained result); copying key by key costs a few hundred nanoseconds. See docs/benchmarks.md.
 */
function copyMetrics(metrics: Metrics): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(metrics)) copy[key] = metrics[key]
  return copy
}

/** Runs an experiment to completion and returns its result grid. */
export async function run<C extends Config, M extends Metrics, K>(
  experiment: Experiment<C, M, K> | ExperimentDef,
  options: RunOptions = {},
): Promise<ResultGrid<C, M>> {
  const def = 'def' in experiment ? experiment.def : experiment
  validateExperiment(def)
  const storage = options.storage
  storage?.open?.()
  try {
    const runner = new Runner(def, options, loadSaved(def, storage, options.resume ?? true))
    return (await runner.run()) as unknown as ResultGrid<C, M>
  } finally {
    storage?.close?.()
  }
}

/** The executor: pulls results in lockstep ticks, so the outcome never depends on timing. */
class Runner implements RunnerView {
  readonly experiment: string
  trials: Trial[] = []
  readonly statusCounts: Record<TrialStatus, number> = { PENDING: 0, RUNNING: 0, PAUSED: 0, TERMINATED: 0, ERROR: 0 }
  readonly #def: ExperimentDef
  readonly #options: RunOptions
  readonly #store: CheckpointStore
  readonly #record: RunRecord
  readonly #scheduler: Scheduler
  readonly #concurrency: number
  readonly #clock: () => number
  readonly #stopper: ExperimentStopper
  readonly #resumed: boolean
  #lineage: ExploitEvent[] = []
  #policyLog: PolicyRecord[] = []
  #sessionStart = 0
  #stopReason: ExperimentStopReason | undefined
  #neverAborted: AbortSignal | undefined
  #byId: Map<string, Trial> | undefined
  /** Errors of this tick's synchronous pulls, by trial. */
  readonly #pullErrors = new Map<Trial, unknown>()
  /** The trial whose result is being checked, for #describeCurrent. */
  #current: Trial | undefined
  /** Describes #current for an error message; one closure per run instead of one per result. */
  readonly #describeCurrent = () => this.#where(this.#current as Trial)

  constructor(def: ExperimentDef, options: RunOptions, saved: SavedExperiment | undefined) {
    this.experiment = def.name
    this.#def = def
    this.#options = options
    this.#store = options.storage?.checkpoints ?? options.checkpointStore ?? new MemoryCheckpointStore()
    this.#record = new RunRecord(def, this.#store, options.storage)
    this.#clock = options.clock ?? now
    this.#stopper = new ExperimentStopper(def)
    this.#scheduler = createScheduler(def, deriveStream(def.seed, 'scheduler'))
    if (options.storage !== undefined && this.#scheduler.snapshot === undefined) {
      throw new RunError(
        'VITUNE_STATE_MISMATCH',
        `experiment "${def.name}": its scheduler (${def.scheduler.kind}) cannot save its state, so the run cannot be persisted. Run it without storage.`,
      )
    }
    const variants = generateVariants(def, deriveStream(def.seed, 'variants'))
    const prefix = idPrefix(def.name, def.seed)
    this.trials = variants.map(
      (v) =>
        new Trial(`${prefix}_${String(v.index).padStart(5, '0')}`, v.index, v.tag, v.config, deriveStream(def.seed, `trial:${v.index}`), this.statusCounts),
    )
    this.#concurrency = def.concurrency ?? Math.max(1, this.trials.length)
    this.#resumed = saved !== undefined
    if (saved !== undefined) this.#restoreFrom(saved)
  }

  /** Puts the run back where the saved state left it; trainables restart from their checkpoints. */
  #restoreFrom({ snapshot, results }: SavedExperiment): void {
    const location = this.#options.storage?.location ?? 'the storage'
    const byId = new Map(this.trials.map((t) => [t.id, t]))
    const resultsOf = new Map<string, Result[]>()
    for (const result of results) {
      const list = resultsOf.get(result.trialId)
      if (list === undefined) resultsOf.set(result.trialId, [result])
      else list.push(result)
      this.#stopper.observe(result)
    }
    for (const saved of snapshot.trials) {
      const trial = byId.get(saved.id)
      if (trial === undefined) {
        throw new RunError(
          'VITUNE_STATE_MISMATCH',
          `experiment "${this.experiment}": ${location} has trial ${saved.id}, which this experiment does not. Pass resume: false to start over.`,
        )
      }
      trial.restoreFrom(saved, this.#def.seed, resultsOf.get(saved.id) ?? [])
    }
    this.trials = snapshot.order.map((id) => byId.get(id) as Trial)
    this.#lineage = [...snapshot.lineage]
    this.#policyLog = [...snapshot.policyLog]
    this.#scheduler.restore?.(snapshot.scheduler)
    this.#record.restore(snapshot, referencedCheckpoints(this.trials, this.#scheduler))
  }

  #elapsed(): number {
    return this.#record.elapsedBefore + (this.#clock() - this.#sessionStart)
  }

  /** Retention and saving, after each round of results (see RunRecord.persist). */
  #persist(finished: boolean): void {
    // Most runs neither save nor prune: no view and no clock reading per tick then.
    if (!this.#record.active) return
    this.#record.persist(
      {
        experiment: this.experiment,
        trials: this.trials,
        scheduler: this.#scheduler,
        lineage: this.#lineage,
        policyLog: this.#policyLog,
        stopReason: this.#stopReason,
        elapsedS: this.#elapsed(),
      },
      finished,
    )
  }

  /** Ends every unfinished trial at once: an experiment-wide stop or the time budget. */
  async #stopAll(reason: ExperimentStopReason): Promise<void> {
    this.#stopReason = reason
    this.#emit({ type: 'experimentStop', experiment: this.experiment, reason })
    for (const trial of this.trials) {
      if (trial.status === 'TERMINATED' || trial.status === 'ERROR') continue
      trial.status = 'TERMINATED'
      await trial.iterator?.close()
      trial.iterator = undefined
      trial.restore = undefined
      this.#emit({ type: 'trialEnd', trialId: trial.id, status: trial.status })
    }
  }

  #emit(event: TuneEvent): void {
    this.#options.onEvent?.(event)
  }

  #where(trial: Trial): string {
    return `experiment "${this.experiment}", trial ${trial.id} (${trial.tag})`
  }

  async run(): Promise<ResultGrid> {
    this.#sessionStart = this.#clock()
    this.#emit({ type: 'experimentStart', experiment: this.experiment, trials: this.trials.length, metric: this.#def.metric, mode: this.#def.mode })
    let running = this.trials.filter((t) => t.status === 'RUNNING')
    try {
      if (this.#resumed) {
        this.#emit({ type: 'experimentResume', experiment: this.experiment, results: this.#record.totalResults })
        // The scheduler's state is restored; adding the trials again only tells it they are back.
        for (const trial of this.trials) this.#add(trial)
        for (const trial of running) this.#start(trial)
      } else {
        for (const trial of this.trials) this.#add(trial)
        // Saved before any checkpoint is written, so a directory never holds checkpoints without a state.
        this.#persist(false)
      }
      while (this.#stopReason === undefined) {
        this.#checkAborted()
        if (running.length < this.#concurrency && this.#scheduler.chooseTrialsToRun !== undefined) {
          // One ranking for all free slots: restarting a whole population after a barrier stays O(N log N).
          // It returns what successive chooseTrialToRun calls would, so none is left to ask for after it.
          for (const next of this.#scheduler.chooseTrialsToRun(this, this.#concurrency - running.length) as Trial[]) {
            this.#start(next)
            running.push(next)
          }
        } else {
          while (running.length < this.#concurrency) {
            const next = this.#scheduler.chooseTrialToRun(this) as Trial | undefined
            if (next === undefined) break
            this.#start(next)
            running.push(next)
          }
        }
        if (running.length === 0) {
          const stuck = this.trials.filter((t) => t.status === 'PENDING' || t.status === 'PAUSED')
          if (stuck.length === 0) break
          throw new RunError(
            'VITUNE_SCHEDULER_STALLED',
            `experiment "${this.experiment}": no trial can run, but ${stuck.map((t) => `${t.id} (${t.status})`).join(', ')} did not finish. This is a scheduler bug; please report it with the experiment.`,
          )
        }
        running.sort((a, b) => a.index - b.index)
        const pulled = this.#pullSync(running) ?? (await Promise.allSettled(running.map((t) => this.#pull(t))))
        for (let i = 0; i < running.length; i++) {
          const trial = running[i] as Trial
          if (trial.status !== 'RUNNING') continue
          const outcome = pulled[i]
          if (outcome === FAILED) await this.#fail(trial, this.#pullErrors.get(trial))
          else if (outcome === undefined) await this.#complete(trial)
          else if (isSettled(outcome)) {
            if (outcome.status === 'rejected') await this.#fail(trial, outcome.reason)
            else if (outcome.value === undefined) await this.#complete(trial)
            else await this.#process(trial, outcome.value)
          } else {
            // Most results need nothing awaited: a promise per result would cost more than the rest of it.
            const pending = this.#process(trial, outcome)
            if (pending !== undefined) await pending
          }
        }
        this.#pullErrors.clear()
        running = running.filter((t) => t.status === 'RUNNING')
        const reason = this.#stopper.active ? this.#stopper.check(this.#elapsed()) : undefined
        if (reason !== undefined) await this.#stopAll(reason)
        this.#persist(false)
      }
      this.#persist(true)
    } catch (error) {
      await Promise.allSettled(this.trials.map((t) => t.iterator?.close()))
      throw error
    }
    this.#emit({ type: 'experimentEnd', experiment: this.experiment })
    return new ResultGrid({
      experiment: this.experiment,
      metric: this.#def.metric,
      mode: this.#def.mode,
      trials: [...this.trials].sort((a, b) => a.index - b.index).map((t) => t.toResult()),
      lineage: this.#lineage,
      policyLog: this.#policyLog,
      schedulerStats: this.#scheduler.stats(),
    })
  }

  #checkAborted(): void {
    const signal = this.#options.signal
    if (signal?.aborted)
      throw new RunError('VITUNE_ABORTED', `experiment "${this.experiment}" was aborted: ${String(signal.reason ?? 'no reason given')}.`, {
        cause: signal.reason,
      })
  }

  #add(trial: Trial): void {
    const filled = this.#scheduler.onTrialAdd(this, trial)
    if (filled !== undefined) {
      trial.config = freezeConfig(filled)
      if (trial.results.length === 0) {
        ;(trial as { initialConfig: Config }).initialConfig = trial.config
        trial.configHistory[0] = { trainingIteration: 0, config: trial.config, cause: 'initial' }
      }
    }
  }

  #start(trial: Trial): void {
    const restore = trial.restore
    if (trial.iterator === undefined || restore !== undefined) {
      void trial.iterator?.close()
      trial.restore = undefined
      trial.iteration = restore?.iteration ?? 0
      trial.timeTotal = restore?.timeTotal ?? 0
      trial.itersSinceRestore = restore?.itersSinceRestore ?? 0
      const checkpoint = restore?.checkpoint === undefined ? undefined : this.#store.load(restore.checkpoint)
      // One never-aborted signal per run, not one per (re)start: a controller costs microseconds.
      this.#neverAborted ??= new AbortController().signal
      const signal = this.#options.signal ?? this.#neverAborted
      trial.iterator = startTrainable(
        this.#def.trainable as never,
        { config: trial.config, checkpoint, trialId: trial.id, random: () => trial.stream.next(), signal },
        this.#where(trial),
      )
      this.#emit({ type: 'trialStart', trialId: trial.id, config: trial.config, restoredFrom: restore?.checkpoint?.id })
    }
    trial.status = 'RUNNING'
  }

  /**
   * Pulls a tick of synchronous generators without a promise per result: each trial's report, undefined
   * when it returned, or FAILED (its error in #pullErrors). Undefined when any trainable is async.
   */
  #pullSync(running: readonly Trial[]): (Report | typeof FAILED | undefined)[] | undefined {
    for (const trial of running) if (trial.iterator?.nextSync === undefined) return undefined
    const pulled: (Report | typeof FAILED | undefined)[] = new Array(running.length)
    // One clock reading per pull: a step ends when the next one starts.
    let time = this.#clock()
    for (let i = 0; i < running.length; i++) {
      const trial = running[i] as Trial
      trial.stepStarted = time
      try {
        pulled[i] = (trial.iterator as TrialIterator & { nextSync: () => Report | undefined }).nextSync()
      } catch (reason) {
        pulled[i] = FAILED
        this.#pullErrors.set(trial, reason)
      }
      time = this.#clock()
      trial.stepEnded = time
    }
    return pulled
  }

  async #pull(trial: Trial): Promise<Report | undefined> {
    trial.stepStarted = this.#clock()
    trial.stepEnded = Number.NaN
    return (trial.iterator as TrialIterator).next()
  }

  #result(trial: Trial, report: Report): Result {
    const elapsed = (Number.isNaN(trial.stepEnded) ? this.#clock() : trial.stepEnded) - trial.stepStarted
    const metrics = report.metrics
    const reported = metrics.trainingIteration
    trial.iteration = typeof reported === 'number' ? reported : trial.iteration + 1
    trial.itersSinceRestore++
    trial.timeTotal += elapsed
    const result = copyMetrics(metrics)
    result.trainingIteration = trial.iteration
    result.iterationsSinceRestore = trial.itersSinceRestore
    result.timeThisIterS = elapsed
    result.timeTotalS = trial.timeTotal
    result.trialId = trial.id
    result.config = trial.config
    result.checkpointed = report.hasCheckpoint
    return result as Result
  }

  /** Handles a result; returns a promise only when something must be awaited (a trial ends or is exploited). */
  #process(trial: Trial, report: Report): Promise<void> | undefined {
    const result = this.#result(trial, report)
    if (report.hasCheckpoint) {
      const ref = this.#record.checkpoint(trial.id, report.checkpoint, result)
      trial.reportCheckpoint = ref
      trial.latestCheckpoint = ref
    } else {
      trial.reportCheckpoint = undefined
    }
    trial.results.push(result)
    this.#record.result(result)
    this.#stopper.observe(result)
    // No event object per result when nobody listens.
    const onEvent = this.#options.onEvent
    if (onEvent !== undefined) onEvent({ type: 'result', trialId: trial.id, result })
    this.#current = trial
    if (shouldStopTrial(this.#def, this.#describeCurrent, result)) {
      trial.lastResult = result
      return this.#complete(trial)
    }
    const { decision, exploits } = this.#scheduler.onTrialResult(this, trial, result)
    trial.lastResult = result
    if (exploits.length > 0) return this.#afterExploits(trial, decision, exploits)
    if (decision === 'PAUSE' && trial.status === 'RUNNING') trial.status = 'PAUSED'
    else if (decision === 'STOP') return this.#complete(trial)
    return undefined
  }

  async #afterExploits(trial: Trial, decision: TrialDecision, exploits: readonly ExploitAction[]): Promise<void> {
    await this.#applyExploits(exploits)
    if (decision === 'PAUSE' && trial.status === 'RUNNING') trial.status = 'PAUSED'
    else if (decision === 'STOP') await this.#complete(trial)
  }

  async #complete(trial: Trial): Promise<void> {
    trial.status = 'TERMINATED'
    await trial.iterator?.close()
    trial.iterator = undefined
    this.#emit({ type: 'trialEnd', trialId: trial.id, status: trial.status })
    await this.#applyExploits(this.#scheduler.onTrialComplete(this, trial))
  }

  async #fail(trial: Trial, error: unknown): Promise<void> {
    const failure: TrialFailure = {
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
      trainingIteration: trial.iteration,
      error,
    }
    trial.failures.push(failure)
    trial.numFailures++
    await trial.iterator?.close().catch(() => undefined)
    trial.iterator = undefined
    const max = this.#def.maxFailures
    const willRetry = !this.#def.failFast && (max === -1 || trial.numFailures <= max)
    this.#emit({ type: 'trialError', trialId: trial.id, error, willRetry })
    trial.status = willRetry ? 'PENDING' : 'ERROR'
    const released = this.#scheduler.onTrialError(this, trial)
    if (this.#def.failFast) {
      throw new RunError('VITUNE_TRIAL_FAILED', `${this.#where(trial)} failed and failFast is set: ${failure.message}`, { cause: error })
    }
    if (willRetry) {
      // Ray requeues a recovering trial at the end of the trial list and re-adds it to the scheduler.
      const latest = trial.latestCheckpoint
      trial.restore = { checkpoint: latest, iteration: latest?.trainingIteration ?? 0, timeTotal: (latest?.result.timeTotalS as number | undefined) ?? 0 }
      this.trials = [...this.trials.filter((t) => t !== trial), trial]
      this.#add(trial)
    } else {
      this.#emit({ type: 'trialEnd', trialId: trial.id, status: trial.status })
    }
    await this.#applyExploits(released)
  }

  async #applyExploits(exploits: readonly ExploitAction[]): Promise<void> {
    for (const action of exploits) {
      const { event } = action
      // The set of trials never changes (a retry only moves one to the end), so a map built once serves.
      this.#byId ??= new Map(this.trials.map((t) => [t.id, t]))
      const target = this.#byId.get(event.targetId) as Trial
      const donor = this.#byId.get(event.donorId) as Trial
      await target.iterator?.close()
      target.iterator = undefined
      target.status = 'PAUSED'
      target.config = event.newConfig
      target.tag = action.tag
      target.restore = {
        checkpoint: action.checkpoint,
        iteration: event.donorIteration,
        timeTotal: (action.checkpoint.result.timeTotalS as number | undefined) ?? 0,
      }
      target.latestCheckpoint = action.checkpoint
      target.reportCheckpoint = undefined
      target.configHistory.push({ trainingIteration: event.donorIteration, config: event.newConfig, cause: 'exploit' })
      target.lineage.push(event)
      this.#lineage.push(event)
      if (action.policy !== undefined) {
        // Ray copies the donor's policy file over the target's, then appends the new line.
        target.policy = [...donor.policy, action.policy]
        this.#policyLog.push(action.policy)
      }
      this.#emit({ type: 'exploit', event })
    }
  }
}
