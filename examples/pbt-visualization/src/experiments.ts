/**
 * The tutorial's three experiments, with the seed's settings. They run in the runner's thread
 * (`.workers(0)`): a step takes microseconds, less than a worker thread's message round trip, and
 * threads take a moment to start. trainQuadratic is named by module, so an executor passed to
 * run() can still put it on threads (test/workers.test.ts); iris-mlp trains on every core.
 */
import { experiment, type FloatDomain, grid, qloguniform, sampleFrom, uniform } from '@vitune/dsl'
import { trainQuadratic } from './quadratic.js'

const perturbationInterval = 4

/** Both PBT runs: they differ only in the initial learning rate and the grid of h0 (h1 = 1 - h0). */
function tutorialPbt(name: string, lr: number | FloatDomain, h0: readonly number[]) {
  return experiment(name)
    .space({
      lr,
      h0: grid(h0),
      h1: sampleFrom((c: { h0: number }) => 1 - c.h0),
      numTrainingIterations: 100,
      // Checkpoint at every perturbation, as the tutorial recommends.
      checkpointInterval: perturbationInterval,
    })
    .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    .pbt({ perturbationInterval, quantileFraction: 0.5, resampleProbability: 0.5, synch: true })
    .metric('Q', 'max')
    .stop({ trainingIteration: 100 })
    .failures({ maxFailures: 3 })
    .seed(1)
    .workers(0)
    .train(trainQuadratic)
}

/** PBT with two trials, h = [0, 1] and h = [1, 0], synchronous, as in the tutorial. */
export const pbt2 = tutorialPbt('toy quadratic, PBT, 2 trials', 0.05, [0, 1])

/** The grid-search baseline: the same two trials without PBT; each is stuck with its h. */
export const gridSearch = experiment('toy quadratic, grid search, 2 trials')
  .space({
    lr: qloguniform(1e-2, 1e-1, 5e-3),
    h0: grid([0, 1]),
    h1: sampleFrom((c: { h0: number }) => 1 - c.h0),
  })
  .metric('Q', 'max')
  .stop({ trainingIteration: 100 })
  .failures({ maxFailures: 3 })
  .seed(1)
  .workers(0)
  .train(trainQuadratic)

/** PBT with four trials: low performers now pick one of two donors. */
export const pbt4 = tutorialPbt('toy quadratic, PBT, 4 trials', qloguniform(5e-3, 1e-1, 5e-4), [0, 1, 0.01, 0.99])
