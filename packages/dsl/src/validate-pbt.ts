import type { PbtOptions } from './definition.js'
import { type Fail, show } from './validate.js'
import { checkFlag, checkKeys, checkTimeAttr } from './validate-shape.js'

/** The runtime's own iteration counters: whole numbers, so a perturbation interval in their units must be one too. */
const INTEGER_TIME_ATTRS = new Set(['trainingIteration', 'iterationsSinceRestore'])

const PBT_OPTION_KEYS = new Set([
  'perturbationInterval',
  'timeAttr',
  'burnInPeriod',
  'quantileFraction',
  'resampleProbability',
  'perturbationFactors',
  'synch',
  'customExplore',
  'keepInBounds',
  'requireAttrs',
])

/** The options PBT and PB2 share (PB2 is PBT with another explore), checked alike for both. */
interface PerturbationOptions {
  readonly perturbationInterval: unknown
  readonly timeAttr: unknown
  readonly quantileFraction: unknown
  readonly synch: unknown
  readonly requireAttrs: unknown
  readonly customExplore?: unknown
}

/** Checks what PBT and PB2 share, under `scope` (`pbt` or `pb2`) with `code` for a bad type. */
export function validatePerturbation(fail: Fail, scope: 'pbt' | 'pb2', code: 'VITUNE_PBT_OPTION' | 'VITUNE_PB2_OPTION', o: PerturbationOptions): void {
  const interval = o.perturbationInterval
  if (typeof interval !== 'number' || !(interval > 0) || !Number.isFinite(interval))
    fail('VITUNE_PERTURBATION_INTERVAL', `${scope}.perturbationInterval`, `must be > 0, got ${show(interval)}`, 'Pass a positive interval, e.g. 4 iterations.')
  // Ray accepts any interval > 0. With an iteration count as time, a fraction acts as the next whole
  // number asynchronously and stalls synchronous PBT (its next barrier lands on the trials' own time).
  if (typeof o.timeAttr === 'string' && INTEGER_TIME_ATTRS.has(o.timeAttr) && !Number.isInteger(interval))
    fail(
      'VITUNE_PERTURBATION_INTERVAL',
      `${scope}.perturbationInterval`,
      `must be a whole number of iterations with timeAttr ${o.timeAttr} (it counts 1, 2, 3, …), got ${interval}`,
      `Pass ${Math.ceil(interval)}: Ray perturbs at the same iterations with ${interval}. For a fractional interval, report a fractional time (epochs, say) and name it in timeAttr.`,
    )
  if (typeof o.quantileFraction !== 'number' || !(o.quantileFraction >= 0 && o.quantileFraction <= 0.5))
    fail(
      'VITUNE_QUANTILE_FRACTION',
      `${scope}.quantileFraction`,
      `must lie in [0, 0.5], got ${show(o.quantileFraction)}`,
      'Use 0.25 (the default) or 0.5 for half the population.',
    )
  checkTimeAttr(fail, code, scope, o.timeAttr)
  checkFlag(fail, code, scope, 'synch', o.synch)
  checkFlag(fail, code, scope, 'requireAttrs', o.requireAttrs)
  if (o.customExplore !== undefined && typeof o.customExplore !== 'function')
    fail(code, `${scope}.customExplore`, `must be a function of the config, got ${typeof o.customExplore}`, 'Write customExplore: (config) => ({ ...config }).')
}

/** Checks PBT settings (defaults already applied) the way Ray's constructor does, plus types. */
export function validatePbtOptions(fail: Fail, given: PbtOptions, o: Required<Omit<PbtOptions, 'customExplore'>> & Pick<PbtOptions, 'customExplore'>): void {
  checkKeys(fail, 'VITUNE_PBT_OPTION', 'pbt', given, PBT_OPTION_KEYS)
  validatePerturbation(fail, 'pbt', 'VITUNE_PBT_OPTION', o)
  if (typeof o.resampleProbability !== 'number' || !(o.resampleProbability >= 0 && o.resampleProbability <= 1))
    fail('VITUNE_RESAMPLE_PROBABILITY', 'pbt.resampleProbability', `must lie in [0, 1], got ${show(o.resampleProbability)}`, 'Pass a probability such as 0.25.')
  if (typeof o.burnInPeriod !== 'number' || !(o.burnInPeriod >= 0) || !Number.isFinite(o.burnInPeriod))
    fail('VITUNE_BURN_IN', 'pbt.burnInPeriod', `must be a finite number >= 0, got ${show(o.burnInPeriod)}`, 'Pass 0 for no burn-in.')
  if (
    !Array.isArray(o.perturbationFactors) ||
    o.perturbationFactors.length === 0 ||
    o.perturbationFactors.some((f) => typeof f !== 'number' || !(f > 0) || !Number.isFinite(f))
  ) {
    fail(
      'VITUNE_PERTURBATION_FACTORS',
      'pbt.perturbationFactors',
      `must be a non-empty list of positive numbers, got ${Array.isArray(o.perturbationFactors) ? `[${o.perturbationFactors.join(', ')}]` : show(o.perturbationFactors)}`,
      'Use [1.2, 0.8] (the default).',
    )
  }
  checkFlag(fail, 'VITUNE_PBT_OPTION', 'pbt', 'keepInBounds', o.keepInBounds)
}
