import { availableParallelism } from 'node:os'
import type { ResourceLimits } from 'node:worker_threads'
import { RunError } from '../../errors.js'
import type { TrialExecutor, TrialHandle, TrialStart } from '../../executor.js'
import { sparesForThreads } from '../../typed-array-pool.js'
import { ThreadTrialHandle } from './thread-handle.js'
import { WorkerThread } from './worker-thread.js'

/** Options of `ThreadExecutor`. */
export interface ThreadExecutorOptions {
  /** How many worker threads run trials. Default: `os.availableParallelism()`. */
  readonly threads?: number
  /** Memory limits of each thread (Node's `resourceLimits`): a thread that exceeds them fails its trials, not the run. */
  readonly resourceLimits?: ResourceLimits
  /** How long a closing trainable may take (its finally blocks) before its thread is terminated, in seconds. Default 5. */
  readonly closeTimeoutS?: number
}

/** The default grace period of a closing trainable, in seconds. */
export const DEFAULT_CLOSE_TIMEOUT_S = 5

/**
 * Runs trials on a pool of worker threads, so a CPU-bound population uses every core. Trainables
 * must be named with `trainable(import.meta.url, 'name', fn)`: each thread imports the module
 * itself (TypeScript through tsx). Threads start when first needed and hold several trials each;
 * a thread that crashes fails only its trials, and the next trial started gets a new one.
 * Results never depend on which thread ran a trial.
 */
export class ThreadExecutor implements TrialExecutor {
  readonly name = 'threads'
  /** The most threads the pool runs at once. */
  readonly threads: number
  readonly #resourceLimits: ResourceLimits | undefined
  readonly #closeTimeoutS: number
  #pool: WorkerThread[] = []

  constructor(options: ThreadExecutorOptions = {}) {
    const threads = options.threads ?? availableParallelism()
    if (!Number.isInteger(threads) || threads < 1)
      throw new RunError(
        'VITUNE_WORKERS',
        `ThreadExecutor needs a whole number of threads >= 1, got ${threads}. Pass { threads: 2 }, or leave it out for one per core.`,
      )
    const closeTimeoutS = options.closeTimeoutS ?? DEFAULT_CLOSE_TIMEOUT_S
    if (!(closeTimeoutS >= 0) || !Number.isFinite(closeTimeoutS))
      throw new RunError('VITUNE_WORKERS', `ThreadExecutor needs closeTimeoutS >= 0, got ${closeTimeoutS}. Leave it out for ${DEFAULT_CLOSE_TIMEOUT_S} s.`)
    this.threads = threads
    this.#resourceLimits = options.resourceLimits
    this.#closeTimeoutS = closeTimeoutS
  }

  /** Threads running now (started on demand, replaced after a crash). */
  get liveThreads(): number {
    return this.#pool.filter((t) => t.alive).length
  }

  start(trial: TrialStart): TrialHandle {
    if (trial.trainable.module === undefined) {
      throw new RunError(
        'VITUNE_TRAINABLE_MISSING',
        `${trial.where}: worker threads cannot run a closure, only a trainable they can import. Name it with trainable(import.meta.url, 'trainModel', async function* ...) in a module that exports it, or run in this thread (.workers(0), or no executor).`,
      )
    }
    return new ThreadTrialHandle(this.#pick(), trial, this.#closeTimeoutS)
  }

  /**
   * The thread for a new trial: an idle one, else a new one while the pool is below its size, else
   * the least loaded (the first of them). Which thread a trial gets changes no result.
   */
  #pick(): WorkerThread {
    this.#pool = this.#pool.filter((t) => t.alive)
    const idle = this.#pool.find((t) => t.load === 0)
    if (idle !== undefined) return idle
    if (this.#pool.length < this.threads) {
      const thread = new WorkerThread({ resourceLimits: this.#resourceLimits })
      this.#pool.push(thread)
      return thread
    }
    return this.#pool.reduce((least, t) => (t.load < least.load ? t : least))
  }

  /** Terminates every thread; trials still on them fail. A later `start` starts new threads. */
  async shutdown(): Promise<void> {
    const pool = this.#pool
    this.#pool = []
    // Spare checkpoint arrays wait for threads: with none left running, let the memory go.
    sparesForThreads.clear()
    await Promise.all(
      pool.map((t) =>
        t.terminate({ description: 'was terminated: the executor was shut down', hint: 'Close every trial before shutdown().', error: undefined }),
      ),
    )
  }
}
