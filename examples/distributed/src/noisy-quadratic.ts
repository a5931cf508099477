/**
 * The PBT paper's toy problem with a noisy objective: each step climbs the surrogate Qhat, then
 * estimates the true Q from `samples` noisy evaluations. The estimate is the CPU-bound part, the
 * stand-in for a real training step that makes a fleet worth having.
 */
import { trainable, withCheckpoint } from '@vitune/dsl'

/** The hyperparameters the trainable reads. */
export interface NoisyQuadraticConfig {
  readonly lr: number
  readonly h0: number
  readonly h1: number
  /** Noisy evaluations per step: the cost of a step. */
  readonly samples: number
}

/** What a checkpoint holds: all the trainable's state, so a trial resumes on any worker. */
export interface NoisyQuadraticCheckpoint {
  readonly theta: [number, number]
  readonly step: number
}

const trueQ = (t0: number, t1: number) => 1.2 - (0.75 * t0 ** 2 + t1 ** 2)

/** Named by module: worker threads and fleet workers import it from here. */
export const noisyQuadratic = trainable(
  import.meta.url,
  'noisyQuadratic',
  async function* ({ config, checkpoint, random }: { config: NoisyQuadraticConfig; checkpoint: NoisyQuadraticCheckpoint | undefined; random: () => number }) {
    let [t0, t1] = checkpoint?.theta ?? [0.9, 0.9]
    for (let step = (checkpoint?.step ?? 0) + 1; ; step++) {
      t0 += config.lr * -2 * config.h0 * t0 * 0.75
      t1 += config.lr * -2 * config.h1 * t1
      let sum = 0
      for (let i = 0; i < config.samples; i++) sum += trueQ(t0 + (random() - 0.5) * 0.02, t1 + (random() - 0.5) * 0.02)
      const theta: [number, number] = [t0, t1]
      yield withCheckpoint({ Q: sum / config.samples, step }, { theta, step })
    }
  },
)
