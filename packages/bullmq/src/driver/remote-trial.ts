// A trial running on the fleet, as the runner sees it: a TrialHandle whose reports come from
// whichever worker holds its BullMQ job. Each next() sends one numbered pull, so the trainable runs
// exactly as far as the runner asked (as in-process). The handle keeps the resume point it has
// seen, so that a job lost with Redis' data is submitted again and continues where it was.
import type { Report, TrialHandle, TrialStart } from '@vitune/runtime'
import { checkCheckpointSize, checkpointFile, jobCheckpointFolder, readCheckpointFile, removeCheckpointFiles, writeCheckpointFile } from '../checkpoints.js'
import { decode, type ErrorData, encode, errorFromData } from '../codec.js'
import { FleetError } from '../errors.js'
import { ABANDONED, commandFields, type TrialJobData, type TrialSpec, type WorkerMessage } from '../protocol.js'
import { KEY_TTL_MS } from '../settings.js'
import type { DriverLink, LinkedTrial } from './link.js'

/** Counts of what happened to the jobs of an executor; for tests, benchmarks and curious users. */
export interface FleetStats {
  /** Jobs added to the queue (a trainable started, or submitted again after its job was lost). */
  jobs: number
  /** Starts of a job's trainable on a worker, of which: */
  starts: number
  /** ...after a worker had parked it (idle while other trials waited) or handed it back (SIGTERM); */
  resumes: number
  /** ...after its worker was lost (killed, cut off): BullMQ's stalled-job recovery. */
  takeovers: number
  /** Reports run again, unsent, to get from a checkpoint back to where a trial was. */
  replayed: number
  /** Jobs submitted again by the driver because Redis lost them. */
  resubmitted: number
}

/** What a trial needs from its executor. */
export interface TrialContext {
  readonly link: DriverLink
  readonly maxCheckpointBytes: number
  readonly checkpointDir: string | undefined
  readonly stats: FleetStats
  readonly notice: (message: string) => void
  /** A fresh, unique job id for a trial. */
  nextJobId(trialId: string): string
  /** The trial is closed: the executor stops tracking it. */
  closed(trial: RemoteTrial): void
}

/** Where the trial resumes from if its job must start again: a checkpoint (or the start) and the random state then. */
interface ResumePoint {
  readonly seq: number
  readonly bytes: Buffer | undefined
  readonly file: string | undefined
  readonly random: Buffer
}

interface Pending {
  readonly seq: number
  readonly resolve: (report: Report | undefined) => void
  readonly reject: (error: unknown) => void
}

const JOB_OPTIONS = { attempts: 1, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 86_400, count: 1000 } } as const

/** A trial on the fleet. */
export class RemoteTrial implements TrialHandle, LinkedTrial {
  readonly nextSync = undefined
  readonly #c: TrialContext
  readonly #start: TrialStart
  #jobId: string
  #submitted: Promise<void>
  #demand = 0
  #delivered = 0
  #pending: Pending | undefined
  #ended: 'end' | 'error' | undefined
  #failure: unknown
  #random: object
  #resume: ResumePoint | undefined
  /** Digests of the reports delivered since the resume point, so a replay can be checked even on a resubmitted job. */
  readonly #digests = new Map<number, string>()
  #heardAt = Date.now()
  /** The job waits, delayed, for the next pull (its worker parked it). */
  #parked = false
  #closing: Promise<void> | undefined
  #onClosed: (() => void) | undefined

  constructor(context: TrialContext, start: TrialStart) {
    this.#c = context
    this.#start = start
    this.#random = start.randomState
    this.#jobId = context.nextJobId(start.trialId)
    context.link.attach(this.#jobId, this)
    this.#submitted = this.#submit()
    this.#submitted.catch(() => undefined)
  }

  /** The BullMQ job id the trial runs under now. */
  get jobId(): string {
    return this.#jobId
  }

  next(): Promise<Report | undefined> {
    if (this.#ended === 'end' || this.#closing !== undefined) return Promise.resolve(undefined)
    if (this.#ended === 'error') return Promise.reject(this.#failure)
    if (this.#pending !== undefined) return Promise.reject(new Error(`${this.#start.where}: next() was called before the previous next() settled`))
    const seq = ++this.#demand
    const report = new Promise<Report | undefined>((resolve, reject) => {
      this.#pending = { seq, resolve, reject }
    })
    this.#heardAt = Date.now()
    this.#submitted
      .then(async () => {
        await this.#c.link.send(this.#jobId, { op: 'pull', seq })
        if (this.#parked) await this.#unpark()
      })
      .catch((error: unknown) => this.onFatal(error as Error))
    return report
  }

  async #unpark(): Promise<void> {
    this.#parked = false
    await this.#c.link.promote(this.#jobId)
  }

  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  randomState(): object {
    return this.#random
  }

  quietFor(now: number): number | undefined {
    const waiting = this.#pending !== undefined || this.#onClosed !== undefined
    return waiting ? now - this.#heardAt : undefined
  }

  async onMessage(message: WorkerMessage): Promise<void> {
    this.#heardAt = Date.now()
    if (message.kind === 'started') {
      this.#parked = false
      this.#c.stats.starts++
      this.#c.stats.replayed += message.replay
      if (message.how === 'resumed') this.#c.stats.resumes++
      if (message.how === 'takeover') {
        this.#c.stats.takeovers++
        this.#c.notice(
          `vitune: ${this.#start.where} continues on worker ${message.worker}: its previous worker stopped answering; resuming from its last checkpoint${message.replay > 0 ? ` and replaying ${message.replay} report(s)` : ''}.`,
        )
      }
      return
    }
    if (message.kind === 'parked') {
      this.#parked = true
      // A pull that crossed the parking: the job must come back for it now.
      if (this.#pending !== undefined) await this.#unpark()
      return
    }
    if (message.kind === 'closed') {
      this.#random = decode(message.random) as object
      this.#onClosed?.()
      return
    }
    const pending = this.#pending
    // A late or repeated answer (a job that ran twice after a lost lock) changes nothing.
    if (pending === undefined || message.seq !== pending.seq) return
    if (message.kind === 'report') {
      let checkpoint: unknown
      let bytes: Buffer | undefined
      let file: string | undefined
      if (message.checkpoint !== undefined) {
        const where = message.checkpoint
        if ('inline' in where) bytes = where.inline
        else if ('file' in where) file = where.file
        else bytes = (await this.#c.link.guard(this.#c.link.redis.hgetBuffer(this.#c.link.keys.job(this.#jobId), 'ckpt'))) ?? undefined
        if (bytes === undefined && file === undefined) {
          // The job's hash is gone between the report and this read (Redis lost its data): run it again.
          this.#resubmit()
          return
        }
        checkpoint = decode(bytes ?? (await readCheckpointFile(this.#c.checkpointDir as string, file as string, 'the driver')))
      }
      const metrics = decode(message.metrics) as Report['metrics']
      this.#delivered = message.seq
      this.#random = decode(message.random) as object
      if (message.checkpoint !== undefined) {
        this.#resume = { seq: message.seq, bytes, file, random: message.random }
        this.#digests.clear()
      } else {
        this.#digests.set(message.seq, message.digest)
      }
      this.#pending = undefined
      pending.resolve({ metrics, hasCheckpoint: message.checkpoint !== undefined, checkpoint })
      return
    }
    this.#delivered = message.seq
    this.#random = decode(message.random) as object
    this.#pending = undefined
    if (message.kind === 'end') {
      this.#ended = 'end'
      pending.resolve(undefined)
    } else {
      this.#ended = 'error'
      this.#failure = errorFromData(decode(message.error) as ErrorData)
      pending.reject(this.#failure)
    }
  }

  async #takeOffQueue(): Promise<boolean> {
    return (await this.#c.link.guard(this.#c.link.queue.remove(this.#jobId))) === 1
  }

  onJobState(state: string, failedReason: string | undefined): void {
    const closing = this.#onClosed
    if (closing !== undefined && (state === 'waiting' || state === 'prioritized' || state === 'delayed')) {
      // Parked while closing, with no worker to take it back: off the queue, it is closed.
      this.#takeOffQueue()
        .then((removed) => removed && closing())
        .catch(() => undefined)
      return
    }
    if (state === 'unknown' || (state === 'failed' && failedReason?.startsWith(ABANDONED))) {
      // The job is gone (Redis restarted without its data) or was dropped: closing needs no worker then.
      if (this.#onClosed !== undefined) this.#onClosed()
      else this.#resubmit()
      return
    }
    if (state !== 'failed') return
    this.onFatal(
      new FleetError(
        'VITUNE_WORKER_LOST',
        `${this.#start.where}: BullMQ failed its job ${this.#jobId}: ${failedReason ?? 'no reason given'}. ` +
          'A job fails like this when its workers stop answering again and again (killed, out of memory, a blocked event loop): ' +
          "look at the workers' logs; the run retries the trial from its last checkpoint if .failureConfig({ maxFailures }) allows.",
      ),
    )
  }

  onFatal(error: Error): void {
    if (this.#ended === undefined) {
      this.#ended = 'error'
      this.#failure = error
    }
    const pending = this.#pending
    this.#pending = undefined
    pending?.reject(error)
    this.#onClosed?.()
  }

  /** The run was aborted: the trainable sees its signal fire (the executor calls this, one listener per run). */
  abort(): void {
    const reason = this.#start.signal.reason
    this.#submitted
      .then(() => this.#c.link.send(this.#jobId, { op: 'abort', reason: String(reason instanceof Error ? reason.message : reason) }))
      .catch(() => undefined)
  }

  async #close(): Promise<void> {
    try {
      await this.#submitted
      if (this.#c.link.failure !== undefined || this.#ended !== undefined) return
      // A job in the queue (never taken, or parked by its worker) is closed by taking it off the queue;
      // a job a worker holds is locked, so remove() leaves it and the worker closes it.
      if (await this.#takeOffQueue()) return
      const closed = new Promise<void>((resolve) => {
        this.#onClosed = resolve
      })
      this.#heardAt = Date.now()
      await this.#c.link.send(this.#jobId, { op: 'close' })
      await this.#c.link.guard(closed)
    } catch {
      // A trial that cannot be reached is closed as far as this run is concerned.
    } finally {
      this.#onClosed = undefined
      this.#forget(this.#jobId)
      this.#c.closed(this)
    }
  }

  /** Stops following a job and deletes its keys and files. */
  #forget(jobId: string): void {
    const link = this.#c.link
    link.detach(jobId)
    if (link.failure === undefined) link.redis.del(link.keys.job(jobId), link.keys.commands(jobId)).catch(() => undefined)
    const dir = this.#c.checkpointDir
    if (dir !== undefined) removeCheckpointFiles(dir, jobCheckpointFolder(link.runId, jobId)).catch(() => undefined)
  }

  /** The job was lost with Redis' data: submit it again under a new id, from the resume point the driver knows. */
  #resubmit(): void {
    if (this.#ended !== undefined) return
    const old = this.#jobId
    this.#jobId = this.#c.nextJobId(this.#start.trialId)
    this.#c.link.attach(this.#jobId, this)
    this.#c.link.detach(old)
    // Its checkpoint file (the resume point) stays: the new job starts from it.
    this.#c.link.redis.del(this.#c.link.keys.job(old), this.#c.link.keys.commands(old)).catch(() => undefined)
    this.#c.stats.resubmitted++
    this.#heardAt = Date.now()
    this.#parked = false
    this.#submitted = this.#submit()
    this.#submitted.catch((error: unknown) => this.onFatal(error as Error))
  }

  async #firstResumePoint(jobId: string): Promise<ResumePoint> {
    const start = this.#start
    const random = encode(start.randomState)
    if (start.checkpoint === undefined) return { seq: 0, bytes: undefined, file: undefined, random }
    const bytes = encode(start.checkpoint)
    const dir = this.#c.checkpointDir
    if (dir === undefined) {
      checkCheckpointSize(bytes.length, this.#c.maxCheckpointBytes, start.where)
      return { seq: 0, bytes, file: undefined, random }
    }
    const file = checkpointFile(this.#c.link.runId, jobId, 0)
    await writeCheckpointFile(dir, file, bytes, 'the driver')
    return { seq: 0, bytes: undefined, file, random }
  }

  async #submit(): Promise<void> {
    const link = this.#c.link
    await link.ready()
    const jobId = this.#jobId
    this.#resume ??= await this.#firstResumePoint(jobId)
    const start = this.#start
    const module = start.trainable.module
    if (module === undefined) throw new Error(`${start.where}: the trainable has no module`)
    const spec: TrialSpec = {
      trialId: start.trialId,
      where: start.where,
      config: start.config,
      module,
      maxCheckpointBytes: this.#c.maxCheckpointBytes,
      checkpointDir: this.#c.checkpointDir,
    }
    const resume = this.#resume
    const fields: (string | Buffer)[] = ['spec', encode(spec), 'sent', String(this.#delivered), 'ckptSeq', String(resume.seq), 'random', resume.random]
    if (resume.bytes !== undefined) fields.push('ckpt', resume.bytes)
    if (resume.file !== undefined) fields.push('ckptFile', resume.file)
    for (const [seq, digest] of this.#digests) fields.push(`d:${seq}`, digest)
    const hash = link.keys.job(jobId)
    const commands = link.keys.commands(jobId)
    const write = link.redis
      .multi()
      .del(hash, commands)
      .hset(hash, ...fields)
      .pexpire(hash, KEY_TTL_MS)
    // A resubmitted job carries what the old one was asked and had not answered.
    if (this.#pending !== undefined) write.xadd(commands, '*', ...commandFields({ op: 'pull', seq: this.#pending.seq }))
    if (this.#onClosed !== undefined) write.xadd(commands, '*', ...commandFields({ op: 'close' }))
    write.pexpire(commands, KEY_TTL_MS)
    await link.guard(write.exec())
    const data: TrialJobData = { v: 1, runId: link.runId, trialId: start.trialId, where: start.where, module }
    await link.guard(link.queue.add('trial', data, { ...JOB_OPTIONS, jobId }))
    this.#c.stats.jobs++
    await link.wake(jobId)
  }
}
