import { type Config, type Domain, type ExperimentDef, isDomain, isNestedSpec } from '@vitune/dsl'
import { RunError } from '../errors.js'
import type { RandomStream } from '../random.js'
import { configValueProblem } from './config-value.js'
import { isRandomDomain, sampleDomain } from './sample.js'

/** One trial as the search space produced it, before any scheduler touches it. */
export interface Variant {
  /** Position in generation order, from 0. */
  readonly index: number
  /** Ray's experiment tag: `<index>_<key>=<value>,...` of the resolved grid and random values. */
  readonly tag: string
  /** The fully resolved config. */
  readonly config: Config
  /** Resolved grid and random values by key path (`a/b`, list items by index: `layers/0`). */
  readonly evaluatedParams: Readonly<Record<string, unknown>>
}

/** A key path into a config: object keys, and list indices as numbers (as Ray's tuples). */
type Path = readonly (string | number)[]
type Node = Record<string | number, unknown>
type GridDomain = Extract<Domain, { $domain: 'grid' }>

const isContainer = (value: unknown): value is Node => Array.isArray(value) || isNestedSpec(value)

/** Ray sorts key paths as tuples: element by element, numbers numerically, shorter first. */
function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | number
    const y = b[i] as string | number
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x - y
    return String(x) < String(y) ? -1 : 1
  }
  return a.length - b.length
}

const showPath = (path: Path): string => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')

/** Every domain in a config, in traversal order (objects and lists, as Ray), with its key path. */
function collectDomains(node: unknown, prefix: Path = []): [Path, Domain][] {
  const found: [Path, Domain][] = []
  const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node as object)
  for (const [key, value] of entries) {
    const path = [...prefix, key]
    if (isDomain(value)) found.push([path, value])
    else if (isContainer(value)) found.push(...collectDomains(value, path))
  }
  return found
}

/** Copies the plain objects and lists of a space; domains, functions and leaves are shared. */
function copyTree<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyTree) as T
  if (isNestedSpec(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyTree(v)])) as T
  return value
}

function setPath(target: Node, path: Path, value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) node = node[key] as Node
  node[path[path.length - 1] as string | number] = value
}

/** Thrown by the guard when a sampleFrom reads a value that is not resolved yet. */
class Unresolved extends Error {
  constructor(readonly path: string) {
    super(path)
  }
}

/** Names that libraries probe for on any object; reading them is not a mistake in the space. */
const PROBED = new Set(['then', 'toJSON', 'constructor', 'asymmetricMatch', '$$typeof', 'nodeType', 'length'])

/** Thrown by the guard when a sampleFrom reads a key the space does not define. */
class MissingKey extends Error {
  constructor(readonly path: string) {
    super(path)
  }
}

/**
 * A read-only view of the config for sampleFrom, like Ray's `_UnresolvedAccessGuard`: reading a
 * value that is still a domain defers the sampleFrom to a later pass; reading a key that does not
 * exist is an error instead of a silent `undefined`.
 */
function guard(node: Node, prefix: string): Node {
  return new Proxy(node, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver)
      if (typeof prop !== 'string') return value
      const path = Array.isArray(target) ? `${prefix}[${prop}]` : prefix === '' ? prop : `${prefix}.${prop}`
      if (isDomain(value)) throw new Unresolved(path)
      if (value === undefined && !(prop in target) && !PROBED.has(prop)) throw new MissingKey(path)
      return isContainer(value) ? guard(value, path) : value
    },
    set() {
      throw new TypeError('sampleFrom() must not change the config it reads')
    },
    deleteProperty() {
      throw new TypeError('sampleFrom() must not change the config it reads')
    },
  })
}

const MAX_PASSES = 20

/**
 * Resolves random domains and sampleFrom functions in passes, as Ray's `_resolve_domain_vars`:
 * every pass visits the unresolved domains in traversal order; a sampleFrom that reads an
 * unresolved value waits for the next pass. A pass that resolves nothing means a cycle.
 */
function resolve(experiment: string, config: Node, stream: RandomStream, evaluated: Map<string, unknown>): void {
  let pending = collectDomains(config)
  const random = () => stream.next()
  for (let pass = 0; pass < MAX_PASSES && pending.length > 0; pass++) {
    const deferred: [Path, Domain][] = []
    const waitsOn = new Map<string, string>()
    for (const [path, domain] of pending) {
      const key = showPath(path)
      let value: unknown
      if (domain.$domain === 'sampleFrom') {
        try {
          value = (domain.fn as unknown as (c: unknown, r: () => number) => unknown)(guard(config, ''), random)
        } catch (error) {
          if (error instanceof Unresolved) {
            deferred.push([path, domain])
            waitsOn.set(key, error.path)
            continue
          }
          if (error instanceof MissingKey) {
            throw new RunError(
              'VITUNE_SAMPLE_FROM_FAILED',
              `experiment "${experiment}": sampleFrom at \`space.${key}\` reads \`${error.path}\`, which the space does not define. Add \`${error.path}\` to .space(), or fix the name.`,
            )
          }
          throw new RunError(
            'VITUNE_SAMPLE_FROM_FAILED',
            `experiment "${experiment}": sampleFrom at \`space.${key}\` threw: ${(error as Error)?.message ?? String(error)}. Fix the function; it receives the resolved config.`,
            { cause: error },
          )
        }
        if (isDomain(value)) {
          if (value.$domain === 'grid') {
            throw new RunError(
              'VITUNE_SAMPLE_FROM_FAILED',
              `experiment "${experiment}": sampleFrom at \`space.${key}\` returned a grid; a grid must be written in the space itself, where it multiplies the trials.`,
            )
          }
          // A sampleFrom may return a domain (Ray samples it): resolve it in the next pass.
          setPath(config, path, value)
          deferred.push([path, value])
          continue
        }
        const problem = configValueProblem(value)
        if (problem !== undefined) {
          throw new RunError(
            'VITUNE_SAMPLE_FROM_FAILED',
            `experiment "${experiment}": sampleFrom at \`space.${key}\` returned ${problem}. Return plain data: a finite number, a string, a boolean, null, or plain objects and lists of these.`,
          )
        }
      } else if (domain.$domain === 'grid') {
        throw new RunError(
          'VITUNE_SAMPLE_FROM_FAILED',
          `experiment "${experiment}": a grid at \`space.${key}\` sits inside another grid's value; grids cannot be nested. Write both grids as keys of the space.`,
        )
      } else if (isRandomDomain(domain)) {
        value = sampleDomain(domain, stream)
      }
      setPath(config, path, value)
      evaluated.set(path.join('/'), value)
    }
    if (deferred.length > 0 && deferred.length === pending.length && deferred.every(([p]) => waitsOn.has(showPath(p)))) {
      const chain = [...waitsOn].map(([from, to]) => (from === to ? `\`${from}\` reads itself` : `\`${from}\` reads \`${to}\``)).join(', ')
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
      `experiment "${experiment}": could not resolve ${pending.map(([p]) => `\`space.${showPath(p)}\``).join(', ')} after ${MAX_PASSES} passes. Check for sampleFrom values that keep returning domains.`,
    )
  }
}

/** Ray's `format_vars`: sorted by path, last key only, floats to 4 decimals, other values cleaned. */
export function formatVars(params: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>): string {
  const entries = params instanceof Map ? [...params] : Object.entries(params)
  return entries
    .map(([path, value]) => [path.split('/').map((p: string) => (/^\d+$/.test(p) ? Number(p) : p)), value] as const)
    .sort(([a], [b]) => comparePaths(a, b))
    .map(([path, value]) => `${path[path.length - 1]}=${formatValue(value)}`)
    .join(',')
}

/** Python's spelling of the JSON constants, so tags read as Ray's (`bar=True`). */
const PYTHON_CONSTANTS: Readonly<Record<string, string>> = { true: 'True', false: 'False', null: 'None' }

function formatValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(4)
  if (typeof value === 'boolean' || value === null) return PYTHON_CONSTANTS[String(value)] as string
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
 * enumerated like an odometer (first key fastest), random domains and sampleFrom resolved per
 * grid point (so they may read grid values), the whole grid repeated `samples` times.
 */
export function generateVariants(def: Pick<ExperimentDef, 'name' | 'space' | 'samples'>, stream: RandomStream): Variant[] {
  const grids = collectDomains(def.space)
    .filter((entry): entry is [Path, GridDomain] => entry[1].$domain === 'grid')
    .sort(([a], [b]) => comparePaths(a, b))
  const sizes = grids.map(([, d]) => d.values.length)
  const combinations = sizes.reduce((n, s) => n * s, 1)
  const variants: Variant[] = []
  for (let sample = 0; sample < def.samples; sample++) {
    for (let combo = 0; combo < combinations; combo++) {
      const config = copyTree(def.space) as Node
      const evaluated = new Map<string, unknown>()
      let rest = combo
      grids.forEach(([path, domain], i) => {
        const size = sizes[i] as number
        // A copy, so resolving domains inside one trial's grid value cannot leak into another's.
        const value = copyTree(domain.values[rest % size])
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
