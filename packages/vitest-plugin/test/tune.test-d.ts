import { experiment, uniform } from '@vitune/dsl'
import type { ResultGrid } from '@vitune/runtime'
import { expect, expectTypeOf, test } from 'vitest'
import { tune } from '../src/test/tune.js'
import '../src/test/matchers.js'

const climb = experiment('types')
  .space({ lr: uniform(0.01, 0.5) })
  .metric('score', 'max')
  .train(function* ({ config }) {
    yield { score: config.lr, x: 1 }
  })

test('assertions may be written as expressions: a matcher call is a valid callback body (the docs write it so)', () => {
  tune(climb, (result) => expect(result).toReachMetric(0.05), {})
  tune(climb, {
    converges: (result) => expect(result).toReachMetric(0.05),
    exploits: (result) => expect(result).toHaveExploits({ atLeast: 1 }),
    'best value': (result) => expect(result.best.metrics?.score).toBeGreaterThan(0),
    async: async (result) => {
      await Promise.resolve()
      expect(result).toReachMetric(0.05, { metric: 'x' })
    },
  })
  // Any return value is fine: tune() awaits it and ignores what it resolves to.
  tune(climb, (result) => result.best)
})

declare const result: ResultGrid<{ lr: number }, { score: number; x: number }>

test("vitune's matchers return what Vitest's own matchers return, not the received value", () => {
  expectTypeOf(expect(result).toReachMetric(0.05)).toEqualTypeOf(expect(1).toBe(1))
  expectTypeOf(expect(result).toHaveExploits()).toEqualTypeOf(expect(1).toBe(1))
})

test("afterRun gets the experiment's typed result grid and may return anything", () => {
  tune(climb, undefined, {
    afterRun: (grid, { outDir }) => {
      expectTypeOf(grid.best.config).toEqualTypeOf<{ lr: number }>()
      expectTypeOf(outDir).toEqualTypeOf<string | undefined>()
      return grid.trials.length
    },
  })
})
