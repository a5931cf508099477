/**
 * PB2 against PBT on the tutorial's quadratic toy (populations 2 and 4) and on the triangle-wave
 * toy, with the settings Ray's PB2 was run with on the same toy (issue 15): bounds lr
 * [0.005, 0.1], h0 and h1 [0, 1], perturbation interval 4, quantile 0.5, synchronous.
 */
import { trainQuadratic } from '../../examples/pbt-visualization/src/quadratic.js'
import { experiment, grid, qloguniform, sampleFrom, uniform } from '../lib/vitune.js'
import { QUADRATIC_ITERATIONS } from './quadratic.js'
import { TRIANGLE_STEPS, TRIANGLE_TARGET, trainTriangle } from './triangle.js'

const INTERVAL = 4
/** The tutorial's starting points, repeated to fill the population: h = [0, 1] and [1, 0], lr 0.05. */
const tutorialSpace = { lr: 0.05, h0: grid([0, 1]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0), checkpointInterval: INTERVAL }
const samplesFor = (population: number) => population / 2

/** PB2 with the tutorial's settings. */
export function quadraticPb2(population: number, seed: number) {
  return experiment(`quadratic: PB2, population ${population}, seed ${seed}`)
    .space(tutorialSpace)
    .pb2({ perturbationInterval: INTERVAL, quantileFraction: 0.5, synch: true, hyperparamBounds: { lr: [0.005, 0.1], h0: [0, 1], h1: [0, 1] } })
    .metric('Q', 'max')
    .stop({ trainingIteration: QUADRATIC_ITERATIONS })
    .samples(samplesFor(population))
    .seed(seed)
    .train(trainQuadratic)
}

/** PBT with the tutorial's settings, for the same populations. */
export function quadraticPbt(population: number, seed: number) {
  return experiment(`quadratic: PBT, population ${population}, seed ${seed}`)
    .space(tutorialSpace)
    .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    .pbt({ perturbationInterval: INTERVAL, quantileFraction: 0.5, resampleProbability: 0.5, synch: true })
    .metric('Q', 'max')
    .stop({ trainingIteration: QUADRATIC_ITERATIONS })
    .samples(samplesFor(population))
    .seed(seed)
    .train(trainQuadratic)
}

const triangleDone = (result: { readonly [key: string]: unknown; readonly trainingIteration: number }) =>
  (result.meanAccuracy as number) > TRIANGLE_TARGET || result.trainingIteration >= TRIANGLE_STEPS

/** PB2 on the triangle toy, with the PBT benchmark's settings and lr bounds. */
export function trianglePb2(population: number, seed: number) {
  return experiment(`triangle: PB2, population ${population}, seed ${seed}`)
    .space({ lr: uniform(1e-4, 0.02) })
    .pb2({ perturbationInterval: 4, quantileFraction: 0.25, synch: true, hyperparamBounds: { lr: [1e-4, 0.02] } })
    .metric('meanAccuracy', 'max')
    .stop(triangleDone)
    .samples(population)
    .seed(seed)
    .train(trainTriangle)
}
