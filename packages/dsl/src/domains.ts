/**
 * Search-space domains as plain, tagged, serialisable data. Sampling them is the runtime's job;
 * validation (with the experiment and key in the message) happens in the builder.
 */

/** Marker key every domain object carries; a string, so domains survive a JSON round trip. */
export const DOMAIN_TAG = '$domain'

interface DomainBase<T> {
  /** Phantom: the type of value this domain produces. Never present at run time. */
  readonly __value?: T
}

/** `grid([...])`: every value becomes its own trial (Ray's `grid_search`). */
export interface GridDomain<T> extends DomainBase<T> {
  readonly $domain: 'grid'
  readonly values: readonly T[]
}
/** `choice([...])`: one value drawn uniformly. */
export interface ChoiceDomain<T> extends DomainBase<T> {
  readonly $domain: 'choice'
  readonly values: readonly T[]
}
/** A float drawn uniformly, log-uniformly or normally, optionally quantized to a multiple of `q`. */
export interface FloatDomain extends DomainBase<number> {
  readonly $domain: 'uniform' | 'quniform' | 'loguniform' | 'qloguniform'
  readonly low: number
  readonly high: number
  readonly q?: number
  readonly base?: number
}
/** A normally distributed float, optionally quantized. */
export interface NormalDomain extends DomainBase<number> {
  readonly $domain: 'randn' | 'qrandn'
  readonly mean: number
  readonly sd: number
  readonly q?: number
}
/** An integer: `randint` and `lograndint` exclude `high`; the quantized forms can reach it, as in Ray. */
export interface IntegerDomain extends DomainBase<number> {
  readonly $domain: 'randint' | 'qrandint' | 'lograndint' | 'qlograndint'
  readonly low: number
  readonly high: number
  readonly q?: number
  readonly base?: number
}
/** `sampleFrom(fn)`: a value computed from the rest of the resolved config (Ray's `sample_from`). */
export interface SampleFromDomain<T> extends DomainBase<T> {
  readonly $domain: 'sampleFrom'
  readonly fn: (config: never, random: () => number) => T
}

/** Any domain that draws a value at random (what `mutate()` accepts besides lists and functions). */
export type RandomDomain = ChoiceDomain<unknown> | FloatDomain | NormalDomain | IntegerDomain
/** Any domain. */
export type Domain = GridDomain<unknown> | SampleFromDomain<unknown> | RandomDomain

/** True when `value` is one of our domain objects. */
export function isDomain(value: unknown): value is Domain {
  return typeof value === 'object' && value !== null && DOMAIN_TAG in value
}

/** A copy of the values as a list; anything else is kept for validation to reject with a clear message. */
function listOf<T>(values: Iterable<T>): readonly T[] {
  const iterable = typeof values === 'object' && values !== null && typeof (values as Partial<Iterable<T>>)[Symbol.iterator] === 'function'
  return iterable && typeof values !== 'string' ? [...values] : (values as unknown as readonly T[])
}

/** True for a nested object of a space, a mutations spec or a config: a plain object that is not a domain. */
export function isNestedSpec(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isDomain(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Every value in `values` becomes its own trial; grids multiply (Ray's `grid_search`). Any iterable works. */
export function grid<const T>(values: readonly T[]): GridDomain<T>
/** Every value the iterable yields becomes its own trial, in order (Ray's `grid_search(range(10))`). */
export function grid<T>(values: Iterable<T>): GridDomain<T>
export function grid<T>(values: Iterable<T>): GridDomain<T> {
  return { $domain: 'grid', values: listOf(values) }
}
/** One of `values`, drawn uniformly. */
export function choice<const T>(values: readonly T[]): ChoiceDomain<T> {
  return { $domain: 'choice', values: listOf(values) }
}
/** A float drawn uniformly from [low, high). */
export function uniform(low: number, high: number): FloatDomain {
  return { $domain: 'uniform', low, high }
}
/** A uniform float rounded to a multiple of `q`; `low` and `high` must be multiples of `q`. */
export function quniform(low: number, high: number, q: number): FloatDomain {
  return { $domain: 'quniform', low, high, q }
}
/** A float whose logarithm is uniform in [log low, log high); `low` must be positive. */
export function loguniform(low: number, high: number, base = 10): FloatDomain {
  return { $domain: 'loguniform', low, high, base }
}
/** A log-uniform float rounded to a multiple of `q`. */
export function qloguniform(low: number, high: number, q: number, base = 10): FloatDomain {
  return { $domain: 'qloguniform', low, high, q, base }
}
/** A normally distributed float. */
export function randn(mean = 0, sd = 1): NormalDomain {
  return { $domain: 'randn', mean, sd }
}
/** A normally distributed float rounded to a multiple of `q`. */
export function qrandn(mean: number, sd: number, q: number): NormalDomain {
  return { $domain: 'qrandn', mean, sd, q }
}
/** An integer in [low, high): `high` is excluded, as in Ray. */
export function randint(low: number, high: number): IntegerDomain {
  return { $domain: 'randint', low, high }
}
/** An integer multiple of `q` in [low, high]: rounding makes `high` reachable, as in Ray. */
export function qrandint(low: number, high: number, q = 1): IntegerDomain {
  return { $domain: 'qrandint', low, high, q }
}
/** An integer whose logarithm is uniform, in [low, high). */
export function lograndint(low: number, high: number, base = 10): IntegerDomain {
  return { $domain: 'lograndint', low, high, base }
}
/** A log-uniform integer rounded to a multiple of `q`, in [low, high]. */
export function qlograndint(low: number, high: number, q: number, base = 10): IntegerDomain {
  return { $domain: 'qlograndint', low, high, q, base }
}
/**
 * A value computed from the resolved config, which may hold grid values and other `sampleFrom`
 * results. Annotate the parameter with what you read: `sampleFrom((c: { h0: number }) => 1 - c.h0)`.
 * The optional second argument is the experiment's seeded stream in [0, 1): use it instead of
 * `Math.random` so runs repeat.
 */
export function sampleFrom<T, C = Readonly<Record<string, unknown>>>(fn: (config: C, random: () => number) => T): SampleFromDomain<T> {
  return { $domain: 'sampleFrom', fn: fn as (config: never, random: () => number) => T }
}
