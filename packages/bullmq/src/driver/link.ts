// The driver's side of the fleet: its Redis connections, the BullMQ queue it adds trials to, the
// loop that reads the workers' messages, the heartbeat that tells workers the driver lives, and
// the checks that notice lost, failed and unclaimed jobs. Trials (RemoteTrial) talk through it.
import { randomBytes } from 'node:crypto'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { FleetError } from '../errors.js'
import { type Command, commandFields, parseMessage, type WorkerMessage } from '../protocol.js'
import { BLOCK_MS, displayUrl, FleetKeys, HEARTBEAT_EVERY_MS, HEARTBEAT_TTL_MS, KEY_TTL_MS, NO_WORKER_NOTICE_MS, QUIET_CHECK_MS } from '../settings.js'

/** What the link needs to know about a trial it routes messages to. */
export interface LinkedTrial {
  /** Handles one message of its current job; messages of one trial are handed over in order. */
  onMessage(message: WorkerMessage): Promise<void>
  /** The driver has not heard from the trial's job for a while (or Redis restarted): here is the job's BullMQ state. */
  onJobState(state: string, failedReason: string | undefined): void
  /** The fleet is unusable (Redis gone for too long, shutdown): reject what waits. */
  onFatal(error: Error): void
  /** Milliseconds since the trial last heard from its job while it waits for it; undefined when it waits for nothing. */
  quietFor(now: number): number | undefined
}

/** Settings of the link, resolved by the executor. */
export interface LinkSettings {
  readonly redis: string
  readonly queue: string
  readonly prefix: string
  readonly redisTimeoutMs: number
  readonly notice: (message: string) => void
}

/** The longest a closing step waits for Redis. */
const CLOSE_STEP_MS = 2000

/** Waits for `promise` at most `ms`; its outcome does not matter. */
async function within(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

const nextId = (id: string): string => {
  const [ms, seq] = id.split('-')
  return `${ms}-${Number(seq ?? 0) + 1}`
}

/** One driver's connection to the fleet. */
export class DriverLink {
  /** Names this driver's keys and jobs; fresh per executor, so a restarted driver never meets its old run's jobs. */
  readonly runId = randomBytes(6).toString('hex')
  readonly keys: FleetKeys
  readonly settings: LinkSettings
  /** Commands, uploads, heartbeats. */
  readonly redis: Redis
  /** Only the blocking read of the out stream. */
  readonly #reader: Redis
  readonly queue: Queue
  /** BullMQ does not close a connection it was given. */
  readonly #queueConnection: Redis
  readonly #trials = new Map<string, LinkedTrial>()
  /** Per job, the chain its messages are handled on (in order, without holding up other trials). */
  readonly #inbox = new Map<string, Promise<void>>()
  readonly #ready: Promise<void>
  #lastContact = Date.now()
  #rejectFailed: (error: Error) => void = () => undefined
  readonly #failed = new Promise<never>((_, reject) => {
    this.#rejectFailed = reject
  })
  #timer: NodeJS.Timeout | undefined
  #checking = false
  #closed = false
  #failure: Error | undefined
  #lastNoWorkerNotice = 0
  /** Called once when the fleet becomes unusable. */
  onFatal: ((error: Error) => void) | undefined

  constructor(settings: LinkSettings) {
    this.settings = settings
    this.keys = new FleetKeys(settings.prefix, settings.queue)
    // Wait forever per command: the run's own deadline (redisTimeoutMs) decides when Redis is gone.
    const options = { maxRetriesPerRequest: null, lazyConnect: true, connectionName: `vitune-driver-${this.runId}` } as const
    this.redis = new Redis(settings.redis, options)
    this.#reader = new Redis(settings.redis, options)
    // An 'error' listener on every connection: ioredis and BullMQ print unhandled ones and keep reconnecting.
    for (const connection of [this.redis, this.#reader]) connection.on('error', () => undefined)
    this.#queueConnection = this.redis.duplicate()
    this.#queueConnection.on('error', () => undefined)
    this.queue = new Queue(settings.queue, { connection: this.#queueConnection, prefix: settings.prefix })
    this.queue.on('error', () => undefined)
    this.#ready = this.#start()
    // Nothing waits on #ready but calls that need it; a failure is reported through them.
    this.#ready.catch(() => undefined)
  }

  async #start(): Promise<void> {
    await Promise.all([this.redis.connect(), this.#reader.connect()])
    await this.redis.set(this.keys.alive(this.runId), '1', 'PX', HEARTBEAT_TTL_MS)
    this.#lastContact = Date.now()
    this.#timer = setInterval(() => void this.#health(), HEARTBEAT_EVERY_MS)
    this.#timer.unref()
    this.#read().catch(() => undefined)
  }

  /**
   * A Redis call that rejects with the fleet's failure once there is one: a command queued while
   * ioredis reconnects would otherwise wait forever after the link gave up.
   */
  guard<T>(call: Promise<T>): Promise<T> {
    if (this.#failure !== undefined) {
      call.catch(() => undefined)
      return Promise.reject(this.#failure)
    }
    return Promise.race([call, this.#failed])
  }

  /** Resolves once connected; rejects with the fleet's failure. */
  async ready(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure
    await this.#ready
    if (this.#failure !== undefined) throw this.#failure
  }

  /** The fleet's failure, once it failed. */
  get failure(): Error | undefined {
    return this.#failure
  }

  /** Routes a job's messages to a trial (a new job id for a resubmitted trial). */
  attach(jobId: string, trial: LinkedTrial): void {
    this.#trials.set(jobId, trial)
  }

  /** Stops routing a job's messages. */
  detach(jobId: string): void {
    this.#trials.delete(jobId)
    this.#inbox.delete(jobId)
  }

  /** Sends a command to a job. */
  async send(jobId: string, command: Command): Promise<void> {
    await this.ready()
    const key = this.keys.commands(jobId)
    await this.redis
      .multi()
      .xadd(key, '*', ...commandFields(command))
      .pexpire(key, KEY_TTL_MS)
      .exec()
  }

  /** Wakes idle jobs on the workers: work was added, and a worker without a free slot may make room for it. */
  async wake(jobId: string): Promise<void> {
    await this.guard(this.redis.xadd(this.keys.wake(), 'MAXLEN', '~', '100', '*', 'job', jobId))
  }

  /** Puts a parked job back in the queue, to be taken by the next free worker. */
  async promote(jobId: string): Promise<void> {
    const job = await this.guard(this.queue.getJob(jobId))
    // Already promoted or taken (a race with another promote) is fine.
    await this.guard(job?.promote() ?? Promise.resolve()).catch(() => undefined)
    await this.wake(jobId)
  }

  async #read(): Promise<void> {
    const out = this.keys.out(this.runId)
    let lastId = '0-0'
    while (!this.#closed) {
      let batch: [Buffer, [Buffer, Buffer[]][]][] | null
      try {
        batch = (await this.#reader.xreadBuffer('COUNT', 1000, 'BLOCK', BLOCK_MS, 'STREAMS', out, lastId)) as typeof batch
      } catch (error) {
        if (this.#closed) return
        // A dropped connection: ioredis reconnects; the deadline in #health decides when to give up.
        await new Promise((resolve) => setTimeout(resolve, 100))
        void error
        continue
      }
      this.#lastContact = Date.now()
      if (batch === null) continue
      for (const [, entries] of batch) {
        for (const [id, fields] of entries) {
          lastId = id.toString()
          const message = parseMessage(fields)
          if (message !== undefined) this.#deliver(message)
        }
      }
      // What has been read is not needed again: the stream stays as short as the backlog.
      this.redis.xtrim(out, 'MINID', nextId(lastId)).catch(() => undefined)
    }
  }

  #deliver(message: WorkerMessage): void {
    const trial = this.#trials.get(message.jobId)
    // A job this driver no longer follows (closed, or replaced after a lost job) may still talk.
    if (trial === undefined) return
    const previous = this.#inbox.get(message.jobId) ?? Promise.resolve()
    const next = previous
      .then(() => trial.onMessage(message))
      .catch((error: unknown) => trial.onFatal(error instanceof Error ? error : new Error(String(error))))
    this.#inbox.set(message.jobId, next)
  }

  async #health(): Promise<void> {
    if (this.#closed || this.#failure !== undefined) return
    const now = Date.now()
    if (now - this.#lastContact > this.settings.redisTimeoutMs) {
      this.fail(
        new FleetError(
          'VITUNE_REDIS_UNAVAILABLE',
          `the driver has had no answer from Redis at ${displayUrl(this.settings.redis)} for ${Math.round((now - this.#lastContact) / 1000)} s (redisTimeoutMs ${this.settings.redisTimeoutMs}). ` +
            'Check that the server runs and is reachable; with `.storage()` the run resumes from its last saved round when started again.',
        ),
      )
      return
    }
    if (this.#checking) return
    this.#checking = true
    try {
      const alive = this.keys.alive(this.runId)
      // The heartbeat key vanished: Redis restarted and lost its data (or it was flushed). Every job may be gone.
      const reset = (await this.redis.pexpire(alive, HEARTBEAT_TTL_MS)) === 0
      this.#lastContact = Date.now()
      if (reset) await this.redis.set(alive, '1', 'PX', HEARTBEAT_TTL_MS)
      const quiet = [...this.#trials].filter(([, trial]) => {
        const quietFor = trial.quietFor(now)
        return quietFor !== undefined && (reset || quietFor >= QUIET_CHECK_MS)
      })
      if (quiet.length === 0) return
      const states = await Promise.all(quiet.map(([jobId]) => this.queue.getJobState(jobId)))
      let waiting = false
      for (let i = 0; i < quiet.length; i++) {
        const [jobId, trial] = quiet[i] as [string, LinkedTrial]
        const state = states[i] as string
        if (this.#trials.get(jobId) !== trial) continue
        const failedReason = state === 'failed' ? (await this.queue.getJob(jobId))?.failedReason : undefined
        trial.onJobState(state, failedReason)
        if (state === 'waiting' || state === 'prioritized' || state === 'delayed') waiting ||= (trial.quietFor(now) ?? 0) >= NO_WORKER_NOTICE_MS
      }
      if (waiting) await this.#noticeNoWorkers()
    } catch {
      // Redis is unreachable right now: the next round tries again, the deadline above decides.
    } finally {
      this.#checking = false
    }
  }

  async #noticeNoWorkers(): Promise<void> {
    const now = Date.now()
    if (now - this.#lastNoWorkerNotice < 30_000) return
    if ((await this.queue.getWorkersCount()) > 0) return
    this.#lastNoWorkerNotice = now
    this.settings.notice(
      `vitune: trials are waiting, but no worker is connected to queue "${this.settings.queue}" on ${displayUrl(this.settings.redis)}. ` +
        `Start one: npx vitune worker --redis ${displayUrl(this.settings.redis)}${this.settings.queue === 'vitune' ? '' : ` --queue ${this.settings.queue}`}`,
    )
  }

  /** Makes the fleet unusable for this driver: every trial's wait ends with `error`. */
  fail(error: Error): void {
    if (this.#failure !== undefined) return
    this.#failure = error
    this.#failed.catch(() => undefined)
    this.#rejectFailed(error)
    for (const trial of this.#trials.values()) trial.onFatal(error)
    this.onFatal?.(error)
    // Commands waiting for a connection that is not coming back reject now instead of hanging.
    for (const connection of [this.redis, this.#reader, this.#queueConnection]) connection.disconnect()
  }

  /** Stops the loop, deletes the run's keys and closes the connections; never waits long on a Redis that does not answer. */
  async close(extraKeys: readonly string[]): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer !== undefined) clearInterval(this.#timer)
    if (this.#failure === undefined && this.redis.status === 'ready') {
      await within(CLOSE_STEP_MS, this.redis.del(this.keys.alive(this.runId), this.keys.out(this.runId), ...extraKeys))
    }
    // A command queued while ioredis was reconnecting is not rejected by disconnect(): the loop may
    // still wait on one, so it is left to end by itself (it sees #closed).
    this.#reader.disconnect()
    if (this.#failure === undefined) await within(CLOSE_STEP_MS, this.queue.close())
    for (const connection of [this.#queueConnection, this.redis]) connection.disconnect()
  }
}
