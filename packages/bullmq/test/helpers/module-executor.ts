// A local executor for workers started inside a test process: it imports the trainable's module
// itself and runs it in this thread (a test double with the production interface). Used only where
// the transport is under test, with trainables that never block for long; real worker processes
// run trials on worker threads.
import { InProcessExecutor, type TrialExecutor, type TrialHandle, type TrialStart } from '@vitune/runtime'

/** Imports each trial's trainable module, then runs it in-process. */
export class ModuleExecutor implements TrialExecutor {
  readonly name = 'module-in-process'
  readonly #inner = new InProcessExecutor()

  start(trial: TrialStart): TrialHandle {
    const module = trial.trainable.module
    if (module === undefined) return this.#inner.start(trial)
    let handle: TrialHandle | undefined
    let failure: unknown
    const loaded = import(module.url).then(
      (exports: Record<string, unknown>) => {
        handle = this.#inner.start({ ...trial, trainable: { fn: exports[module.exportName] as never, module } })
      },
      (error: unknown) => {
        failure = error
      },
    )
    return {
      next: async () => {
        await loaded
        if (handle === undefined) throw failure
        return handle.next()
      },
      nextSync: undefined,
      close: async () => {
        await loaded
        await handle?.close()
      },
      randomState: () => handle?.randomState() ?? trial.randomState,
    }
  }

  async shutdown(): Promise<void> {}
}
