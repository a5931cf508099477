import type { TestContext } from 'vitest'

/**
 * A result that the first test needing it computes, in that test: so `-t` may select any test of
 * a suite and the suite's run still happens, and a suite with no selected test never runs. When
 * the computation failed, the test that ran it reports the error; every other test is skipped with
 * a note, so the error is printed once.
 */
export class RunOnce<T> {
  #promise: Promise<T> | undefined
  #starter: string | undefined

  constructor(
    /** What the notes call the run: `experiment "x"`. */
    readonly what: string,
    readonly start: (context: TestContext) => Promise<T>,
  ) {}

  /** The result, computing it in `context`'s test when no test has started it yet. */
  async get(context: TestContext): Promise<T> {
    if (this.#promise === undefined) {
      this.#starter = context.task.name
      this.#promise = this.start(context)
      return this.#promise
    }
    try {
      return await this.#promise
    } catch {
      return context.skip(`${this.what} did not finish: see the error of its test "${this.#starter}"`)
    }
  }
}
