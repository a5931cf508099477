import { type Domain, isDomain, isNestedSpec } from './domains.js'
import type { MutateOptions, MutationSpecShape, SpaceSpec } from './types.js'
import { DOMAIN_KINDS, type Fail, show, validateDomain } from './validate.js'

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
