// The worker thread's side of the thread executor (started by worker-entry.mjs): runs the trials
// the runner's thread starts here, one step per `next` message, and answers each with the trial's
// random stream state.
import { type MessagePort, parentPort } from 'node:worker_threads'
import { cloneCheckpoint } from '../../clone.js'
import { RunError } from '../../errors.js'
import { deriveStream, type RandomStream } from '../../random.js'
import { freezeConfig } from '../../search/variants.js'
import { startTrainable, type TrialIterator } from '../../trainable.js'
import { TypedArrayPool } from '../../typed-array-pool.js'
import { loadTrainable } from './load-trainable.js'
import type { FromWorker, ToWorker } from './protocol.js'
import { toThrown, transferablesOf } from './protocol.js'

/** One trial running on this thread. */
interface WorkerTrial {
  readonly stream: RandomStream
  readonly controller: AbortController
  /** Messages of a trial are handled in order, each after the previous one settled. */
  chain: Promise<void>
  iterator: TrialIterator | undefined
  /** The trainable could not be loaded or started: every pull fails with this. */
  startFailure: { readonly error: unknown } | undefined
}

const port = parentPort as MessagePort
const trials = new Map<number, WorkerTrial>()
/**
 * Arrays of deleted checkpoints that the runner's thread sent back: the next reported checkpoints
 * are copied into them instead of into fresh memory. Shared by the thread's trials (same shapes).
 */
const spares = new TypedArrayPool({ maxBytes: 128 * 2 ** 20 })
/** Each trial's `experiment "x", trial y (tag)`, for messages raised here. */
const where = new Map<number, string>()

function post(message: FromWorker): void {
  port.postMessage(message)
}

/**
 * Sends a report. Its checkpoint is copied here (the trainable may go on changing its own arrays)
 * and the copy's buffers are moved, not copied again: the runner's store keeps the copy as it is.
 */
function postReport(message: Extract<FromWorker, { type: 'report' }>): void {
  try {
    if (!message.hasCheckpoint) {
      port.postMessage(message)
      return
    }
    const checkpoint = cloneCheckpoint(message.checkpoint, spares)
    port.postMessage({ ...message, checkpoint }, transferablesOf(checkpoint))
  } catch (error) {
    // A report holding a function, a symbol, a class with private state...: its trial fails, named, not the thread.
    port.postMessage({ type: 'failed', trial: message.trial, random: message.random, error: toThrown(uncopyable(message, error)) } satisfies FromWorker)
  }
}

/** The error for a report that postMessage could not copy: its checkpoint's fault (as in the runner's thread) or its metrics'. */
function uncopyable(report: Extract<FromWorker, { type: 'report' }>, error: unknown): RunError {
  const reason = error instanceof Error ? error.message : String(error)
  let metricsCopy = true
  try {
    structuredClone(report.metrics)
  } catch {
    metricsCopy = false
  }
  if (metricsCopy && report.hasCheckpoint)
    return new RunError(
      'VITUNE_CHECKPOINT_CORRUPT',
      `${where.get(report.trial) ?? 'a trial'}: its checkpoint cannot be sent from the worker thread: ${reason}. A checkpoint must be structured-cloneable data (objects, arrays, numbers, strings, typed arrays, Map, Date...), not functions, symbols or objects holding them.`,
      { cause: error },
    )
  return new RunError(
    'VITUNE_BAD_REPORT',
    `${where.get(report.trial) ?? 'a trial'}: its report cannot be sent from the worker thread: ${reason}. Metrics on worker threads must be structured-cloneable: numbers, strings, plain objects and arrays.`,
    { cause: error },
  )
}

function start(message: Extract<ToWorker, { type: 'start' }>): void {
  const controller = new AbortController()
  if (message.aborted !== undefined) controller.abort(message.aborted.reason)
  const trial: WorkerTrial = {
    stream: deriveStream(0, '', message.randomState),
    controller,
    chain: Promise.resolve(),
    iterator: undefined,
    startFailure: undefined,
  }
  trials.set(message.trial, trial)
  where.set(message.trial, message.where)
  trial.chain = (async () => {
    try {
      const fn = await loadTrainable(message.module)
      trial.iterator = startTrainable(
        fn as never,
        {
          // Frozen as in the runner's thread, so a trainable that writes to its config fails the same way everywhere.
          config: freezeConfig(message.config),
          checkpoint: message.checkpoint,
          trialId: message.trialId,
          random: trial.stream.next,
          signal: controller.signal,
        },
        message.where,
      )
    } catch (error) {
      trial.startFailure = { error }
    }
  })()
}

async function pull(id: number, trial: WorkerTrial): Promise<void> {
  if (trial.startFailure !== undefined) {
    post({ type: 'failed', trial: id, error: toThrown(trial.startFailure.error), random: trial.stream.state() })
    return
  }
  try {
    const report = await (trial.iterator as TrialIterator).next()
    if (report === undefined) post({ type: 'done', trial: id, random: trial.stream.state() })
    else
      postReport({
        type: 'report',
        trial: id,
        metrics: report.metrics,
        hasCheckpoint: report.hasCheckpoint,
        checkpoint: report.checkpoint,
        random: trial.stream.state(),
      })
  } catch (error) {
    post({ type: 'failed', trial: id, error: toThrown(error), random: trial.stream.state() })
  }
}

async function close(id: number, trial: WorkerTrial): Promise<void> {
  trials.delete(id)
  where.delete(id)
  try {
    await trial.iterator?.close()
    post({ type: 'closed', trial: id, random: trial.stream.state(), error: undefined })
  } catch (error) {
    post({ type: 'closed', trial: id, random: trial.stream.state(), error: toThrown(error) })
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') {
    start(message)
    return
  }
  // Spares serve any trial of this thread, even when theirs closed meanwhile.
  if (message.type === 'next' && message.spare !== undefined) for (const array of message.spare) spares.recycle(array)
  const trial = trials.get(message.trial)
  // A message for a trial that closed already (an abort racing the close) has nothing left to do.
  if (trial === undefined) return
  if (message.type === 'abort') trial.controller.abort(message.reason)
  else if (message.type === 'next') trial.chain = trial.chain.then(() => pull(message.trial, trial))
  else trial.chain = trial.chain.then(() => close(message.trial, trial))
})
