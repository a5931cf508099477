// Ray's "Visualizing Population Based Training" toy problem in both PBT modes: two trials, each
// stuck with a bad h on its own, reach the maximum of Q only by exploiting each other.
import { experiment, grid, qloguniform, sampleFrom, type TrainContext, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'

type Theta = [number, number]
interface QuadraticConfig {
  readonly lr: number
  readonly h0: number
  readonly h1: number
}
interface QuadraticCheckpoint {
  readonly theta: Theta
  readonly step: number
}

/** The true objective; its maximum 1.2 is at theta = [0, 0]. */
const Q = (theta: Theta) => 1.2 - ((3 / 4) * theta[0] ** 2 + theta[1] ** 2)

/** Gradient ascent on the surrogate 1.2 - (h0 theta0^2 + h1 theta1^2), with the tutorial's 3/4. */
async function* quadratic({ config, checkpoint }: TrainContext<QuadraticConfig, QuadraticCheckpoint>) {
  let theta: Theta = checkpoint === undefined ? [0.9, 0.9] : [...checkpoint.theta]
  let step = checkpoint === undefined ? 1 : checkpoint.step + 1
  for (; ; step++) {
    const grad: Theta = [-2 * config.h0 * theta[0] * (3 / 4), -2 * config.h1 * theta[1]]
    theta = [theta[0] + config.lr * grad[0], theta[1] + config.lr * grad[1]]
    const metrics = { Q: Q(theta), theta0: theta[0], theta1: theta[1] }
    yield step % 4 === 0 ? withCheckpoint(metrics, { theta, step }) : metrics
  }
}

const tutorial = (synch: boolean) =>
  experiment(`toy quadratic, PBT ${synch ? 'synchronous' : 'asynchronous'}`)
    .space({ lr: 0.05, h0: grid([0, 1]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0) })
    .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.5, resampleProbability: 0.5, synch })
    .metric('Q', 'max')
    .stop({ trainingIteration: 100 })
    .seed(1)
    .train(quadratic)

describe('the tutorial', () => {
  test.each([true, false])('PBT (synch %s) reaches Q >= 1.19, which neither fixed h can', async (synch) => {
    const results = await run(tutorial(synch))
    expect(results.best.metrics?.Q).toBeGreaterThanOrEqual(1.19)
    expect(results.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED'])
    expect(results.lineage.length).toBeGreaterThan(0)
    // Every exploit resumes from the donor's checkpoint, taken at a perturbation step.
    for (const event of results.lineage) expect(event.donorIteration % 4).toBe(0)
    // An exploited trial continues from the donor's trainingIteration, as in Ray.
    for (const trial of results.trials) {
      const restarts = trial.results.filter((r, i) => i > 0 && r.iterationsSinceRestore === 1).map((r) => r.trainingIteration - 1)
      expect(restarts).toEqual(trial.lineage.map((e) => e.donorIteration))
    }
  })

  test('without PBT each trial is stuck below 0.6', async () => {
    const results = await run(
      experiment('toy quadratic, grid')
        .space({ lr: 0.05, h0: grid([0, 1]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0) })
        .metric('Q', 'max')
        .stop({ trainingIteration: 100 })
        .train(quadratic),
    )
    expect(results.best.metrics?.Q).toBeLessThan(0.6)
  })

  test.each([true, false])('the same seed gives the same lineage and results, bit for bit (synch %s)', async (synch) => {
    const strip = (r: Awaited<ReturnType<typeof run>>) => ({
      lineage: r.lineage,
      q: r.trials.map((t) => t.results.map((x) => x.Q)),
    })
    expect(strip(await run(tutorial(synch)))).toEqual(strip(await run(tutorial(synch))))
  })
})
