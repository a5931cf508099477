// Ray's "Visualizing Population Based Training" tutorial as vitune experiments. Each experiment
// writes its artifacts and the tutorial's figures to results/<experiment>/ (see README).
import { tune } from '@vitune/vitest-plugin/test'
import { expect } from 'vitest'
import { gridSearch, pbt2, pbt4 } from './src/experiments.js'
import { writeTutorialFigures } from './src/figures.js'

const afterRun = {
  afterRun: (result: Parameters<typeof writeTutorialFigures>[0], { outDir }: { outDir: string | undefined }) => writeTutorialFigures(result, outDir),
}

tune(
  pbt2,
  (result) => {
    // Both trials reach the maximum of Q, 1.2, as in the tutorial's right-hand plot.
    expect(result.best.metrics?.Q).toBeGreaterThanOrEqual(1.19)
    expect(result).toReachMetric(1.19)
  },
  afterRun,
)

tune(
  gridSearch,
  (result) => {
    // Without PBT each trial is stuck with its fixed h and never reaches the optimum.
    expect(result.best.metrics?.Q).toBeLessThan(0.6)
  },
  afterRun,
)

tune(
  pbt4,
  (result) => {
    expect(result.best.metrics?.Q).toBeGreaterThanOrEqual(1.19)
  },
  afterRun,
)
