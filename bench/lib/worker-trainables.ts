/**
 * Trainables the worker-thread benchmark runs, named by module so worker threads can import them
 * (through tsx: this file is TypeScript, as a user's would be).
 */
import { trainable, withCheckpoint } from './vitune.js'

/** Arithmetic that takes `loops` iterations and cannot be optimised away (its result is reported). */
export function spin(loops: number, seed: number): number {
  let x = seed
  for (let i = 0; i < loops; i++) x = (x * 1.000001 + Math.sqrt(i + x * x)) % 1000
  return x
}

/** A CPU-bound step: `loops` iterations of arithmetic per report (calibrated to about 10 ms). */
export const busy = trainable(import.meta.url, 'busy', function* ({ config }: { config: { loops: number; x: number } }) {
  let value = config.x
  for (;;) {
    value = spin(config.loops, value)
    yield { score: value }
  }
})

/** Does nothing but report small metrics: what a result costs to carry. */
export const reportOnlyModule = trainable(import.meta.url, 'reportOnlyModule', function* ({ config }: { config: { x: number } }) {
  for (let step = 1; ; step++) yield { score: config.x * step }
})

/** Reports small metrics, with a checkpoint of `checkpointMb` MB of weights every 4th report (changing one weight per step, as training does). */
export const checkpointing = trainable(import.meta.url, 'checkpointing', function* ({ config }: { config: { x: number; checkpointMb: number } }) {
  const weights = new Float64Array((config.checkpointMb * 2 ** 20) / 8)
  for (let step = 1; ; step++) {
    weights[step % weights.length] = config.x * step
    const metrics = { score: config.x * step }
    yield step % 4 === 0 ? withCheckpoint(metrics, { weights, step }) : metrics
  }
})
