import { type Domain, isDomain } from './domains.js'
import { type DefinitionErrorCode, ExperimentDefinitionError } from './errors.js'
import type { MutationSpecShape, SpaceSpec } from './types.js'

type Fail = (code: DefinitionErrorCode, key: string | undefined, problem: string, fix: string) => never

/** Builds a thrower bound to one experiment, so every message names it. */
export function failFor(experiment: string): Fail {
  return (code, key, problem, fix) => {
    throw new ExperimentDefinitionError(code, experiment, key, problem, fix)
  }
}

const isMultiple = (value: number, q: number): boolean => {
  const ratio = value / q
  return Math.abs(ratio - Math.round(ratio)) <= 1e-9 * Math.max(1, Math.abs(ratio))
}

/** Checks one domain's parameters; `key` is its path for the message. */
export function validateDomain(fail: Fail, key: string, domain: Domain): void {
  switch (domain.$domain) {
    case 'grid':
    case 'choice':
      if (!Array.isArray(domain.values) || domain.values.length === 0) {
        fail('VITUNE_EMPTY_VALUES', key, `${domain.$domain}() was given no values`, `Pass at least one value, e.g. ${domain.$domain}([0.1, 0.2]).`)
      }
      return
    case 'sampleFrom':
      if (typeof domain.fn !== 'function' || domain.fn.length > 1) {
        fail(
          'VITUNE_SAMPLE_FROM_ARITY',
          key,
          'sampleFrom() needs a function of at most one argument (the resolved config)',
          'Write sampleFrom((config) => ...).',
        )
      }
      return
    case 'randn':
    case 'qrandn':
      if (!Number.isFinite(domain.mean) || !Number.isFinite(domain.sd) || domain.sd <= 0) {
        fail('VITUNE_STD_DEV', key, `${domain.$domain}(${domain.mean}, ${domain.sd}) needs a finite mean and a positive standard deviation`, 'Pass sd > 0.')
      }
      if (domain.q !== undefined) validateQuantum(fail, key, domain.q)
      return
    default:
      validateBounded(fail, key, domain)
  }
}

function validateQuantum(fail: Fail, key: string, q: number): void {
  if (!Number.isFinite(q) || q <= 0) fail('VITUNE_QUANTUM', key, `the quantum q=${q} is not a positive number`, 'Pass q > 0, e.g. 0.01.')
}

function validateBounded(fail: Fail, key: string, domain: Extract<Domain, { low: number }>): void {
  const { low, high, q, base } = domain
  const kind = domain.$domain
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    fail('VITUNE_BOUNDS_NOT_FINITE', key, `${kind}(${low}, ${high}) needs finite bounds`, 'Pass two finite numbers.')
  }
  if (low >= high) {
    fail(
      'VITUNE_BOUNDS_ORDER',
      key,
      `${kind}(${low}, ${high}) has low >= high`,
      `Swap the bounds or widen them: ${kind}(${Math.min(low, high)}, ${Math.max(low, high)}${low === high ? ' + something' : ''}).`,
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
    if (base !== undefined && (!(base > 0) || base === 1))
      fail('VITUNE_LOG_BASE', key, `log base ${base} is not a positive number other than 1`, 'Use base 10, 2 or Math.E.')
  }
  if (kind.endsWith('int') && (!Number.isInteger(low) || !Number.isInteger(high))) {
    fail('VITUNE_INTEGER_BOUNDS', key, `${kind}(${low}, ${high}) needs integer bounds`, 'Round the bounds, or use uniform() for floats.')
  }
  if (q !== undefined) {
    validateQuantum(fail, key, q)
    if (kind.endsWith('int') && !Number.isInteger(q)) fail('VITUNE_QUANTUM', key, `${kind} needs an integer q, got ${q}`, 'Pass an integer q such as 5.')
    if (kind !== 'qrandint' && kind !== 'qlograndint' && (!isMultiple(low, q) || !isMultiple(high, q))) {
      fail(
        'VITUNE_QUANTIZATION',
        key,
        `the bounds ${low} and ${high} are not both multiples of q=${q}`,
        `Choose bounds that q divides, e.g. ${kind}(${Math.ceil(low / q) * q}, ${Math.floor(high / q) * q}, ${q}).`,
      )
    }
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isDomain(value)

/** Walks a space, validating every domain and rejecting values a config cannot hold. */
export function validateSpace(fail: Fail, spec: SpaceSpec, prefix = 'space'): void {
  for (const [name, value] of Object.entries(spec)) {
    const key = `${prefix}.${name}`
    if (isDomain(value)) validateDomain(fail, key, value)
    else if (isPlainObject(value)) validateSpace(fail, value as SpaceSpec, key)
    else if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint' || value === undefined) {
      fail(
        'VITUNE_SPACE_VALUE',
        key,
        `a ${typeof value} cannot be a config value`,
        'Use a constant, a domain such as uniform(0, 1), or sampleFrom((config) => ...) for computed values.',
      )
    }
  }
}

/** Walks a mutations spec the way Ray's PBT reads it. */
export function validateMutations(fail: Fail, spec: MutationSpecShape, prefix = 'mutate'): void {
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
    } else if (isPlainObject(value)) {
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
