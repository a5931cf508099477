/** A seeded stream of uniform numbers in [0, 1) with 53 bits of resolution. */
export interface RandomStream {
  /** The next number in [0, 1); a function of its own, so it can be handed out (a trainable's `random`). */
  readonly next: () => number
  /** A copy of the generator's state, for persistence. */
  state(): object
}

/** The generator's whole state: what `state()` returns and a stream resumes from. */
interface AleaState {
  readonly c: number
  readonly s0: number
  readonly s1: number
  readonly s2: number
}

const TWO_TO_MINUS_32 = 2.3283064365386963e-10
const TWO_TO_MINUS_53 = 1.1102230246251565e-16

/** Baagøe's Mash hash: folds `data` into the running hash `n` (a double, kept below 2^32). */
function mash(n: number, data: string): number {
  for (let i = 0; i < data.length; i++) {
    n += data.charCodeAt(i)
    let h = 0.02519603282416938 * n
    n = h >>> 0
    h -= n
    h *= n
    n = h >>> 0
    h -= n
    n += h * 0x100000000
  }
  return n
}

/** Mash's output for a hash state: a number in [0, 1). */
const mashed = (n: number): number => (n >>> 0) * TWO_TO_MINUS_32

/**
 * The state Alea starts from for a seed string: three Mash values of ' ', minus three of the seed.
 * Written out rather than with a closure over `n`, which would box the double at every step.
 */
function seededState(seed: string): AleaState {
  let n = mash(0xefc8249d, ' ')
  let s0 = mashed(n)
  n = mash(n, ' ')
  let s1 = mashed(n)
  n = mash(n, ' ')
  let s2 = mashed(n)
  n = mash(n, seed)
  s0 -= mashed(n)
  if (s0 < 0) s0 += 1
  n = mash(n, seed)
  s1 -= mashed(n)
  if (s1 < 0) s1 += 1
  n = mash(n, seed)
  s2 -= mashed(n)
  if (s2 < 0) s2 += 1
  return { c: 1, s0, s1, s2 }
}

/**
 * Johannes Baagøe's Alea generator, the one `seedrandom.alea` implements, written as a class: the
 * same numbers and the same state objects, bit for bit (random.test.ts checks it against seedrandom),
 * without seedrandom's per-stream closures and function properties, which made deriving a stream
 * cost microseconds; a run with 1,000,000 trials derives 1,000,000 of them.
 */
class Alea implements RandomStream {
  #c: number
  #s0: number
  #s1: number
  #s2: number

  constructor(state: AleaState) {
    this.#c = state.c
    this.#s0 = state.s0
    this.#s1 = state.s1
    this.#s2 = state.s2
  }

  #step(): number {
    const t = 2091639 * this.#s0 + this.#c * TWO_TO_MINUS_32
    this.#s0 = this.#s1
    this.#s1 = this.#s2
    this.#c = t | 0
    this.#s2 = t - this.#c
    return this.#s2
  }

  /** Two 32-bit steps make one 53-bit double (seedrandom's `double()`). */
  readonly next = (): number => this.#step() + ((this.#step() * 0x200000) | 0) * TWO_TO_MINUS_53

  state(): AleaState {
    return { c: this.#c, s0: this.#s0, s1: this.#s1, s2: this.#s2 }
  }
}

/** The state of the stream `deriveStream(seed, label)` starts with. */
export function derivedState(seed: number, label: string): object {
  return seededState(`${seed}\u0000${label}`)
}

/**
 * Derives an independent stream from the experiment seed and a label such as `variants`,
 * `scheduler` or `trial:0`. The same seed and label always give the same stream. With `state`
 * (from `state()`), the stream continues from there instead.
 */
export function deriveStream(seed: number, label: string, state?: object): RandomStream {
  return new Alea(state === undefined ? seededState(`${seed}\u0000${label}`) : (state as AleaState))
}

/**
 * A stream that continues from `state` but builds its generator only at the first draw: a trial
 * whose trainable never draws costs no generator, and `state()` hands back `state` itself.
 */
class LazyStream implements RandomStream {
  readonly #start: AleaState
  #alea: Alea | undefined

  constructor(state: object) {
    this.#start = state as AleaState
  }

  readonly next = (): number => {
    this.#alea ??= new Alea(this.#start)
    return this.#alea.next()
  }

  state(): object {
    return this.#alea === undefined ? this.#start : this.#alea.state()
  }
}

/** A stream continuing from `state`, whose generator is built at the first draw (see LazyStream). */
export function resumeLazily(state: object): RandomStream {
  return new LazyStream(state)
}

/** A uniform integer in [0, n). */
export function randomIndex(stream: RandomStream, n: number): number {
  return Math.floor(stream.next() * n)
}

/** One element of `values`, drawn uniformly (Python's `random.choice`). */
export function randomChoice<T>(stream: RandomStream, values: readonly T[]): T {
  return values[randomIndex(stream, values.length)] as T
}
