// PBT on the noisy quadratic, population 8. The same file runs on this machine (`npx vitune run`)
// or on a fleet of workers (`VITUNE_REDIS_URL=redis://127.0.0.1:6390 npx vitune run`), with the same
// results for its seed: see ../../docs/distributed.md.
import { experiment, grid, qloguniform, uniform } from '@vitune/dsl'
import { tune } from '@vitune/vitest-plugin/test'
import { expect } from 'vitest'
import { noisyQuadratic } from './src/noisy-quadratic.js'

const fleetPbt = experiment('noisy quadratic, PBT, 8 trials')
  .space({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: grid([0, 0.25, 0.75, 1]), h1: uniform(0, 1), samples: 10_000 })
  .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
  .pbt({ perturbationInterval: 4, quantileFraction: 0.25, resampleProbability: 0.25, synch: true })
  .metric('Q', 'max')
  .stop({ trainingIteration: 32 })
  .samples(2)
  .seed(3)
  .train(noisyQuadratic)

tune(fleetPbt, (result) => {
  expect(result).toReachMetric(1.15)
})
