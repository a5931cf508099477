import type { TrialHandle } from './executor.js'
import type { Report } from './trainable.js'
import type { Trial } from './trial.js'
import type { Watchdog } from './watchdog.js'

/** A pull that threw or rejected: the trainable's error. Allocated only when one fails. */
export class PullFailure {
  constructor(readonly error: unknown) {}
}

/** A pull the runner stopped waiting for: its step ran past the step timeout or the time budget, or the run was aborted. */
export const PULL_EXPIRED: unique symbol = Symbol('pull expired')
const expired = (): typeof PULL_EXPIRED => PULL_EXPIRED

/** What one pull gave: a report, undefined when the trainable returned, its failure, or PULL_EXPIRED. */
export type Pulled = Report | undefined | PullFailure | typeof PULL_EXPIRED

/** How long the runner waits for a step, and whom it tells while it waits. */
export interface PullWatch {
  readonly watchdog: Watchdog
  /** Seconds a step may take from now (the step timeout or what is left of the budget); Infinity for no limit. */
  readonly seconds: number
  /** Hears, every so often, that a trial is still in its step. */
  readonly notice: (trial: Trial, waitedS: number) => void
}

const handleOf = (trial: Trial): TrialHandle => (trial.state as { readonly handle: TrialHandle }).handle

/**
 * Pulls one report from each running trial without a promise per result, when every handle can
 * pull synchronously; undefined otherwise. One clock reading per pull: a step ends when the next starts.
 */
export function pullSync(running: readonly Trial[], clock: () => number): Pulled[] | undefined {
  for (let i = 0; i < running.length; i++) if (handleOf(running[i] as Trial).nextSync === undefined) return undefined
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

/**
 * Pulls one report from each running trial at once (they may run in parallel), in the order of
 * `running`. With a watch, a step that outlasts it gives PULL_EXPIRED instead of waiting forever.
 */
export async function pullAsync(running: readonly Trial[], clock: () => number, watch: PullWatch | undefined): Promise<Pulled[]> {
  const settled = await Promise.allSettled(
    running.map((trial) => {
      trial.stepStarted = clock()
      trial.stepEnded = Number.NaN
      const step = handleOf(trial).next()
      return watch === undefined ? step : watch.watchdog.guard(step, watch.seconds, expired, (waited) => watch.notice(trial, waited))
    }),
  )
  return settled.map((outcome): Pulled => (outcome.status === 'fulfilled' ? outcome.value : new PullFailure(outcome.reason)))
}
