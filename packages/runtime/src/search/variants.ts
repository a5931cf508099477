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

/**
 * Every domain in a config, in traversal order (objects and lists, as Ray), with its key path.
 * Runs once per trial: paths are only made for domains and containers, not for every leaf.
 */
function collectDomains(node: unknown, prefix: Path = [], found: [Path, Domain][] = []): [Path, Domain][] {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const value: unknown = node[i]
      if (isDomain(value)) found.push([[...prefix, i], value])
      else if (isContainer(value)) collectDomains(value, [...prefix, i], found)
    }
    return found
  }
  for (const key of Object.keys(node as Node)) {
    const value = (node as Node)[key]
    if (isDomain(value)) found.push([[...prefix, key], value])
    else if (isContainer(value)) collectDomains(value, [...prefix, key], found)
  }
  return found
}

/** Copies the plain objects and lists of a space; domains, functions and leaves are shared. Written as loops: it runs once per trial. */
function copyTree<T>(value: T): T {
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) copy[i] = copyTree(value[i])
    return copy as T
  }
  if (!isNestedSpec(value)) return value
  const copy: Node = {}
  for (const key of Object.keys(value)) {
    // Assigning `__proto__` would set the prototype, not a key (the DSL refuses such keys anyway).
    if (key === '__proto__') Object.defineProperty(copy, key, { value: copyTree(value[key]), enumerable: true, writable: true, configurable: true })
    else copy[key] = copyTree(value[key])
  }
  return copy as T
}

function setPath(target: Node, path: Path, value: unknown): void {
  let node = target
  for (let i = 0; i < path.length - 1; i++) node = node[path[i] as string | number] as Node
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
  if (pending.length === 0) return
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

/** A key path as written in `evaluatedParams` (`layers/0`), as a Path: list indices as numbers. */
const parsePath = (text: string): Path => text.split('/').map((p) => (/^\d+$/.test(p) ? Number(p) : p))

/** Ray's `format_vars`: sorted by path, last key only, floats to 4 decimals, other values cleaned. */
export function formatVars(params: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>): string {
  return formatEntries(params instanceof Map ? params : new Map(Object.entries(params)), undefined)
}

/**
 * formatVars over [path, value] entries. With `parsed`, each path is parsed once and kept: a grid
 * of a million trials formats the same few paths a million times.
 */
function formatEntries(params: ReadonlyMap<string, unknown>, parsed: Map<string, Path> | undefined): string {
  if (params.size === 1) {
    // The common case, a single grid key: no sorting, no list.
    let vars = ''
    params.forEach((value, text) => {
      vars = formatVar(parsedPath(text, parsed), value)
    })
    return vars
  }
  const keyed: { readonly path: Path; readonly value: unknown }[] = []
  params.forEach((value, text) => {
    keyed.push({ path: parsedPath(text, parsed), value })
  })
  keyed.sort((a, b) => comparePaths(a.path, b.path))
  return keyed.map(({ path, value }) => formatVar(path, value)).join(',')
}

function parsedPath(text: string, parsed: Map<string, Path> | undefined): Path {
  if (parsed === undefined) return parsePath(text)
  let path = parsed.get(text)
  if (path === undefined) {
    path = parsePath(text)
    parsed.set(text, path)
  }
  return path
}

/** One `key=value` of a tag: the path's last key only, as Ray's. */
function formatVar(path: Path, value: unknown): string {
  return `${path[path.length - 1]}=${formatValue(value)}`
}

/** Python's spelling of the JSON constants, so tags read as Ray's (`bar=True`). */
const PYTHON_CONSTANTS: Readonly<Record<string, string>> = { true: 'True', false: 'False', null: 'None' }

function formatValue(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return value.toFixed(4)
    // Digits and a sign need no cleaning (larger integers print as 1e+21, whose '+' does).
    if (Number.isSafeInteger(value)) return String(value)
  }
  if (typeof value === 'boolean' || value === null) return PYTHON_CONSTANTS[String(value)] as string
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return text.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '')
}

/** Deep-freezes a config so no trial can change another's by accident. */
export function freezeConfig<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) freezeConfig((value as Node)[key])
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
  const variants: Variant[] = []
  expandVariants(def, stream, (index, tag, config, evaluated) => {
    variants.push({ index, tag, config, evaluatedParams: Object.fromEntries(evaluated) })
  })
  return variants
}

/**
 * generateVariants without a Variant per trial: `emit` gets each one's index, tag, frozen config and
 * resolved values in order (`evaluated` is only valid during the call). A run makes its trials from
 * it directly, which matters at a million trials.
 */
export function expandVariants(
  def: Pick<ExperimentDef, 'name' | 'space' | 'samples'>,
  stream: RandomStream,
  emit: (index: number, tag: string, config: Config, evaluated: ReadonlyMap<string, unknown>) => void,
): void {
  const grids = collectDomains(def.space)
    .filter((entry): entry is [Path, GridDomain] => entry[1].$domain === 'grid')
    .sort(([a], [b]) => comparePaths(a, b))
  const sizes = grids.map(([, d]) => d.values.length)
  const keys = grids.map(([path]) => path.join('/'))
  const combinations = sizes.reduce((n, s) => n * s, 1)
  const parsed = new Map<string, Path>()
  // One map for every trial, cleared each time: `emit` reads it only during the call.
  const evaluated = new Map<string, unknown>()
  let index = 0
  for (let sample = 0; sample < def.samples; sample++) {
    for (let combo = 0; combo < combinations; combo++) {
      const config = copyTree(def.space) as Node
      evaluated.clear()
      let rest = combo
      for (let g = 0; g < grids.length; g++) {
        const [path, domain] = grids[g] as [Path, GridDomain]
        const size = sizes[g] as number
        // A copy, so resolving domains inside one trial's grid value cannot leak into another's.
        const value = copyTree(domain.values[rest % size])
        rest = Math.floor(rest / size)
        setPath(config, path, value)
        if (!isDomain(value)) evaluated.set(keys[g] as string, value)
      }
      resolve(def.name, config, stream, evaluated)
      const vars = formatEntries(evaluated, parsed)
      emit(index, vars === '' ? String(index) : `${index}_${vars}`, freezeConfig(config), evaluated)
      index++
    }
  }
}
