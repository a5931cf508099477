// A run must not starve the event loop: timers, aborts and signal handlers get their turn while
// CPU-bound trainables (async generators doing synchronous work per step) train.
import { experiment, grid } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunAborted, run } from '../src/index.js'

/** Keeps the thread busy for `ms` milliseconds, as a training step would. */
function busy(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {}
}

const cpuBound = experiment('cpu bound')
  .space({ id: grid([0, 1]) })
  .metric('step', 'max')
  .stop({ trainingIteration: 200 })
  .train(async function* () {
    for (let step = 1; ; step++) {
      busy(5)
      yield { step }
    }
  })

describe('the run loop gives the event loop a turn', () => {
  test('an abort timer set for 100 ms ends a 2-second CPU-bound run early, with what ran so far', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('timer')), 100)
    const outcome = await run(cpuBound, { signal: controller.signal }).then(
      (grid) => grid,
      (error: unknown) => error,
    )
    expect(outcome).toBeInstanceOf(RunAborted)
    const partial = (outcome as RunAborted).partial
    const results = partial.trials.reduce((n, t) => n + t.results.length, 0)
    expect(results).toBeGreaterThan(0)
    expect(results).toBeLessThan(400)
  })

  test('a timer fires while the run goes on, and the run still finishes with every result', async () => {
    let fired = false
    setTimeout(() => {
      fired = true
    }, 20)
    const seenWhileRunning: boolean[] = []
    const grid = await run(cpuBound.stop({ trainingIteration: 20 }), { onEvent: (e) => e.type === 'result' && seenWhileRunning.push(fired) })
    expect(seenWhileRunning.some((x) => x)).toBe(true)
    expect(grid.trials.map((t) => t.results.length)).toEqual([20, 20])
  })
})
