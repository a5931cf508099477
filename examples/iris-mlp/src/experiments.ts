/** PBT against random search with the same budget, tuning an MLP on iris. */
import { experiment, loguniform, type TrainContext, withCheckpoint } from '@vitune/dsl'
import { loadIris } from './data.js'
import { evaluate, initModel, type SgdSettings, trainEpoch } from './mlp.js'

const data = loadIris()
const shape = { inputs: 4, hidden: 8, outputs: 3 }

export interface IrisCheckpoint {
  readonly params: Float64Array
  readonly velocity: Float64Array
  readonly epoch: number
}

/** Trains one epoch per report; checkpoints weights and momentum so PBT can clone them (and a paused trial resume). */
export async function* trainIris({ config, checkpoint, random }: TrainContext<SgdSettings, IrisCheckpoint>) {
  const model = checkpoint === undefined ? initModel(shape, random) : { shape, params: Float64Array.from(checkpoint.params) }
  const velocity = checkpoint === undefined ? new Float64Array(model.params.length) : Float64Array.from(checkpoint.velocity)
  for (let epoch = (checkpoint?.epoch ?? 0) + 1; ; epoch++) {
    trainEpoch(model, velocity, data.train, config, random)
    const train = evaluate(model, data.train)
    const validation = evaluate(model, data.validation)
    const metrics = { valLoss: validation.loss, valAccuracy: validation.accuracy, trainLoss: train.loss, epoch }
    const state: IrisCheckpoint = { params: model.params, velocity, epoch }
    yield withCheckpoint(metrics, state)
  }
}

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
