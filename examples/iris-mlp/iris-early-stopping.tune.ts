// Where early stopping earns its keep: 32 configurations of the iris MLP, many of them hopeless.
// FIFO trains all of them for every epoch; ASHA and HyperBand stop the hopeless ones at their
// rungs and find a model as good for a fraction of the epochs.
import { tune } from '@vitune/vitest-plugin/test'
import { expect } from 'vitest'
import { CONFIGS, EPOCHS, irisAsha, irisFifoMany, irisHyperband } from './src/early-stopping.js'

/** Epochs trained over all trials: the cost of the search. */
const epochs = (result: { readonly trials: readonly { readonly results: readonly unknown[] }[] }) => result.trials.reduce((n, t) => n + t.results.length, 0)

let fifoLoss = Number.NaN

tune(irisFifoMany, (result) => {
  expect(epochs(result)).toBe(CONFIGS * EPOCHS)
  fifoLoss = result.best.metrics?.valLoss ?? Number.NaN
  expect(result.best.metrics?.valAccuracy).toBeGreaterThanOrEqual(0.96)
})

tune(irisAsha, {
  'finds a model as good as FIFO': (result) => {
    expect(result.best.metrics?.valAccuracy).toBeGreaterThanOrEqual(0.96)
    expect(result.best.metrics?.valLoss).toBeLessThanOrEqual(fifoLoss * 1.05)
  },
  'for at most 40 % of the epochs': (result) => {
    expect(epochs(result)).toBeLessThanOrEqual(0.4 * CONFIGS * EPOCHS)
  },
})

tune(irisHyperband, {
  'finds a model as good as FIFO': (result) => {
    expect(result.best.metrics?.valAccuracy).toBeGreaterThanOrEqual(0.96)
    expect(result.best.metrics?.valLoss).toBeLessThanOrEqual(fifoLoss * 1.05)
  },
  'for at most 45 % of the epochs': (result) => {
    expect(epochs(result)).toBeLessThanOrEqual(0.45 * CONFIGS * EPOCHS)
  },
})
