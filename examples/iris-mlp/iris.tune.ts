// A real training task: PBT tunes the learning schedule of a small neural network on iris and is
// checked against random search with the same population, epochs and initial draws. `schedule`
// holds each best trial's tuned schedule (written by `vitune run`), which a plain `vitest run`
// replays as one 40-epoch training run. The replay draws its weights and batches from its own
// random stream, not the tuned trials' (see docs/guide.md), so it is not bit for bit the tuned
// trial: the assertions, not exact equality, decide.
import { tune } from '@vitune/vitest-plugin/test'
import { expect } from 'vitest'
import { irisPbt, irisRandom } from './src/experiments.js'

let randomSearchLoss = Number.POSITIVE_INFINITY

tune(
  irisRandom,
  (result) => {
    randomSearchLoss = result.best.metrics?.valLoss ?? Number.POSITIVE_INFINITY
    expect(result.best.metrics?.valAccuracy).toBeGreaterThanOrEqual(0.9)
  },
  {
    schedule: {
      seed: 11,
      reached: { valLoss: 0.07775178649998929, trainingIteration: 40 },
      initialConfig: { lr: 0.020663109986949427, momentum: 0.9, weightDecay: 0.00043675377041525824, batchSize: 16 },
      changes: [],
      fingerprint: { space: 'e460f040', mutations: '12fd4337', metric: 'f4be655a', stop: 'aa59a3c4', trainable: '5479bd18' },
    },
  },
)

tune(
  irisPbt,
  {
    'classifies the validation set': (result) => {
      expect(result.best.metrics?.valAccuracy).toBeGreaterThanOrEqual(0.96)
    },
    'beats random search with the same budget': (result) => {
      expect(result.best.metrics?.valLoss).toBeLessThan(randomSearchLoss)
    },
  },
  {
    schedule: {
      seed: 11,
      reached: { valLoss: 0.05077863915501024, trainingIteration: 40 },
      initialConfig: { lr: 0.020663109986949427, momentum: 0.9, weightDecay: 0.00043675377041525824, batchSize: 16 },
      changes: [{ trainingIteration: 8, config: { lr: 0.024795731984339313, momentum: 0.95, weightDecay: 0.0005241045244983099, batchSize: 8 } }],
      fingerprint: { space: 'e460f040', mutations: 'b1501296', metric: 'f4be655a', stop: 'aa59a3c4', trainable: '5479bd18' },
    },
  },
)
