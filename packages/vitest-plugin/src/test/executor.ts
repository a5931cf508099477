// The executor of a tune run. The fleet's lives in @vitune/bullmq, an optional package: it is
// looked up from the project (where the user installs it), then from here.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { VituneError } from '@vitune/dsl'
import type { TrialExecutor } from '@vitune/runtime'
import type { ExecutorSetting } from '../executor-setting.js'

/** An executor the run owns: shut down after it, with a signal that stops the run when the executor fails. */
export interface RunExecutor {
  readonly executor: TrialExecutor | undefined
  readonly signal: AbortSignal | undefined
  shutdown(): Promise<void>
}

interface BullmqModule {
  bullmqExecutor(options: Record<string, unknown>): TrialExecutor & { readonly signal: AbortSignal }
}

async function importBullmq(experiment: string): Promise<BullmqModule> {
  for (const from of [join(process.cwd(), 'noop.js'), import.meta.url]) {
    let entry: string
    try {
      entry = createRequire(from).resolve('@vitune/bullmq')
    } catch {
      continue
    }
    return (await import(pathToFileURL(entry).href)) as BullmqModule
  }
  throw new VituneError(
    'VITUNE_BULLMQ_MISSING',
    `[VITUNE_BULLMQ_MISSING] experiment "${experiment}": the run should go to a fleet of workers (vitune({ executor: { bullmq } }) or VITUNE_REDIS_URL), ` +
      'but @vitune/bullmq is not installed. Install it in the project (npm install @vitune/bullmq), or unset VITUNE_REDIS_URL to run here.',
  )
}

/** Creates the executor `setting` asks for; the local one is the runtime's default (none passed). */
export async function createRunExecutor(setting: ExecutorSetting, experiment: string): Promise<RunExecutor> {
  if (setting === 'local') return { executor: undefined, signal: undefined, shutdown: async () => {} }
  const { bullmqExecutor } = await importBullmq(experiment)
  const executor = bullmqExecutor({ ...setting.bullmq })
  return { executor, signal: executor.signal, shutdown: () => executor.shutdown() }
}
