// A real training task: PBT tunes the learning schedule of a small neural network on iris and is
// checked against random search with the same population, epochs and initial draws.
import { tune } from '@vitune/vitest-plugin/test'
import { expect } from 'vitest'
import { irisPbt, irisRandom } from './src/experiments.js'

let randomSearchLoss = Number.POSITIVE_INFINITY

tune(irisRandom, (result) => {
  randomSearchLoss = result.best.metrics?.valLoss ?? Number.POSITIVE_INFINITY
  expect(result.best.metrics?.valAccuracy).toBeGreaterThanOrEqual(0.9)
})

tune(irisPbt, {
  'classifies the validation set': (result) => {
    expect(result.best.metrics?.valAccuracy).toBeGreaterThanOrEqual(0.96)
  },
  'beats random search with the same budget': (result) => {
    expect(result.best.metrics?.valLoss).toBeLessThan(randomSearchLoss)
  },
})
