import type { ExperimentDef } from '@vitune/dsl'
import type { TrialResult } from '@vitune/runtime'

const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`

/**
 * The error a trial's test fails with when the trial ended in error: which attempt failed, at which
 * iteration, the earlier failures, and how to retry (`.failures({ maxFailures })`) or let CI pass
 * (`raiseOnFailedTrial: false`). The trainable's stack follows as the cause.
 */
export function trialErrorMessage(def: Pick<ExperimentDef, 'maxFailures'>, trial: TrialResult<unknown, unknown>, label = trial.tag): Error {
  const failure = trial.error
  const attempts = trial.numFailures
  const allowed = def.maxFailures === -1 ? 'unlimited' : String(def.maxFailures + 1)
  const earlier = trial.failures.slice(0, -1).map((f) => f.trainingIteration)
  const history = earlier.length === 0 ? '' : ` Earlier attempts failed at iteration ${earlier.join(', ')}.`
  const hint =
    def.maxFailures === 0
      ? 'To retry a failed trial from its last checkpoint, as Ray does, add .failures({ maxFailures: 3 }) to the experiment'
      : `Every retry was used (.failures({ maxFailures: ${def.maxFailures} })); raise maxFailures to retry more`
  const error = new Error(
    `trial ${trial.trialId} (${label}) failed on its ${ordinal(attempts)} attempt (of ${allowed}) at iteration ${failure?.trainingIteration ?? 0}: ${failure?.message ?? 'unknown error'}.${history} ` +
      `${hint}; to let errored trials pass CI, pass { raiseOnFailedTrial: false } to tune() and assert on result.errors.`,
  )
  if (failure?.stack !== undefined) error.stack = `${error.message}\ncaused by: ${failure.stack}`
  return error
}
