import seedrandom from 'seedrandom'

/** A seeded stream of uniform numbers in [0, 1) with 53 bits of resolution. */
export interface RandomStream {
  /** The next number in [0, 1); a function of its own, so it can be handed out (a trainable's `random`). */
  readonly next: () => number
  /** A copy of the generator's state, for persistence. */
  state(): object
}

type Alea = seedrandom.StatefulPRNG<seedrandom.State.Alea>

/** seedrandom's seed string for a stream: the experiment seed and the label, apart. */
const seedText = (seed: number, label: string): string => `${seed}\u0000${label}`

/** seedrandom's Alea continuing from a saved state (the seed string is ignored then). */
const resumed = (state: object): Alea => seedrandom.alea('', { state: state as seedrandom.State.Alea })

/** The state of the stream `deriveStream(seed, label)` starts with. */
export function derivedState(seed: number, label: string): object {
  return seedrandom.alea(seedText(seed, label), { state: true }).state()
}

/**
 * Derives an independent stream from the experiment seed and a label such as `variants`,
 * `scheduler` or `trial:0`. The same seed and label always give the same stream. With `state`
 * (from `state()`), the stream continues from there instead.
 */
export function deriveStream(seed: number, label: string, state?: object): RandomStream {
  const prng = state === undefined ? seedrandom.alea(seedText(seed, label), { state: true }) : resumed(state)
  // seedrandom's `double` and `state` hold no `this`: they can be handed out as they are.
  return { next: prng.double, state: prng.state }
}

/** Where a lazily built stream gets the state it starts from (a `TrialStart`, whose state may be derived when read). */
export interface StreamSource {
  readonly randomState: object
}

/**
 * A stream that reads its start state and builds its generator only at the first draw: a trial
 * whose trainable never draws costs neither (a run may start a million trials, and deriving a
 * state from the seed costs about a microsecond). Never drawn from, `state()` hands back the
 * source's state itself.
 */
class LazyStream implements RandomStream {
  readonly #source: StreamSource
  #alea: Alea | undefined

  constructor(source: StreamSource) {
    this.#source = source
  }

  readonly next = (): number => {
    this.#alea ??= resumed(this.#source.randomState)
    return this.#alea.double()
  }

  state(): object {
    return this.#alea === undefined ? this.#source.randomState : this.#alea.state()
  }
}

/** A stream continuing from `source.randomState`, read (and its generator built) at the first draw (see LazyStream). */
export function resumeLazily(source: StreamSource): RandomStream {
  return new LazyStream(source)
}

/** A uniform integer in [0, n). */
export function randomIndex(stream: RandomStream, n: number): number {
  return Math.floor(stream.next() * n)
}

/** One element of `values`, drawn uniformly (Python's `random.choice`). */
export function randomChoice<T>(stream: RandomStream, values: readonly T[]): T {
  return values[randomIndex(stream, values.length)] as T
}
