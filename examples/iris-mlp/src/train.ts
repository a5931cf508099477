/**
 * The trainable, in a module of its own: named with trainable(import.meta.url, ...), so worker
 * threads import it from here (a closure cannot cross to them), and free of side effects besides
 * loading the data.
 */
import { type TrainContext, trainable, withCheckpoint } from '@vitune/dsl'
import { loadIris } from './data.js'
import { evaluate, initModel, type SgdSettings, trainEpoch } from './mlp.js'

const data = loadIris()
const shape = { inputs: 4, hidden: 8, outputs: 3 }

/** What a trial saves each epoch: weights, momentum buffers and the epoch reached. */
export interface IrisCheckpoint {
  readonly params: Float64Array
  readonly velocity: Float64Array
  readonly epoch: number
}

/** Trains one epoch per report; checkpoints weights and momentum so PBT can clone them (and a paused trial resume). */
export const trainIris = trainable(
  import.meta.url,
  'trainIris',
  async function* trainIris({ config, checkpoint, random }: TrainContext<SgdSettings, IrisCheckpoint>) {
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
  },
)
