import type { ExperimentDef, Metrics } from '@vitune/dsl'
import type { CheckpointStore } from './checkpoint-store.js'
import { RunError } from './errors.js'
import type { TuneEvent } from './events.js'
import type { TrainableSource, TrialExecutor, TrialHandle } from './executor.js'
import { applyExploit, type ExploitLog } from './exploit.js'
import type { Population } from './population.js'
import type { TrialFailure } from './result-grid.js'
import type { RunRecord } from './run-record.js'
import type { ExploitAction, Scheduler, SchedulerDecision } from './schedulers/types.js'
import { freezeConfig } from './search/variants.js'
import { StartRequest, trialWhere } from './start-request.js'
import { type ExperimentStopper, shouldStopTrial } from './stop.js'
import type { Report } from './trainable.js'
import type { Trial } from './trial.js'
import { NOTHING, TrialCloser } from './trial-closer.js'
import { decided, failed, isFinal, resumed, type StartPoint, type Transition, terminated } from './trial-state.js'
import type { CheckpointRef, Result } from './types.js'
import type { Watchdog } from './watchdog.js'

/**
 * A message for something thrown that is not an Error: the value itself, shown (a thrown `undefined`,
 * `null` or object would otherwise read as "undefined", "null" or "[object Object]").
 */
export function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value
  let shown: string
  try {
    shown = typeof value === 'object' && value !== null ? (JSON.stringify(value) ?? String(value)) : String(value)
  } catch {
    shown = Object.prototype.toString.call(value)
  }
  if (shown.length > 200) shown = `${shown.slice(0, 200)}…`
  return `the trainable threw ${shown}, not an Error (throw new Error("...") to get a message and a stack)`
}

/** A readable line for a `trialWaiting` event, e.g. for a console. */
export function describeWaiting(where: string, event: Extract<TuneEvent, { type: 'trialWaiting' }>): string {
  const waited = `${Math.round(event.waitedS)} s`
  if (event.phase === 'step') {
    const limit =
      event.limitS === undefined ? 'no step timeout is set (.stepTimeout(seconds) fails such a trial)' : `it fails at ${event.limitS} s (.stepTimeout())`
    return `${where} has been in its step for ${waited}; ${limit}.`
  }
  return event.gaveUp
    ? `${where} did not finish closing (its finally block) within ${waited}; the run goes on without waiting for it.`
    : `${where} has been closing (its finally block) for ${waited}; the run gives up waiting at ${event.limitS} s.`
}

/** What the trial lifecycle works with: the run's parts, owned by the runner. */
export interface RunContext {
  readonly def: ExperimentDef
  readonly population: Population
  readonly scheduler: Scheduler
  readonly executor: TrialExecutor
  readonly store: CheckpointStore
  readonly record: RunRecord
  readonly stopper: ExperimentStopper
  readonly log: ExploitLog
  /** The run's clock, in seconds. */
  readonly clock: () => number
  readonly signal: AbortSignal
  readonly onEvent: ((event: TuneEvent) => void) | undefined
  /** Puts deadlines on steps and closes that may never settle. */
  readonly watchdog: Watchdog
  /** How long a closing trainable (its `finally` block) may take before the run goes on without it, in seconds. */
  readonly closeGraceS: number
}

/**
 * The object a result is built in: its prototype is Object.prototype, so it is the same plain object
 * as a literal (`constructor === Object`, same keys, same clone), but V8 gives objects made by a
 * constructor room for all the fields they end up with (in-object slack tracking), where `{}` has
 * room for four and moves the rest to a second allocation. One allocation per retained result.
 */
function ResultObject(this: Record<string, unknown>): void {}
ResultObject.prototype = Object.prototype

/**
 * A plain copy of a report's metrics that the runtime fields are then added to. Building results
 * with `{ ...metrics, trainingIteration, ... }` hits a slow path in V8 (several microseconds per
 * retained result); copying key by key costs a few hundred nanoseconds. See docs/benchmarks.md.
 * `for...in` instead of `Object.keys`: no array of keys per result (the own-key check skips anything
 * enumerable on Object.prototype, which Object.keys would not list either; the order is the same).
 */
function copyMetrics(metrics: Metrics): Record<string, unknown> {
  const copy = new (ResultObject as unknown as new () => Record<string, unknown>)()
  for (const key in metrics) if (Object.hasOwn(metrics, key)) copy[key] = metrics[key]
  return copy
}

/**
 * What happens to trials between the runner's rounds: they start, report, finish, fail and are
 * exploited. Each change of state goes through a pure transition (trial-state.ts) and
 * `Population.move`; the trainables a transition leaves behind are closed here.
 */
export class TrialLifecycle {
  readonly #c: RunContext
  /** The trial whose result is being checked, for #describeCurrent. */
  #current: Trial | undefined
  /** Describes #current for an error message; one closure per run instead of one per result. */
  readonly #describeCurrent = () => this.where(this.#current as Trial)

  /** The same for every start of the run. */
  readonly #trainable: TrainableSource
  readonly #closer: TrialCloser

  constructor(context: RunContext) {
    this.#c = context
    this.#trainable = { fn: context.def.trainable, module: context.def.trainableModule }
    const grace = context.closeGraceS
    this.#closer = new TrialCloser(context.watchdog, grace, (trial, waited, gaveUp) => this.#waiting(trial, 'close', waited, grace, gaveUp))
  }

  /** `experiment "x", trial y (tag)`, for messages. */
  where(trial: Trial): string {
    return trialWhere(this.#c.def.name, trial.id, trial.tag)
  }

  emit(event: TuneEvent): void {
    this.#c.onEvent?.(event)
  }

  /** Tells the scheduler about a (new or retried) trial and takes the config it completes. */
  add(trial: Trial): void {
    const filled = this.#c.scheduler.onTrialAdd(this.#c.population, trial)
    if (filled === undefined) return
    trial.config = freezeConfig(filled)
    if (trial.results.length === 0) {
      trial.initialConfig = trial.config
      trial.configHistory[0] = { trainingIteration: 0, config: trial.config, cause: 'initial' }
    }
  }

  /** A waiting trial runs: it resumes its suspended trainable, or a new one starts from its start point. */
  start(trial: Trial): void {
    const state = resumed(trial.state, (from) => this.#startTrainable(trial, from))
    this.#c.population.move(trial, state)
  }

  #startTrainable(trial: Trial, from: StartPoint): TrialHandle {
    const c = this.#c
    trial.iteration = from.iteration
    trial.timeTotal = from.timeTotal
    trial.itersSinceRestore = from.itersSinceRestore ?? 0
    const checkpoint = from.checkpoint === undefined ? undefined : c.store.load(from.checkpoint)
    const handle = c.executor.start(new StartRequest(c.def.name, trial, checkpoint, this.#trainable, c.def.seed, c.signal))
    if (c.onEvent !== undefined) c.onEvent({ type: 'trialStart', trialId: trial.id, config: trial.config, restoredFrom: from.checkpoint?.id })
    return handle
  }

  /** Moves the trial as `transition` says and closes the trainable it left behind. */
  async #apply(trial: Trial, { state, close }: Transition): Promise<void> {
    this.#c.population.move(trial, state)
    if (close !== undefined) await this.#closer.close(trial, close)
  }

  /** Tells that a trial keeps the run waiting (printed when nobody listens: a hang must never be silent). */
  #waiting(trial: Trial, phase: 'step' | 'close', waitedS: number, limitS: number | undefined, gaveUp: boolean): void {
    const event: TuneEvent = { type: 'trialWaiting', trialId: trial.id, phase, waitedS, limitS, gaveUp }
    if (this.#c.onEvent !== undefined) this.#c.onEvent(event)
    else console.warn(`[vitune] ${describeWaiting(this.where(trial), event)}`)
  }

  /** Marks a trial's trainable as stuck in a step that will not be waited for: its close is not awaited. */
  stuck(trial: Trial): void {
    if ('handle' in trial.state) this.#closer.stuck(trial.state.handle)
  }

  /** The notice for a trial still in its step. */
  waitingInStep(trial: Trial, waitedS: number): void {
    this.#waiting(trial, 'step', waitedS, this.#c.def.stepTimeoutS, false)
  }

  #result(trial: Trial, report: Report): Result {
    const elapsed = (Number.isNaN(trial.stepEnded) ? this.#c.clock() : trial.stepEnded) - trial.stepStarted
    const reported = report.metrics.trainingIteration
    trial.iteration = typeof reported === 'number' ? reported : trial.iteration + 1
    trial.itersSinceRestore++
    trial.timeTotal += elapsed
    const result = copyMetrics(report.metrics)
    result.trainingIteration = trial.iteration
    result.iterationsSinceRestore = trial.itersSinceRestore
    result.timeThisIterS = elapsed
    result.timeTotalS = trial.timeTotal
    result.trialId = trial.id
    result.config = trial.config
    result.checkpointed = report.hasCheckpoint
    return result as Result
  }

  #uncloneable(trial: Trial, result: Result, error: unknown): RunError {
    if (error instanceof RunError) return error
    return new RunError(
      'VITUNE_CHECKPOINT_CORRUPT',
      `${this.where(trial)}: its checkpoint at training iteration ${result.trainingIteration} cannot be stored: ${error instanceof Error ? error.message : describeThrown(error)}. A checkpoint must be structured-cloneable data (objects, arrays, numbers, strings, typed arrays, Map, Date...), not functions, symbols or objects holding them.`,
      { cause: error },
    )
  }

  /** Handles a report; returns a promise only when something must be awaited (a trial ends or is exploited). */
  process(trial: Trial, report: Report): Promise<void> | undefined {
    const c = this.#c
    const result = this.#result(trial, report)
    if (report.hasCheckpoint) {
      let ref: CheckpointRef
      try {
        ref = c.record.checkpoint(trial.id, report.checkpoint, result)
      } catch (error) {
        return this.fail(trial, this.#uncloneable(trial, result, error))
      }
      trial.reportCheckpoint = ref
      trial.latestCheckpoint = ref
    } else {
      trial.reportCheckpoint = undefined
    }
    trial.addResult(result)
    c.record.result(result)
    c.stopper.observe(result)
    // No event object per result when nobody listens.
    if (c.onEvent !== undefined) c.onEvent({ type: 'result', trialId: trial.id, result })
    this.#current = trial
    if (shouldStopTrial(c.def, this.#describeCurrent, result)) {
      trial.lastResult = result
      return this.complete(trial)
    }
    const decision = c.scheduler.onTrialResult(c.population, trial, result)
    trial.lastResult = result
    if (decision.exploits.length > 0 || decision.stop !== undefined) return this.#afterExploits(trial, decision)
    if (decision.decision === 'CONTINUE' || decision.decision === 'NOOP') return undefined
    if (decision.decision === 'STOP') return this.complete(trial)
    c.population.move(trial, decided(trial.state, decision.decision).state)
    return undefined
  }

  async #afterExploits(trial: Trial, { decision, exploits, stop }: SchedulerDecision): Promise<void> {
    await this.applyExploits(exploits)
    for (const id of stop ?? []) await this.#end(this.#c.population.get(id))
    if (decision === 'STOP') await this.complete(trial)
    else await this.#apply(trial, decided(trial.state, decision))
  }

  /** Ends a trial that the scheduler or the experiment stopped, without telling the scheduler. */
  async #end(trial: Trial): Promise<void> {
    if (isFinal(trial.state)) return
    if ((await this.#finish(trial)) === undefined) this.emit({ type: 'trialEnd', trialId: trial.id, status: trial.status })
  }

  /**
   * The trial finished: it returned, met its stop criteria, or the scheduler stopped it. A promise
   * only when something must be awaited (a trainable's close, exploits the scheduler released).
   */
  complete(trial: Trial): Promise<void> | undefined {
    const released = this.#finish(trial)
    return released instanceof Promise ? released.then((r) => this.#completed(trial, r)) : this.#completed(trial, released)
  }

  /** After a finished trial's trainable closed: `released` when its close failed (see #finish). */
  #completed(trial: Trial, released: readonly ExploitAction[] | undefined): Promise<void> | undefined {
    let exploits = released
    if (exploits === undefined) {
      if (this.#c.onEvent !== undefined) this.emit({ type: 'trialEnd', trialId: trial.id, status: trial.status })
      exploits = this.#c.scheduler.onTrialComplete(this.#c.population, trial)
    }
    return exploits.length > 0 ? this.applyExploits(exploits) : undefined
  }

  /**
   * Closes a finishing trial's trainable and moves it to TERMINATED; undefined then. When closing
   * throws (its `finally` block), the trial ends as ERROR instead, results kept and not retried
   * (it had finished training), and what the scheduler released is returned. A promise only when
   * the close must be awaited.
   */
  #finish(trial: Trial): readonly ExploitAction[] | undefined | Promise<readonly ExploitAction[] | undefined> {
    const { state, close } = terminated(trial.state)
    const thrown = close === undefined ? NOTHING : this.#closer.closeCatching(trial, close)
    if (thrown === NOTHING) {
      this.#c.population.move(trial, state)
      return undefined
    }
    return thrown.then((error) => {
      if (error === NOTHING) {
        this.#c.population.move(trial, state)
        return undefined
      }
      const failure = this.#record(trial, error, 'while its trainable closed (a finally block threw)')
      this.#c.population.move(trial, failed(trial.state, failure, undefined).state)
      this.emit({ type: 'trialError', trialId: trial.id, error, willRetry: false })
      this.emit({ type: 'trialEnd', trialId: trial.id, status: trial.status })
      return this.#c.scheduler.onTrialError(this.#c.population, trial)
    })
  }

  /** Adds a failure to the trial's history; `when` says where it happened, when not in a step. */
  #record(trial: Trial, error: unknown, when?: string): TrialFailure {
    const message = error instanceof Error ? error.message : describeThrown(error)
    const failure: TrialFailure = {
      message: when === undefined ? message : `${message} (${when})`,
      stack: error instanceof Error ? error.stack : undefined,
      trainingIteration: trial.iteration,
      error,
    }
    trial.addFailure(failure)
    trial.numFailures++
    return failure
  }

  /** The trial raised: it is retried from its latest checkpoint while `maxFailures` allows, else it ends as ERROR. */
  async fail(trial: Trial, error: unknown): Promise<void> {
    const c = this.#c
    const failure = this.#record(trial, error)
    const max = c.def.maxFailures
    const willRetry = !c.def.failFast && (max === -1 || trial.numFailures <= max)
    const latest = trial.latestCheckpoint
    const retryFrom: StartPoint | undefined = willRetry
      ? { checkpoint: latest, iteration: latest?.trainingIteration ?? 0, timeTotal: (latest?.result.timeTotalS as number | undefined) ?? 0 }
      : undefined
    const { state, close } = failed(trial.state, failure, retryFrom)
    // A trainable that failed may fail again while it closes; that error says nothing new.
    if (close !== undefined) await this.#closer.close(trial, close)?.catch(() => undefined)
    this.emit({ type: 'trialError', trialId: trial.id, error, willRetry })
    c.population.move(trial, state)
    const released = c.scheduler.onTrialError(c.population, trial)
    if (c.def.failFast) {
      throw new RunError('VITUNE_TRIAL_FAILED', `${this.where(trial)} failed and failFast is set: ${failure.message}`, { cause: error })
    }
    if (willRetry) {
      // Ray requeues a recovering trial at the end of the trial list and re-adds it to the scheduler.
      c.population.requeue(trial)
      this.add(trial)
    } else {
      this.emit({ type: 'trialEnd', trialId: trial.id, status: trial.status })
    }
    await this.applyExploits(released)
  }

  /** Applies exploits in order, closing each target's trainable before the next. */
  async applyExploits(exploits: readonly ExploitAction[]): Promise<void> {
    for (const action of exploits) {
      const close = applyExploit(this.#c.population, action, this.#c.log)
      const target = this.#c.population.get(action.event.targetId)
      const closed = close === undefined ? NOTHING : this.#closer.closeCatching(target, close)
      const thrown = closed === NOTHING ? NOTHING : await closed
      if (thrown !== NOTHING) {
        // The target restarts from the donor's checkpoint anyway: its cleanup error is recorded, not fatal.
        this.#record(target, thrown, 'while its trainable closed for an exploit (a finally block threw)')
        this.emit({ type: 'trialError', trialId: target.id, error: thrown, willRetry: true })
      }
      this.emit({ type: 'exploit', event: action.event })
    }
  }

  /** Ends every unfinished trial at once: an experiment-wide stop or the time budget. */
  async stopAll(): Promise<void> {
    for (const trial of this.#c.population.trials) await this.#end(trial)
  }

  /** Closes every live trainable after the run failed; their own errors are not the run's. */
  async abandon(): Promise<void> {
    await Promise.allSettled(this.#c.population.trials.map((trial) => ('handle' in trial.state ? this.#closer.close(trial, trial.state.handle) : undefined)))
  }
}
