import type { WorkerOptions, WorkersDef } from './definition.js'
import type { Fail } from './validate.js'

const LIMITS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const
const OPTIONS = new Set(['resourceLimits', 'closeTimeoutS'])

/** Checks `.workers(threads, options)` and returns what the definition keeps. */
export function workersDef(fail: Fail, threads: number | 'auto', options: WorkerOptions): WorkersDef {
  if (threads !== 'auto' && (!Number.isInteger(threads) || threads < 0))
    fail(
      'VITUNE_WORKERS',
      'workers',
      `needs a whole number of threads >= 0 or 'auto', got ${String(threads)}`,
      "Pass 'auto' for one thread per core, 2 for two threads, or 0 to run trials in this thread.",
    )
  if (typeof options !== 'object' || options === null)
    fail('VITUNE_WORKERS', 'workers', `options must be an object, got ${String(options)}`, 'Write .workers(2, { closeTimeoutS: 10 }).')
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) fail('VITUNE_WORKERS', `workers.${key}`, 'is not an option of .workers()', 'The options are resourceLimits and closeTimeoutS.')
  }
  const { resourceLimits, closeTimeoutS } = options
  if (closeTimeoutS !== undefined && !(typeof closeTimeoutS === 'number' && closeTimeoutS >= 0 && Number.isFinite(closeTimeoutS)))
    fail(
      'VITUNE_WORKERS',
      'workers.closeTimeoutS',
      `needs a number of seconds >= 0, got ${String(closeTimeoutS)}`,
      'Pass 10 to give finally blocks ten seconds.',
    )
  if (resourceLimits !== undefined) {
    if (typeof resourceLimits !== 'object' || resourceLimits === null)
      fail('VITUNE_WORKERS', 'workers.resourceLimits', `must be an object, got ${String(resourceLimits)}`, 'Write { maxOldGenerationSizeMb: 512 }.')
    for (const [key, value] of Object.entries(resourceLimits)) {
      if (!(LIMITS as readonly string[]).includes(key))
        fail('VITUNE_WORKERS', `workers.resourceLimits.${key}`, 'is not a resource limit', `The limits are ${LIMITS.join(', ')}.`)
      if (!(typeof value === 'number' && value > 0 && Number.isFinite(value)))
        fail(
          'VITUNE_WORKERS',
          `workers.resourceLimits.${key}`,
          `needs a positive number of megabytes, got ${String(value)}`,
          'Write { maxOldGenerationSizeMb: 512 }.',
        )
    }
  }
  return {
    threads,
    ...(resourceLimits === undefined ? {} : { resourceLimits: { ...resourceLimits } }),
    ...(closeTimeoutS === undefined ? {} : { closeTimeoutS }),
  }
}

/** Rejects a closure for a run on worker threads, which can only import a trainable. */
export function checkWorkersTrainable(fail: Fail, workers: WorkersDef | undefined, trainable: unknown, hasModule: boolean): void {
  if (workers === undefined || workers.threads === 0 || trainable === undefined || hasModule) return
  const threads = workers.threads === 'auto' ? "'auto'" : String(workers.threads)
  fail(
    'VITUNE_WORKERS_CLOSURE',
    'workers',
    `.workers(${threads}) runs trials in worker threads, and a closure cannot cross to them`,
    "Name the trainable with trainable(import.meta.url, 'trainModel', async function* ...) in a module that exports it (not the *.tune.ts file), or pass .workers(0) to run in this thread.",
  )
}
