import { experiment, grid, uniform } from '@vitune/dsl'
import { run, trialLabels } from '@vitune/runtime'
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
const label = (trialId: string) => trialLabels(result.trials.map((t) => t.initialConfig))[result.trials.findIndex((t) => t.trialId === trialId)]

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

  test('a failure shows the scope, the best trial, its value and the target', () => {
    const message = failure(() => expect(result).toReachMetric(1))
    expect(message).toContain('experiment "matcher climb": expected the best score (last result) to reach at least 1;')
    expect(message).toContain(`best is trial ${best.trialId} (${label(best.trialId)}) ended at score=${bestScore} at iteration 20`)
  })

  test("scope 'all': the best result any trial ever reported, not each trial's last", () => {
    const ever = result.bestMetric('all')
    expect(ever.value).toBe(Math.max(...result.trials.flatMap((t) => t.results.map((r) => r.score as number))))
    expect(result).toReachMetric(ever.value, { scope: 'all' })
    expect(result).not.toReachMetric(ever.value + 1e-9, { scope: 'all' })
    const message = failure(() => expect(result).toReachMetric(ever.value + 1, { scope: 'all' }))
    expect(message).toContain('expected the best score (best ever) to reach at least')
    expect(message).toContain(`reached score=${ever.value} at iteration ${ever.result.trainingIteration}`)
  })

  test("the default scope is the last result, as result.best's: a trial that peaked earlier does not count", () => {
    // A min metric where the best value came early and the last result is worse.
    const peaked = experiment('peaked')
      .space({ start: grid([5, 6]) })
      .metric('loss', 'min')
      .stop({ trainingIteration: 4 })
      .train(function* ({ config }) {
        for (const loss of [config.start, 1, 3, 4]) yield { loss }
      })
    return run(peaked).then((grid) => {
      expect(grid.best.metrics?.loss).toBe(4)
      expect(grid).toReachMetric(4)
      expect(grid).not.toReachMetric(1)
      expect(grid).toReachMetric(1, { scope: 'all' })
      expect(failure(() => expect(grid).toReachMetric(1))).toContain('best is trial')
    })
  })

  test('within: some trial must reach the target by that iteration', () => {
    const early = result.trials.flatMap((t) => t.results.filter((r) => r.trainingIteration <= 3).map((r) => r.score as number))
    const bestEarly = Math.max(...early)
    expect(result).toReachMetric(bestEarly, { within: 3 })
    const message = failure(() => expect(result).toReachMetric(bestEarly + 1e-9, { within: 3 }))
    expect(message).toContain(`(best ever) to reach at least ${bestEarly + 1e-9} within 3 iterations; best is trial`)
    expect(message).toContain(`reached score=${bestEarly} at iteration`)
  })

  test('everyTrial: every trial must reach it, and the failure lists those that did not', () => {
    const worst = Math.min(...result.trials.map((t) => t.metrics?.score as number))
    expect(result).toReachMetric(worst, { everyTrial: true })
    const message = failure(() => expect(result).toReachMetric(bestScore + 1, { everyTrial: true }))
    expect(message).toContain(`expected every trial to reach score (last result) at least ${bestScore + 1}; 2 did not`)
    for (const t of result.trials) expect(message).toContain(t.trialId)
  })

  test('.not fails with the trial that did reach the target', () => {
    const message = failure(() => expect(result).not.toReachMetric(bestScore))
    expect(message).toContain('not to reach score (last result) at least')
    expect(message).toContain(best.trialId)
  })

  test('a metric the trainable never reported: the failure says which keys it did report', async () => {
    const misnamed = await run(
      experiment('misnamed')
        .space({ lr: grid([0.1, 0.2]) })
        .metric('accuracy', 'max')
        .stop({ trainingIteration: 3 })
        .train(async ({ report, config }) => {
          for (;;) await report({ acc: config.lr, loss: 1 })
        }),
    )
    const message = failure(() => expect(misnamed).toReachMetric(-0.01))
    expect(message).toContain('expected the best accuracy (last result) to reach at least -0.01; no trial can be ranked:')
    expect(message).toContain('no result has the metric `accuracy`; the trainable reported only `acc`, `loss`')
  })

  test('huge values print readably', async () => {
    const diverged = await run(
      experiment('diverged')
        .metric('loss', 'min')
        .stop({ trainingIteration: 1 })
        .train(function* () {
          yield { loss: 5.536541718894742e197 }
        }),
    )
    expect(failure(() => expect(diverged).toReachMetric(0.1))).toContain('ended at loss=5.53654e+197 at iteration 1')
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
    expect(message).toContain(`best trial ${best.trialId} (${label(best.trialId)}) ended at score=${bestScore} (last result)`)
  })
})
