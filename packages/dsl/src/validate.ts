import { type Domain, isDomain, isNestedSpec } from './domains.js'
import { type DefinitionErrorCode, ExperimentDefinitionError } from './errors.js'
import type { SpaceSpec } from './types.js'

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

/** Every domain kind the DSL builds. */
export const DOMAIN_KINDS: ReadonlySet<string> = new Set<string>([
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

/** A value as a message shows it: strings quoted. */
export const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value))

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
