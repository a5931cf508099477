import { type Config, type Experiment, type ExperimentDef, type Metrics, validateExperiment } from '@vitune/dsl'
import { type CheckpointStore, MemoryCheckpointStore } from './checkpoint-store.js'
import { RunError } from './errors.js'
import type { TuneEvent } from './events.js'
import { deriveStream, type RandomStream } from './random.js'
import { type ConfigChange, ResultGrid, type TrialFailure, type TrialResult } from './result-grid.js'
import { FifoScheduler } from './schedulers/fifo.js'
import { PbtScheduler } from './schedulers/pbt.js'
import { PbtReplayScheduler } from './schedulers/pbt-replay.js'
import type { ExploitAction, RunnerView, Scheduler, TrialView } from './schedulers/types.js'
import { freezeConfig, generateVariants } from './search/variants.js'
import { type Report, startTrainable, type TrialIterator } from './trainable.js'
import type { CheckpointRef, ExploitEvent, PolicyRecord, Result, TrialStatus } from './types.js'

/** Options of a run that are not part of the experiment. */
export interface RunOptions {
  /** Cancels the run: trainables are closed and `run` rejects. */
  readonly signal?: AbortSignal
  /** Receives every event as it happens. */
  readonly onEvent?: (event: TuneEvent) => void
  /** Where checkpoints are kept. Default: in memory. */
  readonly checkpointStore?: CheckpointStore
}

interface Restore {
  readonly checkpoint: CheckpointRef | undefined
  readonly iteration: number
  readonly timeTotal: number
}

class Trial implements TrialView {
  status: TrialStatus = 'PENDING'
  lastResult: Result | undefined
  reportCheckpoint: CheckpointRef | undefined
  latestCheckpoint: CheckpointRef | undefined
  iterator: TrialIterator | undefined
  restore: Restore | undefined
  iteration = 0
  itersSinceRestore = 0
  timeTotal = 0
  stepStarted = 0
  numFailures = 0
  readonly results: Result[] = []
  readonly configHistory: ConfigChange<Config>[]
  readonly lineage: ExploitEvent[] = []
  policy: PolicyRecord[] = []
  readonly failures: TrialFailure[] = []
  readonly initialTag: string
  readonly initialConfig: Config

  constructor(
    readonly id: string,
    readonly index: number,
    public tag: string,
    public config: Config,
    readonly stream: RandomStream,
  ) {
    this.initialTag = tag
    this.initialConfig = config
    this.configHistory = [{ trainingIteration: 0, config, cause: 'initial' }]
  }

  toResult(): TrialResult {
    const failure = this.failures[this.failures.length - 1]
    return {
      trialId: this.id,
      index: this.index,
      tag: this.tag,
      initialTag: this.initialTag,
      status: this.status,
      initialConfig: this.initialConfig,
      config: this.config,
      metrics: this.results[this.results.length - 1],
      results: this.results,
      configHistory: this.configHistory,
      lineage: this.lineage,
      policy: this.policy,
      numFailures: this.numFailures,
      failures: this.failures,
      error: this.status === 'ERROR' ? failure : undefined,
    }
  }
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

/** Runs an experiment to completion and returns its result grid. */
export async function run<C extends Config, M extends Metrics, K>(
  experiment: Experiment<C, M, K> | ExperimentDef,
  options: RunOptions = {},
): Promise<ResultGrid<C, M>> {
  const def = 'def' in experiment ? experiment.def : experiment
  validateExperiment(def)
  const runner = new Runner(def, options)
  return (await runner.run()) as unknown as ResultGrid<C, M>
}

/** The executor: pulls results in lockstep ticks, so the outcome never depends on timing. */
class Runner implements RunnerView {
  readonly experiment: string
  trials: Trial[] = []
  readonly #def: ExperimentDef
  readonly #options: RunOptions
  readonly #store: CheckpointStore
  readonly #scheduler: Scheduler
  readonly #lineage: ExploitEvent[] = []
  readonly #policyLog: PolicyRecord[] = []
  readonly #concurrency: number

  constructor(def: ExperimentDef, options: RunOptions) {
    this.experiment = def.name
    this.#def = def
    this.#options = options
    this.#store = options.checkpointStore ?? new MemoryCheckpointStore()
    this.#scheduler = createScheduler(def, deriveStream(def.seed, 'scheduler'))
    const variants = generateVariants(def, deriveStream(def.seed, 'variants'))
    const prefix = idPrefix(def.name, def.seed)
    this.trials = variants.map(
      (v) => new Trial(`${prefix}_${String(v.index).padStart(5, '0')}`, v.index, v.tag, v.config, deriveStream(def.seed, `trial:${v.index}`)),
    )
    this.#concurrency = def.concurrency ?? Math.max(1, this.trials.length)
  }

  #emit(event: TuneEvent): void {
    this.#options.onEvent?.(event)
  }

  #where(trial: Trial): string {
    return `experiment "${this.experiment}", trial ${trial.id} (${trial.tag})`
  }

  async run(): Promise<ResultGrid> {
    this.#emit({ type: 'experimentStart', experiment: this.experiment, trials: this.trials.length, metric: this.#def.metric, mode: this.#def.mode })
    for (const trial of this.trials) this.#add(trial)
    let running: Trial[] = []
    try {
      for (;;) {
        this.#checkAborted()
        while (running.length < this.#concurrency) {
          const next = this.#scheduler.chooseTrialToRun(this) as Trial | undefined
          if (next === undefined) break
          this.#start(next)
          running.push(next)
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
        const pulled = await Promise.allSettled(running.map((t) => this.#pull(t)))
        for (const [i, trial] of running.entries()) {
          if (trial.status !== 'RUNNING') continue
          const outcome = pulled[i] as PromiseSettledResult<Report | undefined>
          if (outcome.status === 'rejected') await this.#fail(trial, outcome.reason)
          else if (outcome.value === undefined) await this.#complete(trial)
          else await this.#process(trial, outcome.value)
        }
        running = running.filter((t) => t.status === 'RUNNING')
      }
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
      trial.itersSinceRestore = 0
      const checkpoint = restore?.checkpoint === undefined ? undefined : this.#store.load(restore.checkpoint)
      const signal = this.#options.signal ?? new AbortController().signal
      trial.iterator = startTrainable(
        this.#def.trainable as never,
        { config: trial.config, checkpoint, trialId: trial.id, random: () => trial.stream.next(), signal },
        this.#where(trial),
      )
      this.#emit({ type: 'trialStart', trialId: trial.id, config: trial.config, restoredFrom: restore?.checkpoint?.id })
    }
    trial.status = 'RUNNING'
  }

  async #pull(trial: Trial): Promise<Report | undefined> {
    trial.stepStarted = now()
    return (trial.iterator as TrialIterator).next()
  }

  #result(trial: Trial, report: Report): Result {
    const elapsed = now() - trial.stepStarted
    const metrics = report.metrics
    const reported = metrics.trainingIteration
    trial.iteration = typeof reported === 'number' ? reported : trial.iteration + 1
    trial.itersSinceRestore++
    trial.timeTotal += elapsed
    return {
      ...metrics,
      trainingIteration: trial.iteration,
      iterationsSinceRestore: trial.itersSinceRestore,
      timeThisIterS: elapsed,
      timeTotalS: trial.timeTotal,
      trialId: trial.id,
      config: trial.config,
      checkpointed: report.hasCheckpoint,
    }
  }

  #shouldStop(trial: Trial, result: Result): boolean {
    const stop = this.#def.stop
    if (stop === undefined) return false
    if (typeof stop === 'function') return stop(result) === true
    for (const [key, target] of Object.entries(stop)) {
      const value = result[key]
      if (typeof value !== 'number') {
        throw new RunError(
          'VITUNE_STOP_KEY_MISSING',
          `${this.#where(trial)}: the stop criterion \`${key}\` is not a number in the result (keys: ${Object.keys(result).join(', ')}). Report \`${key}\` from the trainable or remove it from .stop().`,
        )
      }
      if (value >= target) return true
    }
    return false
  }

  async #process(trial: Trial, report: Report): Promise<void> {
    const result = this.#result(trial, report)
    if (report.hasCheckpoint) {
      trial.reportCheckpoint = this.#store.save(trial.id, report.checkpoint, result)
      trial.latestCheckpoint = trial.reportCheckpoint
    } else {
      trial.reportCheckpoint = undefined
    }
    trial.results.push(result)
    this.#emit({ type: 'result', trialId: trial.id, result })
    if (this.#shouldStop(trial, result)) {
      trial.lastResult = result
      await this.#complete(trial)
      return
    }
    const { decision, exploits } = this.#scheduler.onTrialResult(this, trial, result)
    trial.lastResult = result
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
      const target = this.trials.find((t) => t.id === event.targetId) as Trial
      const donor = this.trials.find((t) => t.id === event.donorId) as Trial
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
