import type { PbtOptions } from './definition.js'
import { type Domain, isDomain, isNestedSpec } from './domains.js'
import { type DefinitionErrorCode, ExperimentDefinitionError } from './errors.js'
import type { MutateOptions, MutationSpecShape, SpaceSpec } from './types.js'

/** Throws the definition error for one experiment; every check goes through it. */
export type Fail = (code: DefinitionErrorCode, key: string | undefined, problem: string, fix: string) => never

/** Builds a thrower bound to one experiment, so every message names it. */
export function failFor(experiment: string): Fail {
  return (code, key, problem, fix) => {
    throw new ExperimentDefinitionError(code, experiment, key, problem, fix)
  }
}

/** Python's `isclose(value / q, round(value / q))`, which Ray uses to check quantized bounds. */
const isMultiple = (value: number, q: number): boolean => {
  const ratio = value / q
  return Math.abs(ratio - Math.round(ratio)) <= 1e-9 * Math.max(1, Math.abs(ratio))
}

const DOMAIN_KINDS = new Set<string>([
  'grid',
  'choice',
  'uniform',
  'quniform',
  'loguniform',
  'qloguniform',
  'randn',
  'qrandn',
  'randint',
  'qrandint',
  'lograndint',
  'qlograndint',
  'sampleFrom',
])

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value))

/** Checks one domain's parameters; `key` is its path for the message. */
export function validateDomain(fail: Fail, key: string, domain: Domain): void {
  const kind: string = domain.$domain
  if (!DOMAIN_KINDS.has(kind)) {
    fail('VITUNE_UNKNOWN_DOMAIN', key, `${show(kind)} is not a domain`, `Build domains with the functions of @vitune/dsl: ${[...DOMAIN_KINDS].join(', ')}.`)
  }
  switch (domain.$domain) {
    case 'grid':
    case 'choice':
      if (!Array.isArray(domain.values) || domain.values.length === 0) {
        const got = Array.isArray(domain.values) ? 'an empty list' : show(domain.values)
        fail(
          'VITUNE_EMPTY_VALUES',
          key,
          `${domain.$domain}() needs a non-empty list of values, got ${got}`,
          `Pass at least one value, e.g. ${domain.$domain}([0.1, 0.2]).`,
        )
      }
      domain.values.forEach((value, i) => {
        if (isDomain(value) && value.$domain === 'grid') {
          fail(
            'VITUNE_NESTED_GRID',
            `${key}[${i}]`,
            `a grid inside ${domain.$domain}() values is not expanded`,
            'Write each grid as its own key of the space; grids multiply.',
          )
        }
        validateSpaceValue(fail, `${key}[${i}]`, value)
      })
      return
    case 'sampleFrom':
      if (typeof domain.fn !== 'function' || domain.fn.length > 2) {
        fail(
          'VITUNE_SAMPLE_FROM_ARITY',
          key,
          'sampleFrom() needs a function of the resolved config (and, optionally, a seeded random stream)',
          'Write sampleFrom((config) => ...) or sampleFrom((config, random) => ...).',
        )
      }
      return
    case 'randn':
    case 'qrandn':
      if (!Number.isFinite(domain.mean) || !Number.isFinite(domain.sd) || !(domain.sd > 0)) {
        fail(
          'VITUNE_STD_DEV',
          key,
          `${domain.$domain}(${show(domain.mean)}, ${show(domain.sd)}) needs a finite mean and a positive standard deviation`,
          'Pass sd > 0, e.g. randn(0, 1).',
        )
      }
      if (domain.$domain === 'qrandn' || domain.q !== undefined) validateQuantum(fail, key, domain.q)
      return
    default:
      validateBounded(fail, key, domain)
  }
}

function validateQuantum(fail: Fail, key: string, q: number | undefined): asserts q is number {
  if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0)
    fail('VITUNE_QUANTUM', key, `the quantum q=${show(q)} is not a positive number`, 'Pass q > 0, e.g. 0.01.')
}

function validateBounded(fail: Fail, key: string, domain: Extract<Domain, { low: number }>): void {
  const { low, high, q, base } = domain
  const kind = domain.$domain
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    fail('VITUNE_BOUNDS_NOT_FINITE', key, `${kind}(${show(low)}, ${show(high)}) needs finite bounds`, 'Pass two finite numbers.')
  }
  if (low >= high) {
    fail(
      'VITUNE_BOUNDS_ORDER',
      key,
      `${kind}(${low}, ${high}) has low >= high`,
      low === high ? 'Widen the range, or use a constant if the value never changes.' : `Swap the bounds: ${kind}(${high}, ${low}).`,
    )
  }
  if (kind.includes('log')) {
    if (low <= 0)
      fail(
        'VITUNE_LOG_BOUND',
        key,
        `${kind}(${low}, ${high}) needs low > 0 (a logarithm of ${low} is undefined)`,
        'Use a positive lower bound such as 1e-5, or uniform() for ranges that include 0.',
      )
    if (base !== undefined && (typeof base !== 'number' || !(base > 0) || base === 1 || !Number.isFinite(base)))
      fail('VITUNE_LOG_BASE', key, `log base ${show(base)} is not a finite positive number other than 1`, 'Use base 10, 2 or Math.E, or leave it out.')
  }
  const integer = kind.endsWith('int')
  if (integer && (!Number.isInteger(low) || !Number.isInteger(high))) {
    fail('VITUNE_INTEGER_BOUNDS', key, `${kind}(${low}, ${high}) needs integer bounds`, 'Round the bounds, or use uniform() for floats.')
  }
  if (q === undefined && !kind.startsWith('q')) return
  validateQuantum(fail, key, q)
  if (integer) {
    if (!Number.isInteger(q)) fail('VITUNE_QUANTUM', key, `${kind} needs an integer q, got ${q}`, 'Pass an integer q such as 5.')
    // Ray does not require integer bounds to be multiples of q, but at least one multiple must fit.
    if (Math.ceil(low / q) > Math.floor(high / q)) {
      fail('VITUNE_QUANTIZATION', key, `no multiple of q=${q} lies in [${low}, ${high}]`, `Widen the bounds or lower q, e.g. ${kind}(0, ${q}, ${q}).`)
    }
  } else if (!isMultiple(low, q) || !isMultiple(high, q)) {
    fail(
      'VITUNE_QUANTIZATION',
      key,
      `the bounds ${low} and ${high} are not both multiples of q=${q} (Ray rejects this too)`,
      `Choose bounds that q divides, e.g. ${kind}(${Math.ceil(low / q) * q}, ${Math.floor(high / q) * q}, ${q}), or a smaller q.`,
    )
  }
}

/** Checks one value of a space: a domain, a nested object or list, or a JSON constant. */
function validateSpaceValue(fail: Fail, key: string, value: unknown): void {
  if (isDomain(value)) validateDomain(fail, key, value)
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) validateSpaceValue(fail, `${key}[${i}]`, item)
  } else if (isNestedSpec(value)) validateSpace(fail, value as SpaceSpec, key)
  else if (typeof value === 'number' && !Number.isFinite(value)) {
    fail('VITUNE_SPACE_VALUE', key, `${value} cannot be a config value: it does not survive JSON`, 'Use a finite number, or null for "no limit".')
  } else if (typeof value === 'object' && value !== null) {
    const kind = (value as object).constructor?.name ?? 'object'
    fail(
      'VITUNE_SPACE_VALUE',
      key,
      `a ${kind} cannot be a config value: configs are plain data`,
      'Use plain objects, lists, strings, numbers, booleans and null.',
    )
  } else if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint' || value === undefined) {
    fail(
      'VITUNE_SPACE_VALUE',
      key,
      `a ${typeof value} cannot be a config value`,
      'Use a constant, a domain such as uniform(0, 1), or sampleFrom((config) => ...) for computed values.',
    )
  }
}

/** Walks a space, validating every domain and rejecting values a config cannot hold. */
export function validateSpace(fail: Fail, spec: SpaceSpec, prefix = 'space'): void {
  if (!isNestedSpec(spec)) {
    fail('VITUNE_SPACE_VALUE', prefix, `the space must be an object of keys, got ${Array.isArray(spec) ? 'a list' : show(spec)}`, 'Write .space({ lr: 0.05 }).')
  }
  for (const [name, value] of Object.entries(spec)) validateSpaceValue(fail, `${prefix}.${name}`, value)
}

/** Walks a mutations spec the way Ray's PBT reads it. */
export function validateMutations(fail: Fail, spec: MutationSpecShape, prefix = 'mutate'): void {
  if (!isNestedSpec(spec)) {
    fail(
      'VITUNE_MUTATION_TYPE',
      prefix,
      `mutations must be an object of keys, got ${Array.isArray(spec) ? 'a list' : show(spec)}`,
      'Write .mutate({ lr: loguniform(1e-4, 1e-1) }).',
    )
  }
  for (const [name, value] of Object.entries(spec)) {
    const key = `${prefix}.${name}`
    if (isDomain(value)) {
      const kind = (value as Domain).$domain as Domain['$domain']
      if (kind === 'sampleFrom') {
        fail(
          'VITUNE_SAMPLE_FROM_IN_MUTATE',
          key,
          'sampleFrom() cannot be a mutation (Ray rejects it too): PBT cannot perturb an arbitrary function',
          'Use a domain such as uniform(0, 1), a list of values, or a function of no arguments.',
        )
      }
      if (kind === 'grid') {
        fail(
          'VITUNE_GRID_IN_MUTATE',
          key,
          'grid() cannot be a mutation: a grid makes trials, it does not perturb them',
          'Use a list of values, e.g. [0.1, 0.2, 0.4], for categorical mutations.',
        )
      }
      validateDomain(fail, key, value)
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail('VITUNE_EMPTY_VALUES', key, 'an empty list cannot be a mutation', 'List at least one value.')
    } else if (typeof value === 'function') {
      if (value.length > 0) fail('VITUNE_MUTATION_TYPE', key, 'a mutation function must take no arguments', 'Write () => value.')
    } else if (isNestedSpec(value)) {
      validateMutations(fail, value as MutationSpecShape, key)
    } else {
      fail(
        'VITUNE_MUTATION_TYPE',
        key,
        `a ${value === null ? 'null' : typeof value} cannot be a mutation`,
        'Use a domain (uniform(0, 1)), a list of values, a function of no arguments, or a nested object of these.',
      )
    }
  }
}

/** What values a space entry can take, as far as a mutation cares. */
type ValueKind = 'number' | 'other' | 'object' | 'unknown'

function kindOf(value: unknown): ValueKind {
  if (typeof value === 'number') return 'number'
  if (isNestedSpec(value)) return 'object'
  if (!isDomain(value)) return value === undefined ? 'unknown' : 'other'
  if (value.$domain === 'sampleFrom') return 'unknown'
  if (value.$domain !== 'grid' && value.$domain !== 'choice') return 'number'
  const kinds = new Set(value.values.map(kindOf))
  return kinds.size === 1 ? ([...kinds][0] as ValueKind) : 'unknown'
}

/** Every domain that draws a number: all but grid, choice and sampleFrom. */
const NUMERIC_DOMAINS = new Set<string>([...DOMAIN_KINDS].filter((kind) => kind !== 'grid' && kind !== 'choice' && kind !== 'sampleFrom'))

/** Edit distance, for "did you mean" hints on mistyped keys. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length] as number
}

/** The key of `keys` closest to a mistyped `name`, when one is close enough to be what was meant. */
export function closestKey(name: string, keys: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const key of keys) {
    const d = distance(name.toLowerCase(), key.toLowerCase())
    if (d < bestDistance) {
      best = key
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(Math.max(name.length, best.length) / 3)) ? best : undefined
}

/** Checks `mutate()`'s `newKeys` option: a list of the spec's own top-level keys. Returns it (empty when not given). */
export function validateNewKeys(fail: Fail, spec: MutationSpecShape, options: MutateOptions): readonly string[] {
  if (typeof options !== 'object' || options === null)
    fail('VITUNE_MUTATION_KEY', 'mutate', `the options must be an object, got ${show(options)}`, "Write .mutate(spec, { newKeys: ['momentum'] }).")
  const newKeys = options.newKeys ?? []
  if (!Array.isArray(newKeys) || newKeys.some((k) => typeof k !== 'string'))
    fail('VITUNE_MUTATION_KEY', 'mutate.newKeys', `must be a list of key names, got ${show(newKeys)}`, "Write { newKeys: ['momentum'] }.")
  for (const name of newKeys) {
    if (!Object.hasOwn(spec, name))
      fail(
        'VITUNE_MUTATION_KEY',
        `mutate.newKeys`,
        `lists \`${name}\`, which the mutations do not have`,
        `List only keys of the mutations object${closestKey(name, Object.keys(spec)) === undefined ? '' : ` (did you mean \`${closestKey(name, Object.keys(spec))}\`?)`}.`,
      )
  }
  return [...newKeys]
}

/**
 * Checks mutations against the space they mutate: every key must exist in the space unless it is a
 * top-level key listed in `newKeys` (Ray adds any missing top-level key; we make that opt-in, so a
 * typo is caught), a numeric domain cannot perturb a string, and a nested mutation needs an object.
 */
export function validateMutationsAgainstSpace(
  fail: Fail,
  space: SpaceSpec,
  mutations: MutationSpecShape,
  newKeys: readonly string[] = [],
  prefix = 'mutate',
  topLevel = true,
): void {
  for (const [name, mutation] of Object.entries(mutations)) {
    const key = `${prefix}.${name}`
    const listed = topLevel && newKeys.includes(name)
    if (listed && Object.hasOwn(space, name))
      fail('VITUNE_MUTATION_KEY', 'mutate.newKeys', `lists \`${name}\`, but the space has it already`, `Drop \`${name}\` from newKeys.`)
    if (!Object.hasOwn(space, name)) {
      if (listed) continue
      const known = Object.keys(space)
      const near = closestKey(name, known)
      const problem =
        known.length === 0 && topLevel
          ? `the space has no \`${name}\` (it is empty: call .space() before .mutate())`
          : `the space has no \`${name}\`${topLevel ? '' : ' in this nested object'}${near === undefined ? '' : `; did you mean \`${near}\`?`} (its keys: ${known.join(', ')})`
      fail(
        'VITUNE_MUTATION_KEY',
        key,
        `${problem}. A mutation of a missing key would perturb a key nothing reads`,
        topLevel
          ? `Fix the name, or, to add the key on purpose as Ray does (each trial draws it at its start), write .mutate(spec, { newKeys: ['${name}'] }).`
          : `Add \`${name}\` to the nested object in .space(), or fix the name.`,
      )
    }
    const kind = kindOf(space[name])
    if (isNestedSpec(mutation)) {
      if (kind === 'object') validateMutationsAgainstSpace(fail, space[name] as SpaceSpec, mutation as MutationSpecShape, [], key, false)
      else if (kind !== 'unknown')
        fail(
          'VITUNE_MUTATION_TYPE',
          key,
          'a nested mutation needs a nested object in the space',
          `Mutate \`${name}\` with a domain or a list, or make it an object in .space().`,
        )
    } else if (isDomain(mutation) && NUMERIC_DOMAINS.has(mutation.$domain) && (kind === 'other' || kind === 'object')) {
      fail(
        'VITUNE_MUTATION_TYPE',
        key,
        `${mutation.$domain}() draws numbers, but the space holds ${kind === 'object' ? 'an object' : 'non-numbers'} at \`${name}\`; PBT would multiply them`,
        'Use a list of the allowed values, e.g. ["adam", "sgd"], for categorical keys.',
      )
    } else if (Array.isArray(mutation) && kind !== 'unknown') {
      // A categorical list replaces the value: one holding no value of the space's kind changes the key's type.
      const kinds = mutation.map(kindOf)
      if (kinds.length > 0 && kinds.every((k) => k !== kind && k !== 'unknown')) {
        fail(
          'VITUNE_MUTATION_TYPE',
          key,
          `the list holds only ${[...new Set(kinds)].map(kindName).join(' and ')}, but the space holds ${kindName(kind)} at \`${name}\`; PBT would replace one with the other`,
          `List values of the space's type${kind === 'number' ? ', e.g. [0.001, 0.01, 0.1], or a domain such as loguniform(1e-4, 1e-1)' : ''}.`,
        )
      }
    }
  }
}

const kindName = (kind: ValueKind): string => (kind === 'number' ? 'numbers' : kind === 'object' ? 'objects' : 'non-numbers')

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

/**
 * A copy of the plain objects and lists of a space or mutations spec, so that changing the object
 * passed to the builder later cannot change the definition. Domains are copied one level (their
 * `values` lists too); functions and leaves are shared.
 */
export function copySpec<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copySpec) as T
  if (isDomain(value)) {
    const domain = { ...value } as Record<string, unknown>
    if (Array.isArray(domain.values)) domain.values = domain.values.map(copySpec)
    return domain as T
  }
  if (isNestedSpec(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copySpec(v)])) as T
  return value
}
