/**
 * The tutorial's toy (PBT paper, Figure 2) under the six methods the benchmark compares: PBT
 * synchronous and asynchronous, grid search, random search, explore-only and exploit-only. Every
 * method runs a population of two trials for 100 iterations with the tutorial's settings; only
 * the seed changes between runs.
 */
import { gradQhat, initTheta, Q, type QuadraticConfig, trainQuadratic } from '../../examples/pbt-visualization/src/quadratic.js'
import { type Config, experiment, explore, grid, qloguniform, type RandomStream, sampleFrom, type TrainContext, uniform } from '../lib/vitune.js'

/** The tutorial's perturbation interval, also its checkpoint interval. */
const INTERVAL = 4
/** Iterations per trial, as in the tutorial. */
export const QUADRATIC_ITERATIONS = 100
/** The tutorial's `hyperparam_mutations`. */
const mutations = { lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) }
/** The tutorial's PBT settings. */
const pbtOptions = { perturbationInterval: INTERVAL, quantileFraction: 0.5, resampleProbability: 0.5 } as const
/** The tutorial's two starting points: h = [0, 1] and h = [1, 0], lr 0.05. */
const tutorialSpace = { lr: 0.05, h0: grid([0, 1]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0), checkpointInterval: INTERVAL }

/**
 * Explore without exploit: every INTERVAL steps a trial perturbs its own h and lr with PBT's
 * explore step (same mutations, factors and resample probability) and keeps its own theta.
 */
export function* trainExploreOnly({ config, random }: TrainContext<QuadraticConfig, never>) {
  const stream: RandomStream = { next: random, state: () => ({}) }
  let current: Config = { ...config }
  let theta = initTheta()
  for (let step = 1; ; step++) {
    const lr = current.lr as number
    const h: [number, number] = [current.h0 as number, current.h1 as number]
    const grad = gradQhat(theta, h)
    theta = [theta[0] + lr * grad[0], theta[1] + lr * grad[1]]
    yield { Q: Q(theta), theta0: theta[0], theta1: theta[1], h0: h[0], h1: h[1] }
    if (step % INTERVAL === 0) {
      current = explore(
        current,
        mutations,
        { resampleProbability: pbtOptions.resampleProbability, perturbationFactors: [1.2, 0.8], keepInBounds: true },
        stream,
      ).config
    }
  }
}

/** The compared methods, each a function from a seed to an experiment. */
export const quadraticMethods = {
  'PBT, synchronous': (seed: number) =>
    experiment(`quadratic: PBT sync, seed ${seed}`)
      .space(tutorialSpace)
      .mutate(mutations)
      .pbt({ ...pbtOptions, synch: true })
      .metric('Q', 'max')
      .stop({ trainingIteration: QUADRATIC_ITERATIONS })
      .seed(seed)
      .train(trainQuadratic),
  'PBT, asynchronous': (seed: number) =>
    experiment(`quadratic: PBT async, seed ${seed}`)
      .space(tutorialSpace)
      .mutate(mutations)
      .pbt({ ...pbtOptions, synch: false })
      .metric('Q', 'max')
      .stop({ trainingIteration: QUADRATIC_ITERATIONS })
      .seed(seed)
      .train(trainQuadratic),
  // The tutorial's baseline: the two fixed h, lr drawn per trial.
  'grid search': (seed: number) =>
    experiment(`quadratic: grid, seed ${seed}`)
      .space({ lr: qloguniform(1e-2, 1e-1, 5e-3), h0: grid([0, 1]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0) })
      .metric('Q', 'max')
      .stop({ trainingIteration: QUADRATIC_ITERATIONS })
      .seed(seed)
      .train(trainQuadratic),
  // Two trials with lr, h0 and h1 drawn from the mutation domains, fixed for the whole run.
  'random search': (seed: number) =>
    experiment(`quadratic: random, seed ${seed}`)
      .space(mutations)
      .samples(2)
      .metric('Q', 'max')
      .stop({ trainingIteration: QUADRATIC_ITERATIONS })
      .seed(seed)
      .train(trainQuadratic),
  'explore only': (seed: number) =>
    experiment(`quadratic: explore only, seed ${seed}`)
      .space(tutorialSpace)
      .metric('Q', 'max')
      .stop({ trainingIteration: QUADRATIC_ITERATIONS })
      .seed(seed)
      .train(trainExploreOnly),
  // PBT whose explore step changes nothing: the worse trial copies theta and h of the better one.
  'exploit only': (seed: number) =>
    experiment(`quadratic: exploit only, seed ${seed}`)
      .space(tutorialSpace)
      .pbt({ ...pbtOptions, synch: true, customExplore: (config) => config })
      .metric('Q', 'max')
      .stop({ trainingIteration: QUADRATIC_ITERATIONS })
      .seed(seed)
      .train(trainQuadratic),
} as const

/** Names of the methods compared on the quadratic toy. */
export type QuadraticMethod = keyof typeof quadraticMethods
