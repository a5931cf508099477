import type { Domain, RandomDomain } from '@vitune/dsl'
import { type RandomStream, randomChoice } from '../random.js'
import { multipleOf, multiplesWithin, quantize } from './quantize.js'

function normal(stream: RandomStream): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  const u = 1 - stream.next()
  const v = stream.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value))

/**
 * A float whose logarithm is uniform in [log low, log high]. The base of the logarithm does not
 * change the distribution (Ray deprecated it for that reason), so natural logs are used; the clamp
 * absorbs the last-bit error of `exp(log(x))`.
 */
function logUniform(low: number, high: number, stream: RandomStream): number {
  const logLow = Math.log(low)
  return clamp(Math.exp(logLow + stream.next() * (Math.log(high) - logLow)), low, high)
}

/** The bounds of a quantized domain, shrunk inward to multiples of q (Ray's `Quantized.sample`). */
function quantizedBounds(low: number, high: number, q: number): [number, number] {
  const [first, last] = multiplesWithin(low, high, q)
  return [multipleOf(first, q), multipleOf(last, q)]
}

/**
 * Draws one value from a random domain with Ray's semantics (docs/search-space.md), except that
 * quantized domains always quantize (Ray skips q = 1) and `qrandint` draws every multiple of q in
 * [low, high] with equal probability (docs/ray-differences.md).
 */
export function sampleDomain(domain: RandomDomain, stream: RandomStream): unknown {
  switch (domain.$domain) {
    case 'choice':
      return randomChoice(stream, domain.values)
    case 'uniform':
      return clamp(domain.low + stream.next() * (domain.high - domain.low), domain.low, domain.high)
    case 'quniform': {
      const q = domain.q ?? 1
      const [low, high] = quantizedBounds(domain.low, domain.high, q)
      return clamp(quantize(low + stream.next() * (high - low), q), low, high)
    }
    case 'loguniform':
      return logUniform(domain.low, domain.high, stream)
    case 'qloguniform': {
      const q = domain.q ?? 1
      const [low, high] = quantizedBounds(domain.low, domain.high, q)
      return clamp(quantize(logUniform(low, high, stream), q), low, high)
    }
    case 'randn':
      return domain.mean + domain.sd * normal(stream)
    case 'qrandn':
      return quantize(domain.mean + domain.sd * normal(stream), domain.q ?? 1)
    case 'randint':
      return domain.low + Math.floor(stream.next() * (domain.high - domain.low))
    case 'qrandint': {
      const q = domain.q ?? 1
      const [first, last] = multiplesWithin(domain.low, domain.high, q)
      return (first + Math.floor(stream.next() * (last - first + 1))) * q
    }
    case 'lograndint':
      return clamp(Math.floor(logUniform(domain.low, domain.high, stream)), domain.low, domain.high - 1)
    case 'qlograndint': {
      const q = domain.q ?? 1
      const [low, high] = quantizedBounds(domain.low, domain.high, q)
      return clamp(quantize(logUniform(low, high, stream), q), low, high)
    }
  }
}

/** True for domains that draw at random (not `grid`, not `sampleFrom`). */
export function isRandomDomain(domain: Domain): domain is RandomDomain {
  return domain.$domain !== 'grid' && domain.$domain !== 'sampleFrom'
}

/** True for domains whose values are integers. */
export function isIntegerDomain(domain: Domain): boolean {
  return domain.$domain === 'randint' || domain.$domain === 'qrandint' || domain.$domain === 'lograndint' || domain.$domain === 'qlograndint'
}

/** The largest value a bounded domain can produce: `high`, or `high - 1` where Ray excludes it. */
function upperBound(domain: Extract<RandomDomain, { high: number }>): number {
  return domain.$domain === 'randint' || domain.$domain === 'lograndint' ? domain.high - 1 : domain.high
}

/**
 * Pulls a value back inside a domain: clamps to its bounds and puts it on its quantization grid.
 * Used to keep PBT perturbations inside the declared space.
 */
export function fitToDomain(domain: RandomDomain, value: number): number {
  switch (domain.$domain) {
    case 'choice':
    case 'randn':
      return value
    case 'qrandn':
      return quantize(value, domain.q ?? 1)
    default: {
      const upper = upperBound(domain)
      if (domain.q !== undefined) {
        const [low, high] = quantizedBounds(domain.low, upper, domain.q)
        return clamp(quantize(clamp(value, domain.low, upper), domain.q), low, high)
      }
      const v = clamp(value, domain.low, upper)
      return isIntegerDomain(domain) ? Math.round(v) : v
    }
  }
}
