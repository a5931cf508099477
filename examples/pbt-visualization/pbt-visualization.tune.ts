// Ray's "Visualizing Population Based Training" tutorial as vitune experiments. Each experiment
// writes its artifacts and the tutorial's figures to results/<experiment>/ (see README). `schedule`
// holds the best trial's tuned schedule, written by `vitune run`; a plain `vitest run` replays it as
// one trial and runs the same assertions. The toy is deterministic, so the replay reaches the
// tuned Q exactly (`deterministic: true` checks it).
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
  {
    ...afterRun,
    schedule: {
      seed: 1,
      reached: { Q: 1.1999999641562835, trainingIteration: 100 },
      initialConfig: { lr: 0.05, h0: 0, h1: 1, numTrainingIterations: 100, checkpointInterval: 4 },
      changes: [
        { trainingIteration: 12, config: { lr: 0.008, h0: 0.9394277810726905, h1: 0.25642842132066357 } },
        { trainingIteration: 20, config: { lr: 0.0095, h0: 1, h1: 0.5566036384401305 } },
        { trainingIteration: 36, config: { lr: 0.019, h1: 0.4452829107521044 } },
        { trainingIteration: 44, config: { lr: 0.055, h0: 0.8, h1: 0.5343394929025252 } },
        { trainingIteration: 48, config: { lr: 0.0975, h0: 0.96, h1: 0.6412073914830303 } },
      ],
      fingerprint: { space: '7ab502ae', mutations: 'a45b85ab', metric: '6badf101', stop: '1373872b', trainable: 'ddba4613' },
    },
    deterministic: true,
  },
)

tune(
  gridSearch,
  (result) => {
    // Without PBT each trial is stuck with its fixed h and never reaches the optimum.
    expect(result.best.metrics?.Q).toBeLessThan(0.6)
  },
  {
    ...afterRun,
    schedule: {
      seed: 1,
      reached: { Q: 0.5924999536499199, trainingIteration: 100 },
      initialConfig: { lr: 0.04, h0: 0, h1: 1 },
      changes: [],
      fingerprint: { space: '9b2b0a24', mutations: '12fd4337', metric: '6badf101', stop: '1373872b', trainable: 'ddba4613' },
    },
    deterministic: true,
  },
)

tune(
  pbt4,
  (result) => {
    expect(result.best.metrics?.Q).toBeGreaterThanOrEqual(1.19)
  },
  {
    ...afterRun,
    schedule: {
      seed: 1,
      reached: { Q: 1.1999969192685753, trainingIteration: 100 },
      initialConfig: { lr: 0.031, h0: 0, h1: 1, numTrainingIterations: 100, checkpointInterval: 4 },
      changes: [
        { trainingIteration: 16, config: { lr: 0.025, h0: 0.7381574991633676, h1: 0.04780742876886923 } },
        { trainingIteration: 32, config: { lr: 0.02, h0: 0.590525999330694, h1: 0.6552047469605647 } },
        { trainingIteration: 36, config: { lr: 0.024, h0: 0.5857736254898355, h1: 0.954126321317614 } },
        { trainingIteration: 40, config: { lr: 0.0605, h0: 0.545544491907609, h1: 1 } },
        { trainingIteration: 44, config: { lr: 0.0725, h0: 0.4264685997808172 } },
        { trainingIteration: 48, config: { lr: 0.0655, h0: 0.9082102218042761, h1: 0.8196533399484462 } },
        { trainingIteration: 92, config: { lr: 0.0785, h0: 1, h1: 0.32669728921197627 } },
      ],
      fingerprint: { space: '32ba66a7', mutations: 'a45b85ab', metric: '6badf101', stop: '1373872b', trainable: 'ddba4613' },
    },
    deterministic: true,
  },
)
