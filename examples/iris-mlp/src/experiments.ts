/**
 * PBT against random search with the same budget, tuning an MLP on iris. The trainable lives in
 * its own module (train.ts), named with trainable(), so each trial trains on a worker thread: by
 * default one thread per core.
 */
import { experiment, loguniform } from '@vitune/dsl'
import { trainIris } from './train.js'

export { type IrisCheckpoint, trainIris } from './train.js'

// Learning rates from hopelessly slow to unstable: where a run starts matters, and PBT can move.
const space = {
  lr: loguniform(1e-4, 3),
  momentum: 0.9,
  weightDecay: loguniform(1e-6, 1e-2),
  batchSize: 16,
}

const epochs = 40
const population = 8

/** Population Based Training: every 4 epochs the worst quarter clones the best quarter. */
export const irisPbt = experiment('iris MLP, PBT')
  .space(space)
  .mutate({ lr: loguniform(1e-4, 3), momentum: [0.5, 0.8, 0.9, 0.95], weightDecay: loguniform(1e-6, 1e-2), batchSize: [8, 16, 32] })
  .pbt({ perturbationInterval: 4, quantileFraction: 0.25, synch: true })
  .metric('valLoss', 'min')
  .stop({ trainingIteration: epochs })
  .samples(population)
  .seed(11)
  .train(trainIris)

/** Random search with the same population and epochs, and the same initial draws. */
export const irisRandom = experiment('iris MLP, random search')
  .space(space)
  .metric('valLoss', 'min')
  .stop({ trainingIteration: epochs })
  .samples(population)
  .seed(11)
  .train(trainIris)
