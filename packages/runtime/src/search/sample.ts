import type { Domain, RandomDomain } from '@vitune/dsl'
import { type RandomStream, randomChoice } from '../random.js'
import { multipleOf, quantize } from './quantize.js'

const log = (x: number, base: number) => Math.log(x) / Math.log(base)

function normal(stream: RandomStream): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  const u = 1 - stream.next()
  const v = stream.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** The range a quantized domain samples from: its bounds shrunk inward to multiples of q. */
function quantizedRange(low: number, high: number, q: number): [number, number] {
  return [multipleOf(Math.ceil(low / q - 1e-9), q), multipleOf(Math.floor(high / q + 1e-9), q)]
}

/** Draws one value from a random domain, with Ray's semantics (see docs/search-space.md). */
export function sampleDomain(domain: RandomDomain, stream: RandomStream): unknown {
  switch (domain.$domain) {
    case 'choice':
      return randomChoice(stream, domain.values)
    case 'uniform':
      return domain.low + stream.next() * (domain.high - domain.low)
    case 'quniform': {
      const [low, high] = quantizedRange(domain.low, domain.high, domain.q ?? 1)
      return quantize(low + stream.next() * (high - low), domain.q ?? 1)
    }
    case 'loguniform': {
      const base = domain.base ?? 10
      return base ** (log(domain.low, base) + stream.next() * (log(domain.high, base) - log(domain.low, base)))
    }
    case 'qloguniform': {
      const base = domain.base ?? 10
      const q = domain.q ?? 1
      const [low, high] = quantizedRange(domain.low, domain.high, q)
      const value = base ** (log(low, base) + stream.next() * (log(high, base) - log(low, base)))
      return quantize(value, q)
    }
    case 'randn':
      return domain.mean + domain.sd * normal(stream)
    case 'qrandn':
      return quantize(domain.mean + domain.sd * normal(stream), domain.q ?? 1)
    case 'randint':
      return Math.floor(domain.low + stream.next() * (domain.high - domain.low))
    case 'qrandint': {
      const q = domain.q ?? 1
      const [low, high] = quantizedRange(domain.low, domain.high, q)
      return Math.min(high, quantize(low + stream.next() * (high - low), q))
    }
    case 'lograndint': {
      const base = domain.base ?? 10
      const value = base ** (log(domain.low, base) + stream.next() * (log(domain.high, base) - log(domain.low, base)))
      return Math.min(domain.high - 1, Math.floor(value))
    }
    case 'qlograndint': {
      const base = domain.base ?? 10
      const q = domain.q ?? 1
      const value = base ** (log(domain.low, base) + stream.next() * (log(domain.high, base) - log(domain.low, base)))
      const [low, high] = quantizedRange(domain.low, domain.high, q)
      return Math.min(high, Math.max(low, quantize(value, q)))
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

/**
 * Pulls a value back inside a domain: clamps to its bounds and puts it on its quantization grid.
 * Used to keep PBT perturbations inside the declared space.
 */
export function fitToDomain(domain: RandomDomain, value: number): number {
  switch (domain.$domain) {
    case 'choice':
      return value
    case 'randn':
      return value
    case 'qrandn':
      return quantize(value, domain.q ?? 1)
    default: {
      const integer = isIntegerDomain(domain)
      const upper = domain.$domain === 'randint' || domain.$domain === 'lograndint' ? domain.high - 1 : domain.high
      let v = Math.min(upper, Math.max(domain.low, value))
      if (domain.q !== undefined) {
        const [low, high] = quantizedRange(domain.low, upper, domain.q)
        v = Math.min(high, Math.max(low, quantize(v, domain.q)))
      } else if (integer) {
        v = Math.round(v)
      }
      return v
    }
  }
}
