// `vitune worker` as a function: a BullMQ worker that takes trial jobs from the queue and runs
// their trainables on a local executor (worker threads by default), several at once.
import { availableParallelism, hostname } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { TrialExecutor } from '@vitune/runtime'
import { DelayedError, type Job, Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { FleetError } from '../errors.js'
import { ABANDONED, SEND_SCRIPT, type TrialJobData } from '../protocol.js'
import {
  checkRedisUrl,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_STALLED_COUNT,
  DEFAULT_PARK_AFTER_MS,
  DEFAULT_QUEUE,
  DEFAULT_STALLED_INTERVAL_MS,
  displayUrl,
  FleetKeys,
  PARK_DELAY_MS,
} from '../settings.js'
import { type JobContext, TrialJob } from './trial-job.js'

/** Options of `startWorker()` (and the flags of `vitune worker`). */
export interface WorkerOptions {
  /** The Redis server the drivers use: `redis://host:6379` (`--redis`). */
  readonly redis: string
  /** The BullMQ queue to take trials from (`--queue`). Default `vitune`. */
  readonly queue?: string
  /** BullMQ's key prefix (`--prefix`). Default `bull`. */
  readonly prefix?: string
  /** Trials run at once (`--concurrency`). Default: one per core (`os.availableParallelism()`). */
  readonly concurrency?: number
  /**
   * Worker threads the trials run on (`--threads`). Default: one per slot. Fewer threads than slots
   * suit trainables that mostly wait (I/O, a remote service): a thread hosts several trials.
   */
  readonly threads?: number
  /** Names the worker in notices and BullMQ's job records (`--name`). Default `<host>:<pid>`. */
  readonly name?: string
  /**
   * Where this machine sees the drivers' shared checkpoint folder, when not at the drivers' path
   * (`--checkpoint-dir`). Only used by drivers with `checkpointDir`.
   */
  readonly checkpointDir?: string
  /** BullMQ's lock on a running job (`--lock-duration`): a killed worker's trials are taken over after about this plus two stalled intervals. Default 10000. */
  readonly lockDurationMs?: number
  /** How often BullMQ looks for jobs of lost workers (`--stalled-interval`). Default 2000. */
  readonly stalledIntervalMs?: number
  /** A trial whose workers are lost more often than this fails with VITUNE_WORKER_LOST (`--max-stalled`). Default 2. */
  readonly maxStalledCount?: number
  /** An idle trial makes room after this long when others wait and this worker is full (`--park-after`). Default 100. */
  readonly parkAfterMs?: number
  /**
   * Only trainable modules below this folder are imported (`--module-root`). Default: the working
   * directory. Anyone who can write to Redis names the modules workers import: this keeps them to the project.
   */
  readonly moduleRoot?: string
  /** Where trainables run in this process. Default: worker threads, one per slot (never this event loop: BullMQ's locks need it free). */
  readonly executor?: TrialExecutor
  /** Receives one line per event worth logging. Default: none. */
  readonly onLog?: (line: string) => void
}

/** A running worker. */
export interface VituneWorker {
  readonly name: string
  readonly concurrency: number
  /** Resolves once connected and taking jobs. */
  readonly ready: Promise<void>
  /**
   * Stops taking jobs and hands back the trials it runs, each after its current report (they
   * continue on other workers from their last checkpoint), then disconnects. Safe to call twice.
   */
  close(): Promise<void>
}

/** How long a stopping worker waits for its jobs to hand themselves back. */
const CLOSE_DEADLINE_MS = 30_000

/** The default local executor: worker threads (issue 10), loaded only when no executor is given. */
async function defaultExecutor(threads: number): Promise<TrialExecutor> {
  const node = (await import('@vitune/runtime/node')) as Record<string, unknown>
  const Threads = node.ThreadExecutor as (new (options: { threads: number }) => TrialExecutor) | undefined
  if (Threads === undefined) {
    throw new FleetError(
      'VITUNE_WORKER_OPTIONS',
      'this @vitune/runtime has no worker-thread executor, which `vitune worker` runs trials on; install a @vitune/runtime that matches @vitune/bullmq.',
    )
  }
  return new Threads({ threads })
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!(Number.isInteger(value) && value > 0))
    throw new FleetError('VITUNE_WORKER_OPTIONS', `startWorker({ ${name} }): ${value} is not a positive whole number.`)
  return value
}

/** Starts a worker that runs vitune trials from the queue until `close()`. */
export async function startWorker(options: WorkerOptions): Promise<VituneWorker> {
  const url = checkRedisUrl(options.redis, 'startWorker({ redis })')
  const queueName = options.queue ?? DEFAULT_QUEUE
  const prefix = options.prefix ?? 'bull'
  const concurrency = positive(options.concurrency, 'concurrency', availableParallelism())
  const name = options.name ?? `${hostname()}:${process.pid}`
  const log = options.onLog ?? (() => undefined)
  const keys = new FleetKeys(prefix, queueName)
  const moduleRoot = pathToFileURL(`${resolve(options.moduleRoot ?? process.cwd())}/`).href
  const ownExecutor = options.executor === undefined
  const executor = options.executor ?? (await defaultExecutor(positive(options.threads, 'threads', concurrency)))

  const connection = { maxRetriesPerRequest: null, connectionName: `vitune-worker-${name}` } as const
  const redis = new Redis(url, connection)
  redis.defineCommand('vituneSend', { numberOfKeys: 3, lua: SEND_SCRIPT })
  redis.on('error', () => undefined)
  const queueConnection = new Redis(url, connection)
  queueConnection.on('error', () => undefined)
  const queue = new Queue(queueName, { connection: queueConnection, prefix })
  queue.on('error', () => undefined)
  // One connection per slot for its blocking reads, kept for the next job.
  const readers: Redis[] = []
  const borrow = (): Redis => {
    const reader = readers.pop()
    if (reader !== undefined) return reader
    const fresh = new Redis(url, connection)
    fresh.on('error', () => undefined)
    return fresh
  }

  let stopping = false
  let active = 0
  const context = (reader: Redis): JobContext => ({
    redis,
    reader,
    keys,
    executor,
    workerName: name,
    checkpointDir: options.checkpointDir === undefined ? undefined : resolve(options.checkpointDir),
    stopping: () => stopping,
    parkAfterMs: options.parkAfterMs ?? DEFAULT_PARK_AFTER_MS,
    wakeKey: keys.wake(),
    moduleRoot,
    othersWaiting: async () => active >= concurrency && (await queue.getWaitingCount()) > 0,
  })

  const processor = async (job: Job<TrialJobData>, token?: string): Promise<string> => {
    active++
    const reader = borrow()
    try {
      const trial = new TrialJob(job, token as string, context(reader))
      const outcome = await trial.run()
      if (outcome.kind === 'done') return 'done'
      if (outcome.kind === 'abandon') {
        log(`dropped job ${job.id} (${job.data.where}): ${outcome.reason}`)
        throw new Error(`${ABANDONED}: ${outcome.reason}`)
      }
      await trial.markParked()
      // Delayed until its driver pulls it again (the driver promotes it then), so an idle trial never takes a slot.
      await job.moveToDelayed(Date.now() + PARK_DELAY_MS, token)
      await trial.announceParked()
      log(`${stopping ? 'handed back' : 'parked'} job ${job.id} (${job.data.where})`)
      throw new DelayedError()
    } finally {
      active--
      readers.push(reader)
    }
  }

  const workerConnection = new Redis(url, connection)
  workerConnection.on('error', () => undefined)
  const worker = new Worker<TrialJobData>(queueName, processor, {
    connection: workerConnection,
    prefix,
    concurrency,
    name,
    lockDuration: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT,
    autorun: false,
  })
  worker.on('error', (error) => log(`BullMQ: ${error.message}`))
  worker.on('failed', (job, error) => {
    if (job !== undefined && !error.message.startsWith(ABANDONED)) log(`job ${job.id} failed: ${error.message}`)
  })
  const running = worker.run()
  running.catch((error: unknown) => log(`BullMQ worker stopped: ${error instanceof Error ? error.message : String(error)}`))
  const ready = worker
    .waitUntilReady()
    .then(() => log(`worker ${name}: ${concurrency} slot(s), queue "${queueName}" on ${displayUrl(url)}, modules below ${fileURLToPath(moduleRoot)}`))

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping = true
      // Jobs notice `stopping` between reports and hand themselves back; close() waits for them. A
      // job stuck on an unreachable Redis would hold it forever: after the deadline, force it (BullMQ's
      // stalled-job check gives such a job to another worker).
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), CLOSE_DEADLINE_MS)
      })
      if ((await Promise.race([worker.close(), deadline])) === 'late') {
        log(`jobs did not hand back within ${CLOSE_DEADLINE_MS / 1000} s: closing anyway`)
        await Promise.race([worker.close(true), new Promise((resolve) => setTimeout(resolve, 2000))])
      }
      clearTimeout(timer)
      await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000))])
      if (ownExecutor) await executor.shutdown()
      await queue.close().catch(() => undefined)
      for (const connection of [redis, queueConnection, workerConnection, ...readers]) connection.disconnect()
      log(`worker ${name}: stopped`)
    })()
    return closing
  }
  return { name, concurrency, ready, close }
}
