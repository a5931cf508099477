/**
 * Ray's and Syne Tune's triangle-wave toy (`pbt_function`), written from its description: accuracy
 * grows fastest when lr is near an optimal lr that rises from 0.001 to 0.01 as accuracy goes from 0
 * to 100 and falls back to 0.001 at 200; an lr more than 3 times too large loses accuracy; every
 * step adds Gaussian noise (sigma 2). A trial is done when accuracy exceeds 200.
 */
import { experiment, type TrainContext, uniform, withCheckpoint } from '../lib/vitune.js'

/** Accuracy above this ends a trial (Ray's `done`). */
export const TRIANGLE_TARGET = 200
/** Steps per trial at most (reference/peers.md §2.4 uses 400). */
export const TRIANGLE_STEPS = 400

const MIDPOINT = 100
const Q_TOLERANCE = 3
const NOISE = 2

/** The optimal lr at this accuracy: the triangle wave, clamped to [0.001, 0.01]. */
export function optimalLr(accuracy: number): number {
  const peak = accuracy < MIDPOINT ? (0.01 * accuracy) / MIDPOINT : 0.01 - (0.01 * (accuracy - MIDPOINT)) / MIDPOINT
  return Math.min(0.01, Math.max(0.001, peak))
}

/** The trainable: one step per report, checkpointing its accuracy every step. */
export function* trainTriangle({ config, checkpoint, random }: TrainContext<{ readonly lr: number }, { readonly accuracy: number }>) {
  const lr = config.lr
  let accuracy = checkpoint?.accuracy ?? 0
  // Box-Muller on the trial's seeded stream.
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  for (;;) {
    const optimal = optimalLr(accuracy)
    const qErr = Math.max(lr, optimal) / Math.min(lr, optimal)
    if (qErr < Q_TOLERANCE) accuracy += (1 / qErr) * random()
    else if (lr > optimal) accuracy -= (qErr - Q_TOLERANCE) * random()
    accuracy = Math.max(0, accuracy + NOISE * gaussian())
    yield withCheckpoint({ meanAccuracy: accuracy, lr, optimalLr: optimal, qErr }, { accuracy })
  }
}

const done = (result: { readonly [key: string]: unknown; readonly trainingIteration: number }) =>
  (result.meanAccuracy as number) > TRIANGLE_TARGET || result.trainingIteration >= TRIANGLE_STEPS

/** Synchronous PBT as in reference/peers.md §2.4: every 4 steps, quantile 0.25, resample 0.25, lr ~ U(1e-4, 0.02). */
export function trianglePbt(population: number, seed: number) {
  return experiment(`triangle: PBT, population ${population}, seed ${seed}`)
    .space({ lr: uniform(1e-4, 0.02) })
    .mutate({ lr: uniform(1e-4, 0.02) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.25, resampleProbability: 0.25, synch: true })
    .metric('meanAccuracy', 'max')
    .stop(done)
    .samples(population)
    .seed(seed)
    .train(trainTriangle)
}

/** The baseline without PBT: the same initial lr draws, kept for the whole run. */
export function triangleFixed(population: number, seed: number) {
  return experiment(`triangle: no PBT, population ${population}, seed ${seed}`)
    .space({ lr: uniform(1e-4, 0.02) })
    .metric('meanAccuracy', 'max')
    .stop(done)
    .samples(population)
    .seed(seed)
    .train(trainTriangle)
}
