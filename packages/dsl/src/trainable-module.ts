import { VituneError } from './errors.js'

/** Where a trainable lives, so that a worker thread or another process can import it itself. */
export interface TrainableModule {
  /** The module's URL (`file:`), as its own `import.meta.url` gives it. */
  readonly url: string
  /** The name of the export that holds the trainable. */
  readonly exportName: string
}

const LOCATION = Symbol.for('vitune.trainableModule')

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u

function fail(problem: string, fix: string): never {
  throw new VituneError('VITUNE_TRAINABLE_MODULE', `[VITUNE_TRAINABLE_MODULE] trainable(): ${problem}. ${fix}`)
}

/**
 * Names a trainable by its module and export, so that worker threads (and remote workers) can load
 * it: a closure cannot cross a thread or process boundary, a module can. Write it in the module that
 * exports the trainable; the function comes back unchanged (its types too), with its location attached:
 *
 * `export const trainIris = trainable(import.meta.url, 'trainIris', async function* ({ config }) { ... })`
 */
export function trainable<T extends (context: never) => unknown>(url: string, exportName: string, fn: T): T {
  if (typeof url !== 'string' || !url.startsWith('file:'))
    fail(
      `the first argument must be the module's import.meta.url (a file: URL), got ${JSON.stringify(url)}`,
      'Pass import.meta.url from the module that exports the trainable.',
    )
  if (typeof exportName !== 'string' || !IDENTIFIER.test(exportName))
    fail(
      `the export name must be the name of the module's export, got ${JSON.stringify(exportName)}`,
      "Write trainable(import.meta.url, 'trainIris', ...) for `export const trainIris = ...`.",
    )
  if (typeof fn !== 'function')
    fail(`the trainable must be a function, got ${typeof fn}`, 'Pass an async generator function or a function that calls report().')
  const location: TrainableModule = Object.freeze({ url, exportName })
  Object.defineProperty(fn, LOCATION, { value: location, enumerable: false })
  return fn
}

/** The module and export a trainable was named with by `trainable()`, if it was. */
export function trainableModuleOf(fn: unknown): TrainableModule | undefined {
  if (typeof fn !== 'function') return undefined
  return (fn as { [LOCATION]?: TrainableModule })[LOCATION]
}
