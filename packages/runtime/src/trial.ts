import type { Config } from '@vitune/dsl'
import type { TrialHandle } from './executor.js'
import { derivedState } from './random.js'
import type { ConfigChange, TrialFailure, TrialResult } from './result-grid.js'
import type { TrialView } from './schedulers/types.js'
import { freezeConfig } from './search/variants.js'
import { FRESH_START, handleOf, NEW_TRIAL, type StartPoint, startPointOf, TERMINATED, type TrialState } from './trial-state.js'
import type { CheckpointRef, ExploitEvent, PolicyRecord, Result, TrialStatus } from './types.js'

/** A trial as persisted in the experiment state: everything but its results (kept in a journal) and its live trainable. */
export interface TrialSnapshot {
  readonly id: string
  readonly index: number
  readonly status: TrialStatus
  readonly tag: string
  readonly initialTag: string
  readonly config: Config
  readonly initialConfig: Config
  readonly lastResult: Result | undefined
  readonly reportCheckpoint: CheckpointRef | undefined
  readonly latestCheckpoint: CheckpointRef | undefined
  /** Where a waiting trial restarts from. */
  readonly restore: StartPoint | undefined
  /** The trainable was suspended after a checkpointed report; a resumed run restarts it from that checkpoint. */
  readonly suspended: boolean
  readonly iteration: number
  readonly itersSinceRestore: number
  readonly timeTotal: number
  readonly numFailures: number
  readonly failures: readonly TrialFailure[]
  readonly configHistory: readonly ConfigChange<Config>[]
  readonly lineage: readonly ExploitEvent[]
  readonly policy: readonly PolicyRecord[]
  /** The trial's random stream state. */
  readonly stream: object
}

/** A failure whose `error` survives a structured clone (a thrown object with functions does not). */
function persistableFailure(failure: TrialFailure): TrialFailure {
  try {
    structuredClone(failure.error)
    return failure
  } catch {
    return { ...failure, error: failure.message }
  }
}

/**
 * Shared by every trial that has none of something (results, exploits, failures): most trials of a
 * large grid search never have any, and an empty array per list per trial adds up (a million trials).
 */
const NONE: readonly never[] = Object.freeze([])

/** Lets the population, and only it, change a trial's state (it keeps the counts per status). */
export const SET_STATE: unique symbol = Symbol('setState')

/**
 * One trial of a run: its state (a `TrialState`, changed only through `Population.move`), its
 * history, and the counters of the trainable's current run.
 */
export class Trial implements TrialView {
  #state: TrialState = NEW_TRIAL
  lastResult: Result | undefined
  /** The checkpoint of the latest report, if that report carried one. */
  reportCheckpoint: CheckpointRef | undefined
  /** The newest checkpoint the trial can restart from (its own, or a donor's after an exploit). */
  latestCheckpoint: CheckpointRef | undefined
  /** `trainingIteration` of the latest report (or where the trainable restarts). */
  iteration = 0
  itersSinceRestore = 0
  /**
   * Seconds of training in its history. Starts as NaN and is set to 0 in the constructor: the
   * field must hold a double from the first trial on. Had it started as 0 (a small integer to V8),
   * the first fractional time would change the field's representation in the trials' hidden class,
   * and every trial made before that (all of them, in a big grid) would be migrated one by one
   * (about a microsecond each). The same holds for the step times.
   */
  timeTotal = Number.NaN
  /** When its current step started (the run's clock); set by each pull before it is read. */
  stepStarted = Number.NaN
  /** When a synchronous pull returned (the next trial's step starts then); NaN for an asynchronous pull, timed when processed. */
  stepEnded = Number.NaN
  numFailures = 0
  #results: Result[] | undefined
  configHistory: ConfigChange<Config>[]
  #lineage: ExploitEvent[] | undefined
  #policy: readonly PolicyRecord[] | undefined
  #failures: TrialFailure[] | undefined
  initialTag: string
  initialConfig: Config
  /**
   * The random stream's state while no trainable holds it (a live handle knows the current one);
   * undefined while it is still the state derived from the seed and nobody asked for it
   * (`derivedState(seed, \`trial:${index}\`)`): derived when an executor first reads it, not for
   * every trial of the run up front, nor for a trainable that never draws.
   */
  randomState: object | undefined
  /** The state the running trainable's executor read (`streamStart`); undefined while it has not. */
  #streamStart: object | undefined

  constructor(
    readonly id: string,
    readonly index: number,
    public tag: string,
    public config: Config,
    randomState?: object,
  ) {
    this.timeTotal = 0
    this.initialTag = tag
    this.initialConfig = config
    this.configHistory = [{ trainingIteration: 0, config, cause: 'initial' }]
    this.randomState = randomState
  }

  get state(): TrialState {
    return this.#state
  }

  /**
   * The state its trainable's stream (re)starts from, for the executor that reads it (through
   * `StartRequest.randomState`); derived from the seed if the trial never kept one.
   */
  streamStart(seed: number): object {
    this.#streamStart = this.randomState ?? derivedState(seed, `trial:${this.index}`)
    return this.#streamStart
  }

  /**
   * Keeps the state its closed trainable left the stream in. An executor that never read the start
   * state ran a trainable that never drew; one that drew nothing hands back the state it was given.
   * Either way nothing changes: for a first start, nothing is kept (a grid of a million one-step
   * trials would otherwise keep a million states equal to what the seed gives).
   */
  streamClosed(handle: TrialHandle): void {
    const start = this.#streamStart
    if (start === undefined) return
    this.#streamStart = undefined
    const state = handle.randomState()
    if (state !== start) this.randomState = state
  }

  /** Every result, in order. */
  get results(): readonly Result[] {
    return this.#results ?? NONE
  }

  addResult(result: Result): void {
    // A literal of one, not [] and a push: a push into [] reserves 17 slots, and most trials of a big grid report once.
    if (this.#results === undefined) this.#results = [result]
    else this.#results.push(result)
  }

  /** Exploits in which this trial was the target (pushed to by `applyExploit`). */
  get lineage(): ExploitEvent[] {
    this.#lineage ??= []
    return this.#lineage
  }

  /** Its policy log (Ray's `pbt_policy_<id>.txt`). */
  get policy(): readonly PolicyRecord[] {
    return this.#policy ?? NONE
  }

  set policy(policy: readonly PolicyRecord[]) {
    this.#policy = policy
  }

  /** Every failure, in order. */
  get failures(): readonly TrialFailure[] {
    return this.#failures ?? NONE
  }

  addFailure(failure: TrialFailure): void {
    this.#failures ??= []
    this.#failures.push(failure)
  }

  get status(): TrialStatus {
    return this.#state.status
  }

  /** Only `Population.move` calls this. */
  [SET_STATE](state: TrialState): void {
    this.#state = state
  }

  /**
   * A trial can be restarted exactly from saved state when its trainable is not running, or was
   * suspended right after a report that carried a checkpoint.
   */
  get restartable(): boolean {
    return handleOf(this.#state) === undefined || this.reportCheckpoint !== undefined
  }

  /** `seed`: the experiment's, for the random stream of a trial that never ran. */
  snapshot(seed: number): TrialSnapshot {
    const handle = handleOf(this.#state)
    return {
      id: this.id,
      index: this.index,
      status: this.status,
      tag: this.tag,
      initialTag: this.initialTag,
      config: this.config,
      initialConfig: this.initialConfig,
      lastResult: this.lastResult,
      reportCheckpoint: this.reportCheckpoint,
      latestCheckpoint: this.latestCheckpoint,
      restore: startPointOf(this.#state),
      suspended: handle !== undefined,
      iteration: this.iteration,
      itersSinceRestore: this.itersSinceRestore,
      timeTotal: this.timeTotal,
      numFailures: this.numFailures,
      failures: this.failures.map(persistableFailure),
      configHistory: this.configHistory,
      // Arrays of its own, not the shared NONE: v8.serialize writes an object seen twice as a reference.
      lineage: this.#lineage ?? [],
      policy: this.#policy ?? [],
      stream: handle?.randomState() ?? this.randomState ?? derivedState(seed, `trial:${this.index}`),
    }
  }

  /**
   * The fields `snapshot()` saved; `results` come from the results journal. Returns the state to
   * move the trial to: a suspended trainable restarts from the checkpoint of its latest report.
   */
  restoreFrom(saved: TrialSnapshot, results: Result[]): TrialState {
    this.tag = saved.tag
    this.initialTag = saved.initialTag
    this.config = freezeConfig(saved.config)
    this.initialConfig = freezeConfig(saved.initialConfig)
    this.lastResult = saved.lastResult
    this.reportCheckpoint = saved.reportCheckpoint
    this.latestCheckpoint = saved.latestCheckpoint
    this.iteration = saved.iteration
    this.itersSinceRestore = saved.itersSinceRestore
    this.timeTotal = saved.timeTotal
    this.numFailures = saved.numFailures
    this.#failures = saved.failures.length === 0 ? undefined : [...saved.failures]
    this.configHistory = [...saved.configHistory]
    this.#lineage = saved.lineage.length === 0 ? undefined : [...saved.lineage]
    this.#policy = saved.policy.length === 0 ? undefined : [...saved.policy]
    this.#results = results.length === 0 ? undefined : results
    this.randomState = saved.stream
    const from: StartPoint | undefined = saved.suspended
      ? { checkpoint: saved.reportCheckpoint, iteration: saved.iteration, timeTotal: saved.timeTotal, itersSinceRestore: saved.itersSinceRestore }
      : saved.restore
    switch (saved.status) {
      case 'TERMINATED':
        return TERMINATED
      case 'ERROR':
        return { status: 'ERROR', failure: this.failures[this.failures.length - 1] as TrialFailure }
      case 'RUNNING':
        // Saved between two rounds, suspended at its latest report: it waits to restart, and the
        // runner restarts it first, as the uninterrupted run kept it running.
        return { status: 'PENDING', from: from ?? FRESH_START }
      case 'PAUSED':
        return { status: 'PAUSED', from: from ?? FRESH_START }
      case 'PENDING':
        return { status: 'PENDING', from: from ?? FRESH_START }
    }
  }

  toResult(): TrialResult {
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
      lineage: this.#lineage ?? NONE,
      policy: this.policy,
      numFailures: this.numFailures,
      failures: this.failures,
      error: this.#state.status === 'ERROR' ? this.#state.failure : undefined,
    }
  }
}
