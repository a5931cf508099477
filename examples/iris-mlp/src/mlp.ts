/**
 * A one-hidden-layer neural network (tanh, softmax) trained with mini-batch SGD, momentum and L2
 * weight decay: a real, if small, training loop whose hyperparameters matter.
 */
import type { Split } from './data.js'

/** Layer sizes. */
export interface Shape {
  readonly inputs: number
  readonly hidden: number
  readonly outputs: number
}

/** All weights in one array (W1, b1, W2, b2), so a checkpoint is one structured-cloneable value. */
export interface Model {
  readonly shape: Shape
  readonly params: Float64Array
}

const sizes = (s: Shape) => ({ w1: s.inputs * s.hidden, b1: s.hidden, w2: s.hidden * s.outputs, b2: s.outputs })

/** Xavier-style initialisation from the trial's seeded stream. */
export function initModel(shape: Shape, random: () => number): Model {
  const n = sizes(shape)
  const params = new Float64Array(n.w1 + n.b1 + n.w2 + n.b2)
  const fill = (offset: number, count: number, fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut))
    for (let i = 0; i < count; i++) params[offset + i] = (random() * 2 - 1) * limit
  }
  fill(0, n.w1, shape.inputs, shape.hidden)
  fill(n.w1 + n.b1, n.w2, shape.hidden, shape.outputs)
  return { shape, params }
}

function forward(model: Model, x: Float64Array, hidden: Float64Array, probs: Float64Array): void {
  const { inputs, outputs } = model.shape
  const h = model.shape.hidden
  const p = model.params
  const n = sizes(model.shape)
  for (let j = 0; j < h; j++) {
    let z = p[n.w1 + j] as number
    for (let i = 0; i < inputs; i++) z += (p[i * h + j] as number) * (x[i] as number)
    hidden[j] = Math.tanh(z)
  }
  let max = Number.NEGATIVE_INFINITY
  const o2 = n.w1 + n.b1
  for (let k = 0; k < outputs; k++) {
    let z = p[o2 + n.w2 + k] as number
    for (let j = 0; j < h; j++) z += (p[o2 + j * outputs + k] as number) * (hidden[j] as number)
    probs[k] = z
    if (z > max) max = z
  }
  let sum = 0
  for (let k = 0; k < outputs; k++) {
    probs[k] = Math.exp((probs[k] as number) - max)
    sum += probs[k] as number
  }
  for (let k = 0; k < outputs; k++) probs[k] = (probs[k] as number) / sum
}

/** Mean cross-entropy and accuracy on a split. */
export function evaluate(model: Model, data: Split): { readonly loss: number; readonly accuracy: number } {
  const hidden = new Float64Array(model.shape.hidden)
  const probs = new Float64Array(model.shape.outputs)
  let loss = 0
  let correct = 0
  data.x.forEach((x, s) => {
    forward(model, x, hidden, probs)
    const label = data.y[s] as number
    loss -= Math.log(Math.max(1e-12, probs[label] as number))
    let argmax = 0
    for (let k = 1; k < probs.length; k++) if ((probs[k] as number) > (probs[argmax] as number)) argmax = k
    if (argmax === label) correct++
  })
  return { loss: loss / data.x.length, accuracy: correct / data.x.length }
}

/** Optimiser settings: the hyperparameters PBT tunes. */
export interface SgdSettings {
  readonly lr: number
  readonly momentum: number
  readonly weightDecay: number
  readonly batchSize: number
}

/** One epoch of mini-batch SGD with momentum, in a seeded sample order. Updates `model` and `velocity` in place. */
export function trainEpoch(model: Model, velocity: Float64Array, data: Split, settings: SgdSettings, random: () => number): void {
  const { inputs, outputs } = model.shape
  const h = model.shape.hidden
  const n = sizes(model.shape)
  const o2 = n.w1 + n.b1
  const p = model.params
  const grad = new Float64Array(p.length)
  const hidden = new Float64Array(h)
  const probs = new Float64Array(outputs)
  const delta = new Float64Array(h)
  const order = data.x.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j] as number, order[i] as number]
  }
  for (let start = 0; start < order.length; start += settings.batchSize) {
    const batch = order.slice(start, start + settings.batchSize)
    grad.fill(0)
    for (const s of batch) {
      const x = data.x[s] as Float64Array
      forward(model, x, hidden, probs)
      delta.fill(0)
      for (let k = 0; k < outputs; k++) {
        const d = (probs[k] as number) - (k === data.y[s] ? 1 : 0)
        grad[o2 + n.w2 + k] = (grad[o2 + n.w2 + k] as number) + d
        for (let j = 0; j < h; j++) {
          grad[o2 + j * outputs + k] = (grad[o2 + j * outputs + k] as number) + d * (hidden[j] as number)
          delta[j] = (delta[j] as number) + d * (p[o2 + j * outputs + k] as number)
        }
      }
      for (let j = 0; j < h; j++) {
        const dz = (delta[j] as number) * (1 - (hidden[j] as number) ** 2)
        grad[n.w1 + j] = (grad[n.w1 + j] as number) + dz
        for (let i = 0; i < inputs; i++) grad[i * h + j] = (grad[i * h + j] as number) + dz * (x[i] as number)
      }
    }
    for (let i = 0; i < p.length; i++) {
      const g = (grad[i] as number) / batch.length + settings.weightDecay * (p[i] as number)
      velocity[i] = settings.momentum * (velocity[i] as number) - settings.lr * g
      p[i] = (p[i] as number) + (velocity[i] as number)
    }
  }
}
