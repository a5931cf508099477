import { type Config, isDomain, isNestedSpec, type MutationSpecShape, type MutationValue, type RandomDomain } from '@vitune/dsl'
import { cloneCheckpoint } from '../clone.js'
import { type RandomStream, randomChoice } from '../random.js'
import { fitToDomain, isIntegerDomain, sampleDomain } from '../search/sample.js'

/** Settings explore reads. */
export interface ExploreOptions {
  readonly resampleProbability: number
  readonly perturbationFactors: readonly number[]
  readonly keepInBounds: boolean
  readonly customExplore?: ((config: Config) => Config) | undefined
}

/** The explored config and, per mutated key, what was done to it. */
export interface Explored {
  readonly config: Config
  readonly operations: Readonly<Record<string, unknown>>
}

/** Value equality for JSON-like data (Python's `==` on lists and dicts). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

function exploreList(values: readonly unknown[], current: unknown, p: number, stream: RandomStream): [unknown, string] {
  const u = stream.next()
  // Python's `in` and `list.index` compare by value; configs are copies, so compare deeply.
  const index = values.findIndex((v) => sameValue(v, current))
  if (u < p || index === -1) return [randomChoice(stream, values), 'resample']
  const shift = randomChoice(stream, [-1, 1])
  const next = Math.min(values.length - 1, Math.max(0, index + shift))
  const op = shift < 0 ? 'shift left' : 'shift right'
  return [values[next], next === index ? `${op} (noop)` : op]
}

function exploreContinuous(spec: RandomDomain | (() => unknown), current: unknown, options: ExploreOptions, stream: RandomStream): [unknown, string] {
  const u = stream.next()
  if (u < options.resampleProbability) return [typeof spec === 'function' ? spec() : sampleDomain(spec, stream), 'resample']
  const factor = randomChoice(stream, options.perturbationFactors)
  if (typeof current !== 'number') {
    throw new TypeError(`cannot multiply the non-number value ${JSON.stringify(current)} by ${factor}; use a list of values for categorical mutations`)
  }
  let value = current * factor
  if (typeof spec !== 'function') {
    // Ray truncates ints with int(), ratcheting small values down to 0; we round (docs/ray-differences.md).
    if (isIntegerDomain(spec)) value = Math.round(value)
    if (options.keepInBounds) value = fitToDomain(spec, value)
  }
  return [value, `* ${factor}`]
}

function exploreLevel(config: Config, spec: MutationSpecShape, options: ExploreOptions, stream: RandomStream, path: string): Explored {
  const next: Record<string, unknown> = { ...config }
  const operations: Record<string, unknown> = {}
  for (const [key, mutation] of Object.entries(spec) as [string, MutationValue][]) {
    const current = config[key]
    if (isNestedSpec(mutation) && typeof mutation !== 'function') {
      if (!isNestedSpec(current)) throw new TypeError(`the config has no object at \`${path}${key}\` for the nested mutation`)
      const inner = exploreLevel(current, mutation as MutationSpecShape, options, stream, `${path}${key}.`)
      next[key] = inner.config
      operations[key] = inner.operations
    } else if (Array.isArray(mutation)) {
      ;[next[key], operations[key]] = exploreList(mutation, current, options.resampleProbability, stream)
    } else if (isDomain(mutation) && mutation.$domain === 'choice') {
      // Ray multiplies tune.choice values like floats; we treat a choice like a list (docs/ray-differences.md).
      ;[next[key], operations[key]] = exploreList(mutation.values, current, options.resampleProbability, stream)
    } else if (isDomain(mutation) || typeof mutation === 'function') {
      ;[next[key], operations[key]] = exploreContinuous(mutation as RandomDomain | (() => unknown), current, options, stream)
    } else {
      // Ray raises ValueError for a set or a string here.
      throw new TypeError(`unsupported mutation at \`${path}${key}\`: use a list, a domain, a function or a nested object`)
    }
  }
  return { config: next, operations }
}

/**
 * PBT's explore step (Ray's `_explore`), a pure function of the donor's config and the stream:
 * lists are resampled or shifted one step, domains and functions resampled or multiplied by a
 * perturbation factor, nested objects recursed, and the custom explore function applied last.
 */
export function explore(donorConfig: Config, mutations: MutationSpecShape, options: ExploreOptions, stream: RandomStream): Explored {
  const explored = exploreLevel(cloneCheckpoint(donorConfig) as Config, mutations, options, stream, '')
  if (options.customExplore === undefined) return explored
  const custom = options.customExplore(explored.config)
  if (custom === undefined || custom === null || typeof custom !== 'object') {
    throw new TypeError('customExplore must return the new config object')
  }
  return { config: custom, operations: explored.operations }
}

/** Fills top-level mutation keys the config lacks, as Ray's `_fill_config` does at trial add. */
export function fillMissing(config: Config, mutations: MutationSpecShape, stream: RandomStream): Config | undefined {
  let filled: Record<string, unknown> | undefined
  for (const [key, mutation] of Object.entries(mutations) as [string, MutationValue][]) {
    if (key in config) continue
    filled ??= { ...config }
    filled[key] = sampleMutation(mutation, stream)
  }
  return filled
}

function sampleMutation(mutation: MutationValue, stream: RandomStream): unknown {
  if (typeof mutation === 'function') return mutation()
  if (Array.isArray(mutation)) return randomChoice(stream, mutation)
  if (isDomain(mutation)) return sampleDomain(mutation as RandomDomain, stream)
  const nested: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(mutation as MutationSpecShape)) nested[key] = sampleMutation(inner, stream)
  return nested
}
