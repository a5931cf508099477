// One trial job on a worker: start the trainable on the worker's local executor (threads, never
// this event loop) from the job's resume point, replay what was already sent, then answer the
// driver's pulls one report at a time until it closes the trial. Between commands the job looks
// around: is the driver still there, is the lock still ours, should it make room (park) or go
// (SIGTERM)?
import type { Report, TrialExecutor, TrialHandle } from '@vitune/runtime'
import type { Job } from 'bullmq'
import type { Redis } from 'ioredis'
import { checkCheckpointSize, checkpointFile, readCheckpointFile, removeCheckpointFiles, writeCheckpointFile } from '../checkpoints.js'
import { decode, digest, encode, errorToData } from '../codec.js'
import { FleetError } from '../errors.js'
import { parseCommand, SEND, type StartKind, type TrialJobData, type TrialSpec } from '../protocol.js'
import { BLOCK_MS, type FleetKeys, INLINE_CHECKPOINT_BYTES, KEY_TTL_MS } from '../settings.js'

/** What the worker lends each of its jobs. */
export interface JobContext {
  /** Shared, non-blocking: sends, checks. Has the `vituneSend` script defined. */
  readonly redis: Redis
  /** This job's own connection for blocking reads. */
  readonly reader: Redis
  readonly keys: FleetKeys
  readonly executor: TrialExecutor
  readonly workerName: string
  /** Where this machine sees the shared checkpoint folder, when it differs from the driver's path. */
  readonly checkpointDir: string | undefined
  /** The worker is stopping (SIGTERM): hand the trial back. */
  readonly stopping: () => boolean
  /** Other trials wait for a worker: an idle trial should make room. */
  readonly othersWaiting: () => Promise<boolean>
  /** A trial idle this long makes room for waiting ones. */
  readonly parkAfterMs: number
  /** The stream the driver writes to when it adds work, which wakes idle jobs to check for waiting trials. */
  readonly wakeKey: string
  /** Only modules below this folder are imported (a `file:` URL prefix, ending in a slash). */
  readonly moduleRoot: string
}

/** How a job ended on this worker. */
export type JobOutcome =
  | { readonly kind: 'done' }
  /** Idle while others wait, or the worker stops: the job goes back for later (delayed until pulled). */
  | { readonly kind: 'park' }
  /** The job is no longer this worker's to finish (the driver is gone, the lock was lost, Redis lost the job). */
  | { readonly kind: 'abandon'; readonly reason: string }

type Outcome = { readonly kind: 'report'; readonly report: Report } | { readonly kind: 'end' } | { readonly kind: 'error'; readonly error: unknown }

/** A local handle whose trainable fails at once: a refused module answers the first pull with its error. */
function failingHandle(error: unknown, randomState: object): TrialHandle {
  return { next: () => Promise.reject(error), nextSync: undefined, close: async () => {}, randomState: () => randomState }
}

async function pull(handle: TrialHandle): Promise<Outcome> {
  try {
    const report = await handle.next()
    return report === undefined ? { kind: 'end' } : { kind: 'report', report }
  } catch (error) {
    return { kind: 'error', error }
  }
}

/** How often a running step looks for an abort or a close. */
const STEP_WATCH_MS = 250

/** The race's marker for a close that came during a step. */
const CLOSED = Symbol('closed')

type SendScript = (hash: string, out: string, commands: string, ...args: (string | Buffer | number)[]) => Promise<number>

const int = (bytes: Buffer | undefined): number => (bytes === undefined ? 0 : Number.parseInt(bytes.toString(), 10))

/** Runs one trial job until it is done, parked or abandoned. */
export class TrialJob {
  readonly #job: Job<TrialJobData>
  readonly #token: string
  readonly #c: JobContext
  readonly #jobId: string
  readonly #hash: string
  readonly #commands: string
  readonly #out: string
  #spec!: TrialSpec
  #handle: TrialHandle | undefined
  readonly #signal = new AbortController()
  /** Reports (and the end or error) produced so far, counting from the trial's start: the last one's seq. */
  #produced = 0
  #failure: FleetError | undefined
  /** The last command read. */
  #cursor = '0-0'
  /** The checkpoint file that is the resume point now, deleted once a newer one replaces it. */
  #resumeFile: string | undefined

  constructor(job: Job<TrialJobData>, token: string, context: JobContext) {
    this.#job = job
    this.#token = token
    this.#c = context
    this.#jobId = job.id as string
    this.#hash = context.keys.job(this.#jobId)
    this.#commands = context.keys.commands(this.#jobId)
    this.#out = context.keys.out(job.data.runId)
  }

  get #checkpointRoot(): string {
    return this.#c.checkpointDir ?? (this.#spec.checkpointDir as string)
  }

  async run(): Promise<JobOutcome> {
    const redis = this.#c.redis
    const [alive, state] = (await redis.multi().exists(this.#c.keys.alive(this.#job.data.runId)).hgetallBuffer(this.#hash).exec()) as [
      [Error | null, number],
      [Error | null, Record<string, Buffer>],
    ]
    if (alive[1] === 0) return { kind: 'abandon', reason: 'its driver is gone (no heartbeat)' }
    const fields = state[1]
    if (fields.spec === undefined) return { kind: 'abandon', reason: 'its state is gone from Redis' }
    this.#spec = decode(fields.spec) as TrialSpec
    const sent = int(fields.sent)
    const resumeSeq = int(fields.ckptSeq)
    this.#resumeFile = fields.ckptFile?.toString()
    const how: StartKind = fields.parked !== undefined ? 'resumed' : this.#job.attemptsStarted > 1 ? 'takeover' : 'fresh'
    let checkpoint: unknown
    if (fields.ckpt !== undefined) checkpoint = decode(fields.ckpt)
    else if (this.#resumeFile !== undefined)
      checkpoint = decode(await readCheckpointFile(this.#checkpointRoot, this.#resumeFile, `worker ${this.#c.workerName}`))
    await redis.hdel(this.#hash, 'parked')
    await this.#sendUnsequenced(['kind', 'started', 'worker', this.#c.workerName, 'how', how, 'replay', String(sent - resumeSeq)])
    const randomState = decode(fields.random as Buffer) as object
    const refused = this.#refusal()
    this.#handle =
      refused === undefined
        ? this.#c.executor.start({
            trialId: this.#spec.trialId,
            config: this.#spec.config as never,
            checkpoint,
            trainable: { fn: undefined, module: this.#spec.module },
            randomState,
            signal: this.#signal.signal,
            where: this.#spec.where,
          })
        : failingHandle(refused, randomState)
    this.#produced = resumeSeq
    try {
      const replayed = await this.#replay(sent, fields)
      if (replayed !== undefined) return replayed
      return await this.#serve()
    } finally {
      // Parked, abandoned or failed: the local trainable ends here either way (its finally blocks run).
      if (this.#handle !== undefined) await this.#handle.close().catch(() => undefined)
    }
  }

  /**
   * Why this worker will not import the trial's module: anyone who can write to Redis names the
   * module a worker imports, so a worker imports only files below its module root.
   */
  #refusal(): FleetError | undefined {
    const url = this.#spec.module.url
    if (url.startsWith(this.#c.moduleRoot)) return undefined
    return new FleetError(
      'VITUNE_WORKER_MODULE',
      `${this.#spec.where}: worker ${this.#c.workerName} does not import ${url}, which is outside its module root ${this.#c.moduleRoot}. ` +
        'Workers need the project at the same path as the driver: start `vitune worker` in the project folder, or pass --module-root <project folder>.',
    )
  }

  /** Runs the trial from its resume point up to what was sent before, checking each report against its digest. */
  async #replay(sent: number, fields: Record<string, Buffer>): Promise<JobOutcome | undefined> {
    const handle = this.#handle as TrialHandle
    while (this.#produced < sent) {
      const outcome = await pull(handle)
      this.#produced++
      // The end and errors were sent after closing the trainable (its finally blocks may draw): the same here.
      if (outcome.kind !== 'report') await handle.close().catch(() => undefined)
      const expected = fields[`d:${this.#produced}`]?.toString()
      if (expected === undefined || expected !== this.#digest(outcome, encode(handle.randomState())).digest) {
        this.#failure = new FleetError(
          'VITUNE_TAKEOVER_DIVERGED',
          `${this.#spec.where}: it continued on worker ${this.#c.workerName} from its last checkpoint, but report ${this.#produced} came out different from the first time. ` +
            "The trainable's state must be all in its checkpoint (with the config and context.random): keep counters and buffers there too, and draw randomness only from context.random. " +
            'Until then checkpoint after every report, so a worker never has to run a report again.',
        )
        return undefined
      }
      // The trial had already ended before: only the job's completion was lost.
      if (outcome.kind !== 'report') return { kind: 'done' }
    }
    return undefined
  }

  #digest(outcome: Outcome, random: Buffer): { digest: string; metrics: Buffer | undefined } {
    if (outcome.kind === 'end') return { digest: digest('end', random), metrics: undefined }
    if (outcome.kind === 'error') return { digest: digest('error', errorToData(outcome.error).message), metrics: undefined }
    const metrics = encode(outcome.report.metrics)
    return { digest: digest('report', metrics, random, outcome.report.hasCheckpoint ? '1' : '0'), metrics }
  }

  /** Answers commands until the trial is closed, or the job must be parked or abandoned. */
  async #serve(): Promise<JobOutcome> {
    const reader = this.#c.reader
    let wakeCursor = ((await this.#c.redis.xrevrange(this.#c.wakeKey, '+', '-', 'COUNT', 1))[0]?.[0] as string | undefined) ?? '0-0'
    let idleSince = Date.now()
    let lastCheck = Date.now()
    /** Others wait for a slot: look again as soon as this trial has been idle long enough to park. */
    let crowded = false
    for (;;) {
      const block = crowded ? Math.min(BLOCK_MS, Math.max(1, this.#c.parkAfterMs - (Date.now() - idleSince))) : BLOCK_MS
      const batch = (await reader.xreadBuffer('COUNT', 100, 'BLOCK', block, 'STREAMS', this.#commands, this.#c.wakeKey, this.#cursor, wakeCursor)) as
        | [Buffer, [Buffer, Buffer[]][]][]
        | null
      let woken = false
      for (const [key, entries] of batch ?? []) {
        const isWake = key.toString() === this.#c.wakeKey
        for (const [id, flat] of entries) {
          if (isWake) {
            wakeCursor = id.toString()
            woken = true
            continue
          }
          this.#cursor = id.toString()
          const command = parseCommand(flat)
          if (command === undefined) continue
          if (command.op === 'abort') this.#signal.abort(new Error(command.reason))
          else if (command.op === 'close') return await this.#close()
          else if (command.seq > this.#produced) {
            const outcome = await this.#answer(command.seq)
            if (outcome !== undefined) return outcome
            idleSince = Date.now()
          }
        }
      }
      if (this.#c.stopping()) return { kind: 'park' }
      const now = Date.now()
      if (woken || crowded || now - lastCheck >= BLOCK_MS) {
        lastCheck = now
        const lost = await this.#lostReason()
        if (lost !== undefined) return { kind: 'abandon', reason: lost }
        crowded = await this.#c.othersWaiting()
        if (crowded && now - idleSince >= this.#c.parkAfterMs) return { kind: 'park' }
      }
    }
  }

  /** Why this job is no longer this worker's, or undefined while it is. */
  async #lostReason(): Promise<string | undefined> {
    const job = this.#job
    const [[, alive], [, lock]] = (await this.#c.redis
      .multi()
      .exists(this.#c.keys.alive(job.data.runId))
      .get(`${job.queueQualifiedName}:${this.#jobId}:lock`)
      .exec()) as [[Error | null, number], [Error | null, string | null]]
    if (alive === 0) return 'its driver is gone (no heartbeat)'
    if (lock !== this.#token) return 'its lock was lost (another worker has taken it over)'
    return undefined
  }

  /**
   * While a step runs, looks at the command stream every STEP_WATCH_MS: an abort reaches the
   * trainable mid-step, and a close (the driver gave up on the step) ends it. True once closed.
   */
  async #watchDuringStep(stepping: () => boolean): Promise<boolean> {
    while (stepping()) {
      await new Promise((resolve) => setTimeout(resolve, STEP_WATCH_MS))
      if (!stepping()) return false
      const batch = (await this.#c.redis.xreadBuffer('COUNT', 100, 'STREAMS', this.#commands, this.#cursor)) as [Buffer, [Buffer, Buffer[]][]][] | null
      for (const [, entries] of batch ?? []) {
        for (const [id, flat] of entries) {
          const command = parseCommand(flat)
          // A pull (none should come while one is answered) waits for the main loop.
          if (command?.op === 'pull') return false
          this.#cursor = id.toString()
          if (command?.op === 'abort') this.#signal.abort(new Error(command.reason))
          if (command?.op === 'close') return stepping()
        }
      }
    }
    return false
  }

  /** Produces report `seq` and sends it; an outcome when the job is over for this worker. */
  async #answer(seq: number): Promise<JobOutcome | undefined> {
    const handle = this.#handle as TrialHandle
    if (this.#failure !== undefined) {
      this.#produced = seq
      return this.#sendFinal({ kind: 'error', error: this.#failure }, seq)
    }
    let stepping = true
    const step = pull(handle)
    const closed = this.#watchDuringStep(() => stepping)
    const outcome = await Promise.race([step, closed.then((c) => (c ? CLOSED : new Promise<never>(() => undefined)))])
    stepping = false
    // Closed mid-step (a step timeout on the driver): the local trainable is stopped, its slot freed.
    if (outcome === CLOSED) return this.#close()
    this.#produced = seq
    if (outcome.kind !== 'report') return this.#sendFinal(outcome, seq)
    const random = encode(handle.randomState())
    const { digest: hash, metrics } = this.#digest(outcome, random)
    const extra: (string | Buffer)[] = ['m', metrics as Buffer, 'r', random]
    let mode = ''
    let bytes: Buffer = Buffer.alloc(0)
    let file = ''
    if (outcome.report.hasCheckpoint) {
      bytes = encode(outcome.report.checkpoint)
      if (this.#spec.checkpointDir !== undefined) {
        mode = 'file'
        file = checkpointFile(this.#job.data.runId, this.#jobId, seq)
        await writeCheckpointFile(this.#checkpointRoot, file, bytes, `worker ${this.#c.workerName}`)
        extra.push('cref', file)
        bytes = Buffer.alloc(0)
      } else {
        try {
          checkCheckpointSize(bytes.length, this.#spec.maxCheckpointBytes, this.#spec.where)
        } catch (error) {
          return this.#sendFinal({ kind: 'error', error }, seq)
        }
        mode = 'bytes'
        if (bytes.length <= INLINE_CHECKPOINT_BYTES) extra.push('c', bytes)
        else extra.push('cref', 'hash')
      }
    }
    const result = await this.#send(seq, 'report', hash, extra, mode, bytes, file, random)
    if (result !== SEND.sent) return { kind: 'abandon', reason: this.#sendProblem(result) }
    if (mode === 'file') {
      const previous = this.#resumeFile
      this.#resumeFile = file
      if (previous !== undefined) await removeCheckpointFiles(this.#checkpointRoot, previous)
    }
    return undefined
  }

  /** Sends the end or an error: the trainable is over, so it is closed first (its random state then is final). */
  async #sendFinal(outcome: Outcome, seq: number): Promise<JobOutcome> {
    const handle = this.#handle as TrialHandle
    await handle.close().catch(() => undefined)
    const random = encode(handle.randomState())
    const { digest: hash } = this.#digest(outcome, random)
    const extra: (string | Buffer)[] = ['r', random]
    if (outcome.kind === 'error') extra.push('e', encode(errorToData(outcome.error)))
    const result = await this.#send(seq, outcome.kind, hash, extra, '', Buffer.alloc(0), '', random)
    return result === SEND.sent ? { kind: 'done' } : { kind: 'abandon', reason: this.#sendProblem(result) }
  }

  async #close(): Promise<JobOutcome> {
    const handle = this.#handle as TrialHandle
    await handle.close().catch(() => undefined)
    this.#handle = undefined
    const sent = await this.#sendUnsequenced(['kind', 'closed', 'r', encode(handle.randomState())])
    return sent ? { kind: 'done' } : { kind: 'abandon', reason: 'its state is gone from Redis' }
  }

  #sendProblem(result: number): string {
    if (result === SEND.gone) return 'its state is gone from Redis'
    return 'another worker runs it too (its lock was lost); that one goes on'
  }

  #send(
    seq: number,
    kind: string,
    hash: string,
    extra: readonly (string | Buffer)[],
    mode: string,
    bytes: Buffer,
    file: string,
    random: Buffer,
  ): Promise<number> {
    const send = (this.#c.redis as unknown as { vituneSend: SendScript }).vituneSend
    return send.call(
      this.#c.redis,
      this.#hash,
      this.#out,
      this.#commands,
      this.#jobId,
      String(seq),
      kind,
      hash,
      String(KEY_TTL_MS),
      ...extra,
      mode,
      bytes,
      file,
      random,
    )
  }

  async #sendUnsequenced(fields: readonly (string | Buffer)[]): Promise<boolean> {
    const kind = fields[1] as string
    const rest = fields.slice(2)
    return (await this.#send(0, kind, '', rest, '', Buffer.alloc(0), '', Buffer.alloc(0))) === SEND.sent
  }

  /** Marks the job parked, so whoever takes it next knows it resumes rather than takes over. */
  async markParked(): Promise<void> {
    await this.#c.redis.hset(this.#hash, 'parked', '1')
  }

  /** Tells the driver the job waits, delayed, until it pulls again. */
  async announceParked(): Promise<void> {
    await this.#sendUnsequenced(['kind', 'parked'])
  }
}
