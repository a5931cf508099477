import { resolve } from 'node:path'
import type { Report, TrialExecutor, TrialHandle, TrialStart } from '@vitune/runtime'
import { removeCheckpointFiles } from '../checkpoints.js'
import { FleetError } from '../errors.js'
import { checkRedisUrl, DEFAULT_MAX_CHECKPOINT_BYTES, DEFAULT_QUEUE, DEFAULT_REDIS_TIMEOUT_MS } from '../settings.js'
import { DriverLink } from './link.js'
import { type FleetStats, RemoteTrial } from './remote-trial.js'

/** Options of `bullmqExecutor()`. */
export interface BullmqExecutorOptions {
  /** The Redis server: `redis://host:6379`, `redis://:password@host:6379/0`, `rediss://...` for TLS. */
  readonly redis: string
  /** The BullMQ queue the workers take trials from (`vitune worker --queue`). Default `vitune`. */
  readonly queue?: string
  /** BullMQ's key prefix (`vitune worker --prefix`). Default `bull`. */
  readonly prefix?: string
  /** Largest serialized checkpoint that may go through Redis; past it the trial fails with VITUNE_CHECKPOINT_TOO_LARGE. Default 32 MiB. */
  readonly maxCheckpointBytes?: number
  /**
   * Pass checkpoints as files in this folder instead of through Redis (for large states). The
   * driver and every worker must see the same folder (a shared mount); workers elsewhere are told
   * its path with `vitune worker --checkpoint-dir`.
   */
  readonly checkpointDir?: string
  /** Give up on the run (VITUNE_REDIS_UNAVAILABLE) after this long without an answer from Redis. Default 30000. */
  readonly redisTimeoutMs?: number
  /** Where notices go (no worker connected, a trial taken over). Default: standard error. */
  readonly onNotice?: (message: string) => void
}

/** A handle that only fails, for a trial that cannot run on the fleet at all. */
function failedHandle(error: unknown, randomState: object): TrialHandle {
  return {
    next: (): Promise<Report | undefined> => Promise.reject(error),
    nextSync: undefined,
    close: async () => {},
    randomState: () => randomState,
  }
}

/**
 * Runs trials on `vitune worker` processes through BullMQ on Redis. The runner, the scheduler and
 * every PBT decision stay in this process; workers only run trainables, which they import by module
 * (name them with `trainable(import.meta.url, 'name', fn)`).
 */
export class BullmqExecutor implements TrialExecutor {
  readonly name = 'bullmq'
  readonly #options: BullmqExecutorOptions
  readonly #controller = new AbortController()
  readonly #trials = new Set<RemoteTrial>()
  /** One abort listener per run signal, not one per trial (a population of 100 would trip Node's leak warning). */
  readonly #aborts = new Map<AbortSignal, Set<RemoteTrial>>()
  readonly #stats: FleetStats = { jobs: 0, starts: 0, resumes: 0, takeovers: 0, replayed: 0, resubmitted: 0 }
  #link: DriverLink | undefined
  #jobs = 0
  #shutdown = false

  constructor(options: BullmqExecutorOptions) {
    checkRedisUrl(options.redis, 'bullmqExecutor({ redis })')
    const max = options.maxCheckpointBytes
    if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
      throw new FleetError('VITUNE_WORKER_OPTIONS', `bullmqExecutor({ maxCheckpointBytes }): ${max} is not a positive whole number of bytes.`)
    }
    this.#options = { ...options, ...(options.checkpointDir === undefined ? {} : { checkpointDir: resolve(options.checkpointDir) }) }
  }

  /**
   * Aborted, with the error as its reason, when the fleet becomes unusable for this executor
   * (Redis unreachable past `redisTimeoutMs`, a trainable without a module): pass it to `run()`
   * with the run's own signal so the run stops instead of failing every trial in turn.
   */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /** What happened to this executor's jobs so far. */
  stats(): Readonly<FleetStats> {
    return { ...this.#stats }
  }

  #linkOrCreate(): DriverLink {
    if (this.#link !== undefined) return this.#link
    const options = this.#options
    const link = new DriverLink({
      redis: options.redis,
      queue: options.queue ?? DEFAULT_QUEUE,
      prefix: options.prefix ?? 'bull',
      redisTimeoutMs: options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
      notice: options.onNotice ?? ((message) => process.stderr.write(`${message}\n`)),
    })
    link.onFatal = (error) => this.#controller.abort(error)
    this.#link = link
    return link
  }

  /** Connects now (otherwise the first trial does): fails fast on a wrong URL or a server that is down. */
  async ready(): Promise<void> {
    await this.#linkOrCreate().ready()
  }

  start(trial: TrialStart): TrialHandle {
    if (this.#shutdown)
      return failedHandle(new FleetError('VITUNE_EXECUTOR_CLOSED', `${trial.where}: the BullMQ executor was shut down; create a new one.`), trial.randomState)
    if (trial.trainable.module === undefined) {
      const error = new FleetError(
        'VITUNE_TRAINABLE_NOT_MODULE',
        `${trial.where}: trials on BullMQ workers import their trainable, but this one is a plain function. ` +
          "Move it to a module of its own (not the tune file), export it, and name it: export const train = trainable(import.meta.url, 'train', async function* (...) {...}).",
      )
      this.#controller.abort(error)
      return failedHandle(error, trial.randomState)
    }
    const link = this.#linkOrCreate()
    const handle = new RemoteTrial(
      {
        link,
        maxCheckpointBytes: this.#options.maxCheckpointBytes ?? DEFAULT_MAX_CHECKPOINT_BYTES,
        checkpointDir: this.#options.checkpointDir,
        stats: this.#stats,
        notice: link.settings.notice,
        nextJobId: (trialId) => `${link.runId}.${trialId.replace(/[^A-Za-z0-9_-]/g, '_')}.${++this.#jobs}`,
        closed: (closed) => {
          this.#trials.delete(closed)
          this.#aborts.get(trial.signal)?.delete(closed)
        },
      },
      trial,
    )
    this.#trials.add(handle)
    this.#watch(trial.signal, handle)
    return handle
  }

  #watch(signal: AbortSignal, trial: RemoteTrial): void {
    if (signal.aborted) {
      trial.abort()
      return
    }
    let trials = this.#aborts.get(signal)
    if (trials === undefined) {
      const watched = new Set<RemoteTrial>()
      trials = watched
      this.#aborts.set(signal, watched)
      signal.addEventListener(
        'abort',
        () => {
          for (const t of watched) t.abort()
          this.#aborts.delete(signal)
        },
        { once: true },
      )
    }
    trials.add(trial)
  }

  /** Closes every trial still open, deletes the run's keys (and checkpoint files) and disconnects. */
  async shutdown(): Promise<void> {
    if (this.#shutdown) return
    this.#shutdown = true
    await Promise.allSettled([...this.#trials].map((trial) => trial.close()))
    const link = this.#link
    if (link === undefined) return
    await link.close([])
    if (this.#options.checkpointDir !== undefined) await removeCheckpointFiles(this.#options.checkpointDir, link.runId)
  }
}

/** Creates the executor that runs trials on a fleet of `vitune worker` processes (see docs/distributed.md). */
export function bullmqExecutor(options: BullmqExecutorOptions): BullmqExecutor {
  return new BullmqExecutor(options)
}
