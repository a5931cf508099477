import { isDomain, isNestedSpec } from './domains.js'
import type {
  AshaOptions,
  HyperBandOptions,
  MedianStoppingOptions,
  Pb2BoundsShape,
  Pb2Options,
  ResolvedAshaOptions,
  ResolvedHyperBandOptions,
  ResolvedMedianStoppingOptions,
  ResolvedPb2Options,
} from './scheduler-options.js'
import type { SpaceSpec } from './types.js'
import { type Fail, show } from './validate.js'
import { validatePerturbation } from './validate-pbt.js'
import { checkFlag, checkKeys, checkTimeAttr } from './validate-shape.js'

const isPositive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0

function checkMaxT(fail: Fail, scope: string, maxT: unknown): void {
  if (!isPositive(maxT))
    fail('VITUNE_MAX_T', `${scope}.maxT`, `must be a finite number > 0, got ${show(maxT)}`, 'Pass the longest a trial may run, e.g. maxT: 100.')
}

function checkReductionFactor(fail: Fail, scope: string, rf: unknown): void {
  if (typeof rf !== 'number' || !Number.isFinite(rf) || !(rf > 1))
    fail(
      'VITUNE_REDUCTION_FACTOR',
      `${scope}.reductionFactor`,
      `must be a finite number > 1, got ${show(rf)}`,
      'Use 3 or 4: each rung keeps the top third or quarter.',
    )
}

const ASHA_KEYS = ['timeAttr', 'maxT', 'gracePeriod', 'reductionFactor', 'brackets', 'stopLastTrials']

/** Checks ASHA settings (defaults applied) as Ray's constructor asserts them, plus types. */
export function validateAshaOptions(fail: Fail, given: AshaOptions, o: ResolvedAshaOptions): void {
  checkKeys(fail, 'VITUNE_ASHA_OPTION', 'asha', given, ASHA_KEYS)
  checkTimeAttr(fail, 'VITUNE_ASHA_OPTION', 'asha', o.timeAttr)
  checkMaxT(fail, 'asha', o.maxT)
  if (!isPositive(o.gracePeriod))
    fail('VITUNE_GRACE_PERIOD', 'asha.gracePeriod', `must be a finite number > 0, got ${show(o.gracePeriod)}`, 'Pass the time before the first rung, e.g. 1.')
  if (o.maxT < o.gracePeriod)
    fail('VITUNE_MAX_T', 'asha.maxT', `maxT (${o.maxT}) is below the grace period (${o.gracePeriod})`, 'Raise maxT or lower gracePeriod.')
  checkReductionFactor(fail, 'asha', o.reductionFactor)
  if (!Number.isInteger(o.brackets) || o.brackets < 1)
    fail('VITUNE_BRACKETS', 'asha.brackets', `must be a whole number >= 1, got ${show(o.brackets)}`, 'Use 1 (the default) for plain ASHA.')
  checkFlag(fail, 'VITUNE_ASHA_OPTION', 'asha', 'stopLastTrials', o.stopLastTrials)
}

const HYPERBAND_KEYS = ['timeAttr', 'maxT', 'reductionFactor', 'stopLastTrials']

/** Checks HyperBand settings; unlike Ray, a reduction factor <= 1 is refused here, not met as a crash. */
export function validateHyperBandOptions(fail: Fail, given: HyperBandOptions, o: ResolvedHyperBandOptions): void {
  checkKeys(fail, 'VITUNE_HYPERBAND_OPTION', 'hyperband', given, HYPERBAND_KEYS)
  checkTimeAttr(fail, 'VITUNE_HYPERBAND_OPTION', 'hyperband', o.timeAttr)
  checkMaxT(fail, 'hyperband', o.maxT)
  checkReductionFactor(fail, 'hyperband', o.reductionFactor)
  checkFlag(fail, 'VITUNE_HYPERBAND_OPTION', 'hyperband', 'stopLastTrials', o.stopLastTrials)
}

const MEDIAN_KEYS = ['timeAttr', 'gracePeriod', 'minSamplesRequired', 'minTimeSlice', 'hardStop']

/** Checks median stopping settings; Ray checks none of these. */
export function validateMedianStoppingOptions(fail: Fail, given: MedianStoppingOptions, o: ResolvedMedianStoppingOptions): void {
  checkKeys(fail, 'VITUNE_MEDIAN_STOPPING_OPTION', 'medianStopping', given, MEDIAN_KEYS)
  checkTimeAttr(fail, 'VITUNE_MEDIAN_STOPPING_OPTION', 'medianStopping', o.timeAttr)
  if (typeof o.gracePeriod !== 'number' || !Number.isFinite(o.gracePeriod) || o.gracePeriod < 0)
    fail('VITUNE_GRACE_PERIOD', 'medianStopping.gracePeriod', `must be a finite number >= 0, got ${show(o.gracePeriod)}`, 'Pass 0 to judge from the start.')
  if (!Number.isInteger(o.minSamplesRequired) || o.minSamplesRequired < 1)
    fail(
      'VITUNE_MIN_SAMPLES',
      'medianStopping.minSamplesRequired',
      `must be a whole number >= 1, got ${show(o.minSamplesRequired)}`,
      'A median needs at least one other trial; 3 is the default.',
    )
  if (typeof o.minTimeSlice !== 'number' || !Number.isFinite(o.minTimeSlice) || o.minTimeSlice < 0)
    fail('VITUNE_MEDIAN_STOPPING_OPTION', 'medianStopping.minTimeSlice', `must be a finite number >= 0, got ${show(o.minTimeSlice)}`, 'Pass 0 (the default).')
  checkFlag(fail, 'VITUNE_MEDIAN_STOPPING_OPTION', 'medianStopping', 'hardStop', o.hardStop)
}

const PB2_KEYS = ['perturbationInterval', 'hyperparamBounds', 'timeAttr', 'quantileFraction', 'synch', 'requireAttrs', 'customExplore']

/** Checks PB2 settings as Ray does (bounds first), plus types. */
export function validatePb2Options(fail: Fail, given: Pb2Options, o: ResolvedPb2Options): void {
  checkKeys(fail, 'VITUNE_PB2_OPTION', 'pb2', given, PB2_KEYS)
  const bounds: unknown = o.hyperparamBounds
  if (!isNestedSpec(bounds) || Object.keys(bounds).length === 0)
    fail(
      'VITUNE_PB2_BOUNDS',
      'pb2.hyperparamBounds',
      `PB2 needs the bounds of at least one continuous hyperparameter, got ${Array.isArray(bounds) ? 'a list' : show(bounds)}`,
      'Write hyperparamBounds: { lr: [1e-4, 1e-1] }.',
    )
  validateBounds(fail, bounds as Pb2BoundsShape, 'pb2.hyperparamBounds')
  validatePerturbation(fail, 'pb2', 'VITUNE_PB2_OPTION', o)
}

function validateBounds(fail: Fail, bounds: Pb2BoundsShape, prefix: string): void {
  for (const [name, value] of Object.entries(bounds)) {
    const key = `${prefix}.${name}`
    if (name.includes('/'))
      fail('VITUNE_PB2_BOUNDS', key, 'a bounded key cannot contain "/" (Ray flattens nested keys with it)', 'Nest the bounds as objects instead.')
    if (isDomain(value))
      fail('VITUNE_PB2_BOUNDS', key, `a ${value.$domain}() domain is not a range (Ray rejects it too)`, 'Give the range itself, e.g. [0.001, 0.1].')
    if (Array.isArray(value)) {
      if (value.length !== 2 || !value.every((v) => typeof v === 'number' && Number.isFinite(v)))
        fail('VITUNE_PB2_BOUNDS', key, `needs [low, high] with two finite numbers, got [${value.map(show).join(', ')}]`, 'Write [0.001, 0.1].')
      const [low, high] = value as [number, number]
      if (low > high) fail('VITUNE_PB2_BOUNDS', key, `[${low}, ${high}] has low > high`, `Swap the bounds: [${high}, ${low}].`)
    } else if (isNestedSpec(value)) {
      if (Object.keys(value).length === 0) fail('VITUNE_PB2_BOUNDS', key, 'an empty nested object bounds nothing', 'Remove it, or give ranges inside it.')
      validateBounds(fail, value as Pb2BoundsShape, key)
    } else {
      fail(
        'VITUNE_PB2_BOUNDS',
        key,
        `needs [low, high] or nested bounds, got ${show(value)}`,
        'Write [0.001, 0.1]. PB2 explores continuous values only; keep categoricals constant.',
      )
    }
  }
}

/** Checks that every bounded key of the space holds numbers (PB2 is continuous-only, as in Ray). */
export function validatePb2BoundsAgainstSpace(fail: Fail, space: SpaceSpec, bounds: Pb2BoundsShape, prefix = 'pb2.hyperparamBounds'): void {
  for (const [name, range] of Object.entries(bounds)) {
    if (!Object.hasOwn(space, name)) continue
    const value: unknown = space[name]
    const key = `${prefix}.${name}`
    if (Array.isArray(range)) {
      const numeric =
        typeof value === 'number' ||
        (isDomain(value) && (value.$domain === 'sampleFrom' || ('values' in value ? value.values.every((v) => typeof v === 'number') : true)))
      if (!numeric)
        fail(
          'VITUNE_PB2_BOUNDS',
          key,
          `the space holds non-numbers at \`${name}\`, and PB2 explores continuous values only (Ray too)`,
          `Remove \`${name}\` from the bounds.`,
        )
    } else if (isNestedSpec(value)) {
      validatePb2BoundsAgainstSpace(fail, value as SpaceSpec, range as Pb2BoundsShape, key)
    } else if (!isDomain(value) || value.$domain !== 'sampleFrom') {
      fail(
        'VITUNE_PB2_BOUNDS',
        key,
        `nested bounds need a nested object at \`${name}\` in the space`,
        `Bound \`${name}\` with [low, high], or make it an object in .space().`,
      )
    }
  }
}
