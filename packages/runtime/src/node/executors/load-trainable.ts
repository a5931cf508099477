import type { Metrics, Trainable, TrainableModule } from '@vitune/dsl'
import { RunError } from '../../errors.js'

/** A `file:` URL of a TypeScript module, which Node 20 cannot import without a loader. */
export const isTypeScriptUrl = (url: string): boolean => /\.[cm]?tsx?$/.test(new URL(url).pathname)

let tsxRegistered: Promise<void> | undefined

/**
 * Lets this thread import TypeScript through tsx, once: its ESM hooks, and its CommonJS hooks for a
 * .ts file in a package without `"type": "module"` (Node takes it for CommonJS; tsx compiles it so,
 * as the `tsx` command does). Node 20 ignores `--import tsx` in a worker's execArgv and cannot start
 * a worker from a .ts file: registering from inside works.
 */
export function registerTypeScript(): Promise<void> {
  const flag = Symbol.for('vitune.tsxRegistered')
  tsxRegistered ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, cjs]) => {
    // worker-entry.mjs registers the ESM hooks already when the runtime itself runs from its sources.
    if ((globalThis as Record<symbol, unknown>)[flag] !== true) esm.register()
    cjs.register()
    ;(globalThis as Record<symbol, unknown>)[flag] = true
  })
  return tsxRegistered
}

const loaded = new Map<string, Promise<Trainable<never, Metrics, unknown>>>()

/**
 * Imports a trainable named with `trainable(import.meta.url, 'name', fn)`, in the thread that
 * calls it: TypeScript modules load through tsx, registered on first need. Each module and export
 * is imported once per thread. Rejects with `VITUNE_TRAINABLE_IMPORT` naming the module.
 */
export function loadTrainable(module: TrainableModule): Promise<Trainable<never, Metrics, unknown>> {
  const key = `${module.url}#${module.exportName}`
  let promise = loaded.get(key)
  if (promise === undefined) {
    promise = importTrainable(module)
    loaded.set(key, promise)
    // A failed import is not remembered: the file may be fixed, or the failure passing.
    promise.catch(() => loaded.delete(key))
  }
  return promise
}

async function importTrainable({ url, exportName }: TrainableModule): Promise<Trainable<never, Metrics, unknown>> {
  let namespace: Record<string, unknown>
  try {
    if (isTypeScriptUrl(url)) await registerTypeScript()
    namespace = (await import(url)) as Record<string, unknown>
  } catch (error) {
    throw new RunError(
      'VITUNE_TRAINABLE_IMPORT',
      `the trainable's module ${url} cannot be imported in a worker thread: ${error instanceof Error ? error.message : String(error)}. Keep the trainable in a module that imports without side effects (not the *.tune.ts file, whose tune() calls need Vitest), or run in this thread with .workers(0).`,
      { cause: error },
    )
  }
  // A module Node took for CommonJS (no `"type": "module"`) shows its exports on `default`.
  const fn = namespace[exportName] ?? (namespace.default as Record<string, unknown> | undefined)?.[exportName]
  if (typeof fn !== 'function') {
    const exported = Object.keys(namespace).filter((name) => typeof namespace[name] === 'function')
    throw new RunError(
      'VITUNE_TRAINABLE_IMPORT',
      `the module ${url} has no function exported as "${exportName}"${exported.length > 0 ? ` (its function exports: ${exported.join(', ')})` : ''}. Export the trainable under the name given to trainable(import.meta.url, '${exportName}', ...).`,
    )
  }
  return fn as Trainable<never, Metrics, unknown>
}
