// Module trainables for the fleet benchmark: worker processes import them from here.
import { trainable, withCheckpoint } from '@vitune/dsl'
import { loadIris } from '../../examples/iris-mlp/src/data.js'
import { evaluate, initModel, type SgdSettings, trainEpoch } from '../../examples/iris-mlp/src/mlp.js'

/** Reports at once, forever: `{ i }`, with a checkpoint of `bytes` bytes when `bytes` > 0. What a report costs, and nothing else. */
export const ticks = trainable(import.meta.url, 'ticks', async function* ({ config }: { config: { bytes: number } }) {
  const state = config.bytes > 0 ? new Uint8Array(config.bytes).fill(7) : undefined
  for (let i = 1; ; i++) yield state === undefined ? { i } : withCheckpoint({ i }, { state })
})

const data = loadIris()
const shape = { inputs: 4, hidden: 8, outputs: 3 }

interface IrisCheckpoint {
  readonly params: Float64Array
  readonly velocity: Float64Array
  readonly epoch: number
}

/** The iris example's trainable, with `epochsPerReport` epochs per report: a CPU-bound step of chosen size. */
export const irisEpochs = trainable(
  import.meta.url,
  'irisEpochs',
  async function* ({
    config,
    checkpoint,
    random,
  }: {
    config: SgdSettings & { epochsPerReport: number }
    checkpoint: IrisCheckpoint | undefined
    random: () => number
  }) {
    const model = checkpoint === undefined ? initModel(shape, random) : { shape, params: Float64Array.from(checkpoint.params) }
    const velocity = checkpoint === undefined ? new Float64Array(model.params.length) : Float64Array.from(checkpoint.velocity)
    for (let epoch = (checkpoint?.epoch ?? 0) + 1; ; epoch++) {
      for (let e = 0; e < config.epochsPerReport; e++) trainEpoch(model, velocity, data.train, config, random)
      const validation = evaluate(model, data.validation)
      yield withCheckpoint({ valLoss: validation.loss, valAccuracy: validation.accuracy, epoch }, { params: model.params, velocity, epoch })
    }
  },
)

/** Waits `stepMs` per report (no CPU): a step of known length, to see what the fleet adds at scale. */
export const sleepy = trainable(import.meta.url, 'sleepy', async function* ({ config }: { config: { stepMs: number } }) {
  for (let i = 1; ; i++) {
    await new Promise((resolve) => setTimeout(resolve, config.stepMs))
    yield { i }
  }
})
