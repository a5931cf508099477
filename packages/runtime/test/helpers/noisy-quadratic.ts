import { experiment, grid, qloguniform, sampleFrom, uniform, withCheckpoint } from '@vitune/dsl'

/** The tutorial's toy quadratic with seeded noise: checkpoints every 4 steps, draws from the trial's `random`. */
export interface QuadraticCheckpoint {
  readonly theta: readonly [number, number]
  readonly step: number
}

/** Synchronous PBT over four trials; failures injected with probability `failRate` per step. */
export function noisyQuadratic(name: string, options: { iterations?: number; failRate?: number; maxFailures?: number; synch?: boolean } = {}) {
  const { iterations = 40, failRate = 0, maxFailures = 0, synch = true } = options
  return experiment(name)
    .space({ lr: 0.05, h0: grid([0, 1, 0.01, 0.99]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0) })
    .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.5, resampleProbability: 0.5, synch })
    .metric('Q', 'max')
    .stop({ trainingIteration: iterations })
    .failures({ maxFailures })
    .seed(7)
    .train(async function* ({ config, checkpoint, random }) {
      const saved = checkpoint as QuadraticCheckpoint | undefined
      let [t0, t1] = saved?.theta ?? [0.9, 0.9]
      let step = saved === undefined ? 1 : saved.step + 1
      for (;;) {
        if (random() < failRate) throw new Error(`injected failure at step ${step}`)
        t0 += config.lr * -2 * config.h0 * t0 * 0.75 + 0.01 * (random() - 0.5)
        t1 += config.lr * -2 * config.h1 * t1 + 0.01 * (random() - 0.5)
        const Q = 1.2 - (0.75 * t0 ** 2 + t1 ** 2)
        const metrics = { Q, theta0: t0, theta1: t1, step }
        if (step % 4 === 0) yield withCheckpoint(metrics, { theta: [t0, t1], step } satisfies QuadraticCheckpoint)
        else yield metrics
        step++
      }
    })
}

/** Everything a run produced that must not depend on timing, as comparable JSON. */
export function comparable(grid: { trials: readonly unknown[]; lineage: readonly unknown[]; policyLog: readonly unknown[]; schedulerStats: unknown }): string {
  return JSON.stringify({ trials: grid.trials, lineage: grid.lineage, policyLog: grid.policyLog, stats: grid.schedulerStats }, (key, value: unknown) =>
    key === 'stack' || key === 'error' ? undefined : value,
  )
}
