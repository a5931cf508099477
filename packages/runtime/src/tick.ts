import type { TrialHandle } from './executor.js'
import type { Report } from './trainable.js'
import type { Trial } from './trial.js'

/** A pull that threw or rejected: the trainable's error. Allocated only when one fails. */
export class PullFailure {
  constructor(readonly error: unknown) {}
}

/** What one pull gave: a report, undefined when the trainable returned, or its failure. */
export type Pulled = Report | undefined | PullFailure

const handleOf = (trial: Trial): TrialHandle => (trial.state as { readonly handle: TrialHandle }).handle

/**
 * Pulls one report from each running trial without a promise per result, when every handle can
 * pull synchronously; undefined otherwise. One clock reading per pull: a step ends when the next starts.
 */
export function pullSync(running: readonly Trial[], clock: () => number): Pulled[] | undefined {
  for (const trial of running) if (handleOf(trial).nextSync === undefined) return undefined
  const pulled: Pulled[] = new Array(running.length)
  let time = clock()
  for (let i = 0; i < running.length; i++) {
    const trial = running[i] as Trial
    trial.stepStarted = time
    try {
      pulled[i] = (handleOf(trial).nextSync as () => Report | undefined)()
    } catch (error) {
      pulled[i] = new PullFailure(error)
    }
    time = clock()
    trial.stepEnded = time
  }
  return pulled
}

/** Pulls one report from each running trial at once (they may run in parallel), in the order of `running`. */
export async function pullAsync(running: readonly Trial[], clock: () => number): Promise<Pulled[]> {
  const settled = await Promise.allSettled(
    running.map((trial) => {
      trial.stepStarted = clock()
      trial.stepEnded = Number.NaN
      return handleOf(trial).next()
    }),
  )
  return settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : new PullFailure(outcome.reason)))
}
