/**
 * The workloads the timing benchmarks share: a trainable that does nothing but report, the
 * experiments that run it, and a bare loop that pulls the same trainable with no runtime at all.
 */
import { experiment, type TrainContext, uniform, withCheckpoint } from './vitune.js'

/** How often the report-only trainable checkpoints, and how often PBT perturbs. */
export const INTERVAL = 4

interface NoopConfig {
  readonly x: number
}

/** Reports `score = x * step`, with a tiny checkpoint every INTERVAL steps; no work besides. */
export function* reportOnly({ config }: Pick<TrainContext<NoopConfig, { step: number }>, 'config' | 'checkpoint'>) {
  let step = 0
  for (;;) {
    step++
    const metrics = { score: config.x * step }
    yield step % INTERVAL === 0 ? withCheckpoint(metrics, { step }) : metrics
  }
}

/** PBT over `population` report-only trials, each stopped after `iterations` results. */
export function pbtExperiment(population: number, iterations: number, synch: boolean) {
  return experiment(`overhead, ${synch ? 'sync' : 'async'} PBT, population ${population}`)
    .space({ x: uniform(0, 1) })
    .mutate({ x: uniform(0, 1) })
    .pbt({ perturbationInterval: INTERVAL, synch })
    .metric('score', 'max')
    .stop({ trainingIteration: iterations })
    .samples(population)
    .seed(1)
    .train(reportOnly)
}

/**
 * The baseline: the same generators pulled round-robin, the same number of results, nothing else.
 * Returns the number of results so the work cannot be optimised away.
 */
export function bareLoop(population: number, iterations: number): number {
  const trials = Array.from({ length: population }, (_, i) => reportOnly({ config: { x: (i + 1) / population }, checkpoint: undefined }))
  let sink = 0
  for (let step = 0; step < iterations; step++) {
    for (const trial of trials) {
      const item = trial.next().value as { score?: number; metrics?: { score: number } }
      sink += item.score ?? item.metrics?.score ?? 0
    }
  }
  for (const trial of trials) trial.return(undefined)
  return sink
}
