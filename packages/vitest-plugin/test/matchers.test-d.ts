import type { ResultGrid } from '@vitune/runtime'
import { expect, test } from 'vitest'
import '../src/test/matchers.js'

declare const grid: ResultGrid<{ lr: number }, { Q: number; theta0: number }>

test('toReachMetric takes only metric names the trainable reports', () => {
  expect(grid).toReachMetric(1.19, { metric: 'Q', within: 100 })
  expect(grid).toReachMetric(0, { metric: 'theta0', everyTrial: true })
  // @ts-expect-error not a metric of this experiment
  expect(grid).toReachMetric(1, { metric: 'loss' })
  // @ts-expect-error the target is a number
  expect(grid).toReachMetric('1.19')
  expect(grid).toHaveExploits({ atLeast: 2 })
})
