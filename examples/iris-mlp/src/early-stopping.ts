/** Many configurations of the iris MLP: FIFO trains every one for all epochs, ASHA and HyperBand stop the hopeless ones early. */
import { experiment, loguniform } from '@vitune/dsl'
import { trainIris } from './experiments.js'

/** Learning rates from hopelessly slow to unstable, and weight decays that may cripple the net. */
const space = { lr: loguniform(1e-4, 3), momentum: 0.9, weightDecay: loguniform(1e-6, 1e-1), batchSize: 16 }

/** Epochs a trial may train. */
export const EPOCHS = 36
/** Configurations drawn. */
export const CONFIGS = 32

const many = (name: string) =>
  experiment(name).space(space).metric('valLoss', 'min').stop({ trainingIteration: EPOCHS }).samples(CONFIGS).seed(7).train(trainIris)

/** Every configuration trained for every epoch. */
export const irisFifoMany = many('iris MLP, 32 configs, FIFO')

/** ASHA: rungs at 4, 12 and 36 epochs, each keeping the best third of the trials that reached it before. */
export const irisAsha = many('iris MLP, 32 configs, ASHA').asha({ maxT: EPOCHS, gracePeriod: 4, reductionFactor: 3 }).concurrency(4)

/** HyperBand: brackets of 4, 6, 12 and 27 trials halved at 1/3 of their milestones. */
export const irisHyperband = many('iris MLP, 32 configs, HyperBand').hyperband({ maxT: EPOCHS, reductionFactor: 3 }).concurrency(8)
