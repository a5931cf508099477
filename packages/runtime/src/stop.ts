import type { ExperimentDef, ExperimentProgress } from '@vitune/dsl'
import { RunError } from './errors.js'
import type { ExperimentStopReason } from './snapshot.js'
import type { Result } from './types.js'

/**
 * Ray's `Trial.should_stop`: the stop function says so, or any listed key reached its value. A
 * listed key missing from the result is an error, as in Ray.
 */
export function shouldStopTrial(def: ExperimentDef, where: string | (() => string), result: Result): boolean {
  const stop = def.stop
  if (stop === undefined) return false
  if (typeof stop === 'function') {
    const verdict: unknown = stop(result)
    if (typeof verdict === 'boolean') return verdict
    throw notBoolean('.stop()', typeof where === 'function' ? where() : where, verdict)
  }
  // Called for every result: no entries array, and the trial's description only built for an error.
  for (const key in stop) {
    const target = stop[key] as number
    const value = result[key]
    if (typeof value !== 'number') {
      throw new RunError(
        'VITUNE_STOP_KEY_MISSING',
        `${typeof where === 'function' ? where() : where}: the stop criterion \`${key}\` is not a number in the result (keys: ${Object.keys(result).join(', ')}). Report \`${key}\` from the trainable or remove it from .stop().`,
      )
    }
    if (value >= target) return true
  }
  return false
}

/** What a stop function returned, for a message. */
function describeVerdict(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  return `a ${(value as object).constructor?.name ?? 'object'}${value instanceof Promise ? ' (stop functions are synchronous)' : ''}`
}

/**
 * A stop function must say true or false: anything else (a forgotten `return` gives undefined, a
 * count like 1) would silently never stop, or stop by accident under JavaScript's truthiness.
 */
function notBoolean(step: string, where: string, value: unknown): RunError {
  return new RunError(
    'VITUNE_STOP_RESULT',
    `${where}: the ${step} function returned ${describeVerdict(value)}, not true or false. Return a boolean, e.g. ${step === '.stop()' ? '.stop((result) => result.Q > 1.19)' : '.stopExperiment(({ best }) => (best?.Q ?? -Infinity) > 1.19)'}.`,
  )
}

/** Tracks what an experiment-wide stop needs: the best result so far, the result count and the run time. */
export class ExperimentStopper {
  readonly #def: ExperimentDef
  #best: Result | undefined
  #results = 0

  constructor(def: ExperimentDef) {
    this.#def = def
  }

  /** Counts a result and keeps it if it is the best so far (the first wins ties). */
  observe(result: Result): void {
    this.#results++
    const { metric, mode } = this.#def
    if (metric === undefined || mode === undefined) return
    const value = result[metric]
    if (typeof value !== 'number' || Number.isNaN(value)) return
    const best = this.#best?.[metric] as number | undefined
    if (best === undefined || (mode === 'max' ? value > best : value < best)) this.#best = result
  }

  /** Whether `check` can ever stop the experiment: a time budget or a stop rule is set. */
  get active(): boolean {
    return this.#def.timeBudgetS !== undefined || this.#def.stopExperiment !== undefined
  }

  /** Why the whole experiment should stop now, or undefined to go on. */
  check(elapsedS: number): ExperimentStopReason | undefined {
    const budget = this.#def.timeBudgetS
    if (budget !== undefined && elapsedS >= budget) return 'timeBudget'
    const rule = this.#def.stopExperiment
    if (rule === undefined) return undefined
    const progress: ExperimentProgress = { best: this.#best, results: this.#results, elapsedS }
    const verdict: unknown = rule(progress)
    if (typeof verdict !== 'boolean') throw notBoolean('.stopExperiment()', `experiment "${this.#def.name}"`, verdict)
    return verdict ? 'stopExperiment' : undefined
  }
}
