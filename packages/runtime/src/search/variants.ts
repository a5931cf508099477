import { type Config, type Domain, type ExperimentDef, isDomain, type SpaceSpec } from '@vitune/dsl'
import { RunError } from '../errors.js'
import type { RandomStream } from '../random.js'
import { isRandomDomain, sampleDomain } from './sample.js'

/** One trial as the search space produced it, before any scheduler touches it. */
export interface Variant {
  /** Position in generation order, from 0. */
  readonly index: number
  /** Ray's experiment tag: `<index>_<key>=<value>,...` of the resolved grid and random values. */
  readonly tag: string
  /** The fully resolved config. */
  readonly config: Config
  /** Resolved grid and random values by key path (`a/b`). */
  readonly evaluatedParams: Readonly<Record<string, unknown>>
}

type Path = readonly string[]

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isDomain(value)

function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string
    const y = b[i] as string
    if (x !== y) return x < y ? -1 : 1
  }
  return a.length - b.length
}

/** Every domain in the spec, in traversal order, with its key path. */
function collectDomains(spec: Record<string, unknown>, prefix: Path = []): [Path, Domain][] {
  const found: [Path, Domain][] = []
  for (const [key, value] of Object.entries(spec)) {
    const path = [...prefix, key]
    if (isDomain(value)) found.push([path, value])
    else if (isPlainObject(value)) found.push(...collectDomains(value, path))
  }
  return found
}

function deepCopy(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(spec)) out[key] = isPlainObject(value) ? deepCopy(value) : value
  return out
}

function setPath(target: Record<string, unknown>, path: Path, value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>
  node[path[path.length - 1] as string] = value
}

class Unresolved extends Error {
  constructor(readonly path: string) {
    super(path)
  }
}

/** A read-only view that throws when a sampleFrom reads a value that is not resolved yet. */
function guard(node: Record<string, unknown>, prefix: string): Record<string, unknown> {
  return new Proxy(node, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver)
      if (typeof prop !== 'string') return value
      if (isDomain(value)) throw new Unresolved(`${prefix}${prop}`)
      return isPlainObject(value) ? guard(value, `${prefix}${prop}.`) : value
    },
    set() {
      throw new TypeError('sampleFrom() must not change the config it reads')
    },
  })
}

const MAX_PASSES = 20

/** Resolves random domains and sampleFrom functions in passes, as Ray's `_resolve_domain_vars`. */
function resolve(experiment: string, config: Record<string, unknown>, stream: RandomStream, evaluated: Map<string, unknown>): void {
  let pending = collectDomains(config)
  let lastDeps = new Map<string, string>()
  for (let pass = 0; pass < MAX_PASSES && pending.length > 0; pass++) {
    const deferred: [Path, Domain][] = []
    lastDeps = new Map()
    for (const [path, domain] of pending) {
      const key = path.join('.')
      let value: unknown
      if (domain.$domain === 'sampleFrom') {
        try {
          value = (domain.fn as (c: unknown) => unknown)(guard(config, ''))
        } catch (error) {
          if (error instanceof Unresolved) {
            deferred.push([path, domain])
            lastDeps.set(key, error.path)
            continue
          }
          throw new RunError(
            'VITUNE_SAMPLE_FROM_FAILED',
            `experiment "${experiment}": sampleFrom at \`space.${key}\` threw: ${(error as Error)?.message ?? String(error)}. Fix the function; it receives the resolved config.`,
            { cause: error },
          )
        }
        if (isDomain(value) && value.$domain === 'grid') {
          throw new RunError(
            'VITUNE_SAMPLE_FROM_FAILED',
            `experiment "${experiment}": sampleFrom at \`space.${key}\` returned a grid; grids must be written in the space itself.`,
          )
        }
        if (isDomain(value)) {
          deferred.push([path, value])
          setPath(config, path, value)
          continue
        }
      } else if (domain.$domain === 'grid') {
        throw new RunError(
          'VITUNE_SAMPLE_FROM_FAILED',
          `experiment "${experiment}": a grid at \`space.${key}\` could not be expanded; grids cannot be nested inside grids.`,
        )
      } else if (isRandomDomain(domain)) {
        value = sampleDomain(domain, stream)
      }
      setPath(config, path, value)
      evaluated.set(path.join('/'), value)
    }
    if (deferred.length === pending.length && deferred.every(([p]) => lastDeps.has(p.join('.')))) {
      const chain = [...lastDeps].map(([from, to]) => `\`${from}\` reads \`${to}\``).join(', ')
      throw new RunError(
        'VITUNE_SAMPLE_FROM_CYCLE',
        `experiment "${experiment}": sampleFrom values depend on each other in a cycle: ${chain}. Break the cycle: one of them must not read the other.`,
      )
    }
    pending = deferred
  }
  if (pending.length > 0) {
    throw new RunError(
      'VITUNE_SAMPLE_FROM_CYCLE',
      `experiment "${experiment}": could not resolve ${pending.map(([p]) => `\`space.${p.join('.')}\``).join(', ')} after ${MAX_PASSES} passes. Check for sampleFrom values that depend on each other.`,
    )
  }
}

/** Ray's `format_vars`: sorted by path, last key only, floats to 4 decimals, other values cleaned. */
export function formatVars(params: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>): string {
  const entries = params instanceof Map ? [...params] : Object.entries(params)
  return entries
    .map(([path, value]) => [path.split('/'), value] as const)
    .sort(([a], [b]) => comparePaths(a, b))
    .map(([path, value]) => `${path[path.length - 1]}=${formatValue(value)}`)
    .join(',')
}

function formatValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(4)
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return text.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '')
}

/** Deep-freezes a config so no trial can change another's by accident. */
export function freezeConfig<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) freezeConfig(child)
    Object.freeze(value)
  }
  return value
}

/**
 * Expands a space into trials as Ray's BasicVariantGenerator does: grid keys sorted by path and
 * enumerated like an odometer (first key fastest), random domains drawn per grid point, the whole
 * grid repeated `samples` times.
 */
export function generateVariants(def: Pick<ExperimentDef, 'name' | 'space' | 'samples'>, stream: RandomStream): Variant[] {
  const grids = collectDomains(def.space as Record<string, unknown>)
    .filter(([, d]) => d.$domain === 'grid')
    .sort(([a], [b]) => comparePaths(a, b)) as [Path, Extract<Domain, { $domain: 'grid' }>][]
  const sizes = grids.map(([, d]) => d.values.length)
  const combinations = sizes.reduce((n, s) => n * s, 1)
  const variants: Variant[] = []
  for (let sample = 0; sample < def.samples; sample++) {
    for (let combo = 0; combo < combinations; combo++) {
      const config = deepCopy(def.space as SpaceSpec as Record<string, unknown>)
      const evaluated = new Map<string, unknown>()
      let rest = combo
      grids.forEach(([path, domain], i) => {
        const size = sizes[i] as number
        const value = domain.values[rest % size]
        rest = Math.floor(rest / size)
        setPath(config, path, value)
        if (!isDomain(value)) evaluated.set(path.join('/'), value)
      })
      resolve(def.name, config, stream, evaluated)
      const index = variants.length
      const vars = formatVars(evaluated)
      variants.push({
        index,
        tag: vars === '' ? String(index) : `${index}_${vars}`,
        config: freezeConfig(config),
        evaluatedParams: Object.fromEntries(evaluated),
      })
    }
  }
  return variants
}
