import { type ResourceLimits, Worker } from 'node:worker_threads'
import type { FromWorker, ToWorker } from './protocol.js'

/** A trial's end of a worker thread: its answers, and the news that the thread is gone. */
export interface TrialChannel {
  receive(message: FromWorker): void
  /** The thread ended under the trial (crash, exit, out of memory, terminated): `cause` says how. */
  lost(cause: ThreadLoss): void
}

/** How a worker thread ended while it still had trials. */
export interface ThreadLoss {
  /** Completes "its worker thread ...", e.g. "ran out of memory". */
  readonly description: string
  /** What the trial's owner can do about it. */
  readonly hint: string
  /** The thread's own error, when it had one. */
  readonly error: unknown
}

/** Where the worker thread's code is, and what each thread gets. */
export interface WorkerThreadOptions {
  readonly resourceLimits: ResourceLimits | undefined
}

/** The plain-JavaScript entry every worker starts from, and the worker's code it loads (TypeScript when the runtime runs from its sources). */
const ENTRY = new URL('./worker-entry.mjs', import.meta.url)
const MAIN = new URL(`./worker-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href

/**
 * One worker thread of the pool and the trials on it. It keeps the process alive only while some
 * trial waits for an answer from it, so an idle pool never holds a finished program open.
 */
export class WorkerThread {
  readonly #worker: Worker
  readonly #channels = new Map<number, TrialChannel>()
  #nextTrial = 0
  #waiting = 0
  #loss: ThreadLoss | undefined
  #error: unknown
  #terminating: ThreadLoss | undefined
  readonly #exited: Promise<void>

  constructor(options: WorkerThreadOptions) {
    this.#worker = new Worker(ENTRY, {
      workerData: { main: MAIN },
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
      // Loader flags (`--import tsx`) do nothing in a worker on Node 20; the worker registers tsx itself.
      execArgv: process.execArgv.filter((arg, i, all) => !isLoaderFlag(arg) && !isLoaderFlag(all[i - 1] ?? '', true)),
    })
    this.#worker.unref()
    this.#worker.on('message', (message: FromWorker) => this.#channels.get(message.trial)?.receive(message))
    this.#worker.on('error', (error) => {
      this.#error = error
    })
    this.#worker.on('messageerror', (error) => {
      this.#error = error
      void this.terminate({ description: 'sent a message this thread cannot read', hint: 'Report this as a vitune bug.', error })
    })
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#loss = this.#terminating ?? describeExit(code, this.#error)
        const channels = [...this.#channels.values()]
        this.#channels.clear()
        for (const channel of channels) channel.lost(this.#loss)
        resolve()
      })
    })
  }

  /** Trials on this thread that have not closed. */
  get load(): number {
    return this.#channels.size
  }

  /** False once the thread has ended (or is being terminated): it takes no new trials. */
  get alive(): boolean {
    return this.#loss === undefined && this.#terminating === undefined
  }

  /** Registers a trial on this thread; returns its number for messages. */
  open(channel: TrialChannel): number {
    const trial = this.#nextTrial++
    this.#channels.set(trial, channel)
    return trial
  }

  /** The trial closed: its messages stop here. */
  release(trial: number): void {
    this.#channels.delete(trial)
  }

  /** Sends a message; `transfer` moves those buffers instead of copying them. Throws what postMessage throws (a DataCloneError). */
  post(message: ToWorker, transfer?: readonly ArrayBuffer[]): void {
    this.#worker.postMessage(message, transfer as ArrayBuffer[] | undefined)
  }

  /** Counts an answer a trial waits for: the thread keeps the process alive until it comes. */
  awaitAnswer(): void {
    if (this.#waiting++ === 0) this.#worker.ref()
  }

  /** The awaited answer came (or never will). */
  answered(): void {
    if (--this.#waiting === 0) this.#worker.unref()
  }

  /** Ends the thread; every trial still on it is lost with `loss`. Resolves once it has exited. */
  terminate(loss: ThreadLoss): Promise<void> {
    if (this.#loss === undefined && this.#terminating === undefined) {
      this.#terminating = loss
      void this.#worker.terminate()
    }
    return this.#exited
  }
}

function isLoaderFlag(arg: string, valueOnly = false): boolean {
  const flags = ['--import', '--loader', '--experimental-loader', '--require', '-r']
  if (valueOnly) return flags.includes(arg)
  return flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`))
}

/** Why a thread exited that nobody terminated. */
function describeExit(code: number, error: unknown): ThreadLoss {
  if ((error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      description: 'ran out of memory (its resourceLimits)',
      hint: 'Raise the limits (.workers(n, { resourceLimits: { maxOldGenerationSizeMb } })) or make the trainable use less memory.',
      error,
    }
  }
  if (error !== undefined) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return {
      description: `stopped on an uncaught error: ${message}`,
      hint: "An error thrown outside the trainable's awaited code (a callback, a timer, a promise nobody awaits) ends the whole thread; await it, so it fails only its own trial.",
      error,
    }
  }
  return {
    description: `exited with code ${code}`,
    hint: 'Something in the thread called process.exit(); throw an error instead, so only the trial fails.',
    error: undefined,
  }
}
