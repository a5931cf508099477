import type { Config } from '@vitune/dsl'
import { deriveStream, type RandomStream } from './random.js'
import type { ConfigChange, TrialFailure, TrialResult } from './result-grid.js'
import type { TrialView } from './schedulers/types.js'
import { freezeConfig } from './search/variants.js'
import type { TrialIterator } from './trainable.js'
import type { CheckpointRef, ExploitEvent, PolicyRecord, Result, TrialStatus } from './types.js'

/** Where a trial's trainable starts from the next time it runs. */
export interface Restore {
  readonly checkpoint: CheckpointRef | undefined
  readonly iteration: number
  readonly timeTotal: number
  /**
   * Set when a resumed run restarts a trainable that was suspended at its latest checkpoint: the
   * trial continues its history, so `iterationsSinceRestore` goes on counting.
   */
  readonly itersSinceRestore?: number
}

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
  readonly restore: Restore | undefined
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

/** One trial of a run: its state, its history and its running trainable. */
export class Trial implements TrialView {
  #status: TrialStatus = 'PENDING'
  lastResult: Result | undefined
  reportCheckpoint: CheckpointRef | undefined
  latestCheckpoint: CheckpointRef | undefined
  iterator: TrialIterator | undefined
  restore: Restore | undefined
  iteration = 0
  itersSinceRestore = 0
  timeTotal = 0
  stepStarted = 0
  /** When a synchronous pull returned (the next trial's step starts then); NaN for an asynchronous pull, timed when processed. */
  stepEnded = Number.NaN
  numFailures = 0
  results: Result[] = []
  configHistory: ConfigChange<Config>[]
  lineage: ExploitEvent[] = []
  policy: PolicyRecord[] = []
  failures: TrialFailure[] = []
  initialTag: string
  initialConfig: Config

  constructor(
    readonly id: string,
    readonly index: number,
    public tag: string,
    public config: Config,
    public stream: RandomStream,
    /** The run's count of trials per status, which this trial keeps current as its status changes. */
    readonly counts?: Record<TrialStatus, number>,
  ) {
    if (counts !== undefined) counts.PENDING++
    this.initialTag = tag
    this.initialConfig = config
    this.configHistory = [{ trainingIteration: 0, config, cause: 'initial' }]
  }

  get status(): TrialStatus {
    return this.#status
  }

  set status(status: TrialStatus) {
    if (this.counts !== undefined) {
      this.counts[this.#status]--
      this.counts[status]++
    }
    this.#status = status
  }

  /**
   * A trial can be restarted exactly from saved state when its trainable is not running, or was
   * suspended right after a report that carried a checkpoint.
   */
  get restartable(): boolean {
    return this.iterator === undefined || this.reportCheckpoint !== undefined
  }

  snapshot(): TrialSnapshot {
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
      restore: this.restore,
      suspended: this.iterator !== undefined,
      iteration: this.iteration,
      itersSinceRestore: this.itersSinceRestore,
      timeTotal: this.timeTotal,
      numFailures: this.numFailures,
      failures: this.failures.map(persistableFailure),
      configHistory: this.configHistory,
      lineage: this.lineage,
      policy: this.policy,
      stream: this.stream.state(),
    }
  }

  /** Restores the state saved by `snapshot()`; `results` come from the results journal. */
  restoreFrom(saved: TrialSnapshot, seed: number, results: Result[]): void {
    this.status = saved.status
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
    this.failures = [...saved.failures]
    this.configHistory = [...saved.configHistory]
    this.lineage = [...saved.lineage]
    this.policy = [...saved.policy]
    this.results = results
    this.stream = deriveStream(seed, `trial:${this.index}`, saved.stream)
    this.restore = saved.suspended
      ? {
          checkpoint: saved.reportCheckpoint,
          iteration: saved.iteration,
          timeTotal: saved.timeTotal,
          itersSinceRestore: saved.itersSinceRestore,
        }
      : saved.restore
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
