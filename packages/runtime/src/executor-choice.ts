import type { ExperimentDef } from '@vitune/dsl'
import type { TrialExecutor } from './executor.js'
import { InProcessExecutor } from './executors/in-process.js'

/**
 * The executor a run makes when none is passed: worker threads (`.workers()`, by default one per
 * core) for a trainable named by module, the runner's own thread for a closure or `.workers(0)`.
 * The thread executor is node-only code: it is imported here only when a run needs it, so this
 * entry point never loads `node:worker_threads` otherwise.
 */
export async function defaultExecutor(def: ExperimentDef): Promise<TrialExecutor> {
  const threads = def.workers?.threads ?? 'auto'
  if (def.trainableModule === undefined || threads === 0) return new InProcessExecutor()
  const { ThreadExecutor } = await import('./node/executors/thread-executor.js')
  const { resourceLimits, closeTimeoutS } = def.workers ?? {}
  return new ThreadExecutor({
    ...(threads === 'auto' ? {} : { threads }),
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
    ...(closeTimeoutS === undefined ? {} : { closeTimeoutS }),
  })
}
