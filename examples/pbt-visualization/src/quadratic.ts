/**
 * The toy problem of the PBT paper (Figure 2), as in Ray's "Visualizing Population Based Training"
 * tutorial: maximise Q(theta) while training only on the surrogate Qhat(theta | h).
 */
import { type TrainContext, trainable, withCheckpoint } from '@vitune/dsl'

/** The true objective: its maximum, 1.2, is at theta = [0, 0]. */
export const Q = (theta: readonly [number, number]): number => 1.2 - ((3 / 4) * theta[0] ** 2 + theta[1] ** 2)

/** The surrogate the trainer sees; h weighs each component. */
export const Qhat = (theta: readonly [number, number], h: readonly [number, number]): number => 1.2 - (h[0] * theta[0] ** 2 + h[1] * theta[1] ** 2)

/** Gradient of Qhat with respect to theta, with the tutorial's 3/4 on the first component. */
export const gradQhat = (theta: readonly [number, number], h: readonly [number, number]): [number, number] => [
  -2 * h[0] * theta[0] * (3 / 4),
  -2 * h[1] * theta[1],
]

/** The starting point of every trial. */
export const initTheta = (): [number, number] => [0.9, 0.9]

/** What the trainable saves and restores. */
export interface QuadraticCheckpoint {
  readonly theta: [number, number]
  readonly h: [number, number]
  readonly trainStep: number
}

/** The hyperparameters the trainable reads. */
export interface QuadraticConfig {
  readonly lr: number
  readonly h0: number
  readonly h1: number
  readonly checkpointInterval?: number
}

/**
 * The tutorial's `train_func`, ported line for line: restore theta and the step from a checkpoint
 * (its own or a donor's), take gradient-ascent steps on Qhat, report Q, checkpoint every
 * `checkpointInterval` steps.
 */
export const trainQuadratic = trainable(
  import.meta.url,
  'trainQuadratic',
  async function* trainQuadratic({ config, checkpoint }: TrainContext<QuadraticConfig, QuadraticCheckpoint>) {
    const h: [number, number] = [config.h0, config.h1]
    const checkpointInterval = config.checkpointInterval ?? 1
    let theta = initTheta()
    let trainStep = 1
    if (checkpoint !== undefined) {
      theta = [...checkpoint.theta]
      // Continue after the restored step, so checkpoints stay aligned with perturbations.
      trainStep = checkpoint.trainStep + 1
    }
    for (;;) {
      const grad = gradQhat(theta, h)
      theta = [theta[0] + config.lr * grad[0], theta[1] + config.lr * grad[1]]
      const metrics = { Q: Q(theta), theta0: theta[0], theta1: theta[1], h0: config.h0, h1: config.h1, trainStep }
      yield trainStep % checkpointInterval === 0 ? withCheckpoint(metrics, { theta, h, trainStep }) : metrics
      trainStep++
    }
  },
)
