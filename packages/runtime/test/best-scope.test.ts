import { experiment, grid } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { RunError } from '../src/errors.js'
import { scopeLabel } from '../src/result-grid.js'
import { run } from '../src/run.js'

/** Two trials of a min metric: trial 0 peaks early (1) and ends at 4; trial 1 ends at 3 and never goes lower. */
const peaked = () =>
  run(
    experiment('peaked')
      .space({ which: grid([0, 1]) })
      .metric('loss', 'min')
      .stop({ trainingIteration: 4 })
      .train(function* ({ config }) {
        for (const loss of config.which === 0 ? [5, 1, 3, 4] : [6, 5, 4, 3]) yield { loss }
      }),
  )

describe("one meaning of best: Ray's scope, 'last' by default", () => {
  test("best and bestMetric() rank trials by their last result, as Ray's get_best_result", async () => {
    const grid = await peaked()
    expect(grid.best.trialId).toBe(grid.trials[1]?.trialId)
    const last = grid.bestMetric()
    expect(last).toMatchObject({ scope: 'last', metric: 'loss', mode: 'min', value: 3 })
    expect(last.trial).toBe(grid.best)
    expect(last.result.trainingIteration).toBe(4)
  })

  test("bestMetric('all') gives the best value ever reported, the trial and the result it came from", async () => {
    const grid = await peaked()
    const ever = grid.bestMetric('all')
    expect(ever).toMatchObject({ scope: 'all', value: 1 })
    expect(ever.trial.trialId).toBe(grid.trials[0]?.trialId)
    expect(ever.result.trainingIteration).toBe(2)
    expect(grid.getBestResult('loss', 'min', 'all')).toBe(ever.trial)
    expect(grid.bestMetric('avg').value).toBe(3.25)
  })

  test('a trial whose last value is NaN has no last-result value (Ray skips it), but keeps its best ever', async () => {
    const result = await run(
      experiment('nan at the end')
        .space({ which: grid([0, 1]) })
        .metric('loss', 'min')
        .stop({ trainingIteration: 3 })
        .train(function* ({ config }) {
          for (const loss of config.which === 0 ? [0.1, 0.05, Number.NaN] : [0.9, 0.8, 0.7]) yield { loss }
        }),
    )
    expect(result.bestMetric().value).toBe(0.7)
    expect(result.bestMetric('all').value).toBe(0.05)
  })

  test('scopes have names for reports', () => {
    expect(scopeLabel('last')).toBe('last result')
    expect(scopeLabel('all')).toBe('best ever')
  })
})

describe('when no trial can be ranked, the error says why', () => {
  const failing = async (train: () => Iterable<Record<string, unknown>>) => {
    const grid = await run(experiment('unrankable').metric('accuracy', 'max').stop({ trainingIteration: 2 }).train(train))
    try {
      grid.bestMetric()
    } catch (error) {
      expect(error).toBeInstanceOf(RunError)
      expect((error as RunError).code).toBe('VITUNE_NO_BEST_TRIAL')
      return (error as Error).message
    }
    throw new Error('expected no best trial')
  }

  test('a metric the trainable never reports: the keys it did report', async () => {
    const message = await failing(function* () {
      for (;;) yield { acc: 0.9, loss: 0.1 }
    })
    expect(message).toBe(
      '[VITUNE_NO_BEST_TRIAL] experiment "unrankable": no result has the metric `accuracy`; the trainable reported only `acc`, `loss`. Report `accuracy` from the trainable, or name one of those in .metric().',
    )
  })

  test('only NaN or infinite values', async () => {
    const message = await failing(function* () {
      for (;;) yield { accuracy: Number.NaN }
    })
    expect(message).toContain('every reported `accuracy` is NaN or infinite (2 results)')
  })

  test('finite values, but none in a last result', async () => {
    let step = 0
    const message = await failing(function* () {
      for (;;) yield { accuracy: step++ === 0 ? 0.5 : Number.POSITIVE_INFINITY }
    })
    expect(message).toContain("no trial's last result has a finite `accuracy`")
    expect(message).toContain('bestMetric("all")')
  })
})
