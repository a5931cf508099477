// Which local executor test workers use: the production default (worker threads, issue 10) once
// @vitune/runtime has it; until then the module-importing test double.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** Whether the built runtime has the worker-thread executor that `vitune worker` runs trials on. */
export const threadsAvailable: boolean = await (async () => {
  const entry = join(import.meta.dirname, '..', '..', '..', 'runtime', 'dist', 'node', 'index.js')
  if (!existsSync(entry)) return false
  const node = (await import(entry)) as Record<string, unknown>
  return typeof node.ThreadExecutor === 'function'
})()
