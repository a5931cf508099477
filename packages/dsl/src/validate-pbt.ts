import type { PbtOptions } from './definition.js'
import { type Fail, show } from './validate.js'

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

/** Python spellings a Ray user may bring along, with ours. */
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** Checks PBT settings (defaults already applied) the way Ray's constructor does, plus types. */
export function validatePbtOptions(fail: Fail, given: PbtOptions, o: Required<Omit<PbtOptions, 'customExplore'>> & Pick<PbtOptions, 'customExplore'>): void {
  for (const name of Object.keys(given)) {
    if (!PBT_OPTION_KEYS.has(name)) {
      const hint = PBT_OPTION_KEYS.has(camel(name)) ? `Write \`${camel(name)}\` (camelCase).` : `Use one of: ${[...PBT_OPTION_KEYS].join(', ')}.`
      fail('VITUNE_PBT_OPTION', `pbt.${name}`, 'is not a PBT option', hint)
    }
  }
  if (typeof o.perturbationInterval !== 'number' || !(o.perturbationInterval > 0) || !Number.isFinite(o.perturbationInterval))
    fail(
      'VITUNE_PERTURBATION_INTERVAL',
      'pbt.perturbationInterval',
      `must be > 0, got ${show(o.perturbationInterval)}`,
      'Pass a positive interval, e.g. 4 iterations.',
    )
  // Ray accepts any interval > 0. With an iteration count as time, a fraction acts as the next whole
  // number asynchronously and stalls synchronous PBT (its next barrier lands on the trials' own time).
  if (INTEGER_TIME_ATTRS.has(o.timeAttr) && !Number.isInteger(o.perturbationInterval))
    fail(
      'VITUNE_PERTURBATION_INTERVAL',
      'pbt.perturbationInterval',
      `must be a whole number of iterations with timeAttr ${o.timeAttr} (it counts 1, 2, 3, …), got ${o.perturbationInterval}`,
      `Pass ${Math.ceil(o.perturbationInterval)}: Ray perturbs at the same iterations with ${o.perturbationInterval}. For a fractional interval, report a fractional time (epochs, say) and name it in timeAttr.`,
    )
  if (typeof o.quantileFraction !== 'number' || !(o.quantileFraction >= 0 && o.quantileFraction <= 0.5))
    fail(
      'VITUNE_QUANTILE_FRACTION',
      'pbt.quantileFraction',
      `must lie in [0, 0.5], got ${show(o.quantileFraction)}`,
      'Use 0.25 (the default) or 0.5 for half the population.',
    )
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
  if (typeof o.timeAttr !== 'string' || o.timeAttr.length === 0)
    fail('VITUNE_PBT_OPTION', 'pbt.timeAttr', `must name a result key, got ${show(o.timeAttr)}`, 'Leave it out for trainingIteration.')
  for (const flag of ['synch', 'keepInBounds', 'requireAttrs'] as const) {
    if (typeof o[flag] !== 'boolean') fail('VITUNE_PBT_OPTION', `pbt.${flag}`, `must be true or false, got ${show(o[flag])}`, `Write ${flag}: true.`)
  }
  if (o.customExplore !== undefined && typeof o.customExplore !== 'function')
    fail(
      'VITUNE_PBT_OPTION',
      'pbt.customExplore',
      `must be a function of the config, got ${typeof o.customExplore}`,
      'Write customExplore: (config) => ({ ...config }).',
    )
}
