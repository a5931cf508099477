import { experiment, grid, uniform } from '@vitune/dsl'
import { run } from '@vitune/runtime'
import { describe, expect, test } from 'vitest'
import { matchers } from '../src/test/matchers.js'

expect.extend(matchers)

/** A small PBT run that maximises -(x - 3)^2, as the e2e fixture does. */
const climb = experiment('matcher climb')
  .space({ lr: grid([0.01, 0.2]) })
  .mutate({ lr: uniform(0.01, 0.5) })
  .pbt({ perturbationInterval: 2, quantileFraction: 0.5, synch: true })
  .metric('score', 'max')
  .stop({ trainingIteration: 20 })
  .seed(7)
  .train(async function* ({ config, checkpoint }) {
    let x = (checkpoint as { x: number } | undefined)?.x ?? 0
    for (;;) {
      x += config.lr * 2 * (3 - x)
      yield { $report: true, metrics: { score: -((x - 3) ** 2), x }, checkpoint: { x } } as const
    }
  })

const result = await run(climb)
const best = result.best
const bestScore = best.metrics?.score as number

function failure(check: () => void): string {
  try {
    check()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the assertion to fail')
}

describe('toReachMetric', () => {
  test('passes when the best trial ends at or above the target', () => {
    expect(result).toReachMetric(bestScore)
    expect(result).not.toReachMetric(bestScore + 1)
  })

  test('a failure shows the best trial, its value and the target', () => {
    const message = failure(() => expect(result).toReachMetric(1))
    expect(message).toContain('experiment "matcher climb": expected the best score to reach at least 1')
    expect(message).toContain(`best trial ${best.trialId} (${best.tag}) ended at score=${bestScore}`)
    expect(message).toContain('target 1')
  })

  test('within: some trial must reach the target by that iteration', () => {
    const early = result.trials.flatMap((t) => t.results.filter((r) => r.trainingIteration <= 3).map((r) => r.score as number))
    const bestEarly = Math.max(...early)
    expect(result).toReachMetric(bestEarly, { within: 3 })
    const message = failure(() => expect(result).toReachMetric(bestEarly + 1e-9, { within: 3 }))
    expect(message).toContain(`within 3 iterations; best trial`)
    expect(message).toContain(`reached score=${bestEarly} at iteration`)
  })

  test('everyTrial: every trial must reach it, and the failure lists those that did not', () => {
    const worst = Math.min(...result.trials.map((t) => t.metrics?.score as number))
    expect(result).toReachMetric(worst, { everyTrial: true })
    const message = failure(() => expect(result).toReachMetric(bestScore + 1, { everyTrial: true }))
    expect(message).toContain(`expected every trial to reach score at least ${bestScore + 1}; 2 did not`)
    for (const t of result.trials) expect(message).toContain(t.trialId)
  })

  test('.not fails with the trial that did reach the target', () => {
    const message = failure(() => expect(result).not.toReachMetric(bestScore))
    expect(message).toContain('not to reach score at least')
    expect(message).toContain(best.trialId)
  })

  test('anything but a result grid fails with a message that says what was expected', () => {
    expect(failure(() => expect(42).toReachMetric(1))).toContain('expected a vitune ResultGrid')
  })
})

describe('toHaveExploits', () => {
  test('counts exploits, and a failure shows the count per trial and the best trial', () => {
    expect(result.lineage.length).toBeGreaterThan(0)
    expect(result).toHaveExploits()
    expect(result).toHaveExploits({ atLeast: result.lineage.length, atMost: result.lineage.length })
    const message = failure(() => expect(result).toHaveExploits({ atMost: 0 }))
    expect(message).toContain(`expected between 0 and 0 exploits, got ${result.lineage.length}`)
    expect(message).toContain(`best trial ${best.trialId}`)
  })
})
