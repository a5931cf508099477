// Ray's "Visualizing Population Based Training" tutorial as vitune experiments.
import { tune } from '@vitune/vitest-plugin/test'
import { expect } from 'vitest'
import { gridSearch, pbt2, pbt4 } from './src/experiments.js'

tune(pbt2, (result) => {
  // Both trials reach the maximum of Q, 1.2, as in the tutorial's right-hand plot.
  expect(result.best.metrics?.Q).toBeGreaterThanOrEqual(1.19)
  expect(result).toReachMetric(1.19)
})

tune(gridSearch, (result) => {
  // Without PBT each trial is stuck with its fixed h and never reaches the optimum.
  expect(result.best.metrics?.Q).toBeLessThan(0.6)
})

tune(pbt4, (result) => {
  expect(result.best.metrics?.Q).toBeGreaterThanOrEqual(1.19)
})
