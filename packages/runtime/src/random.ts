import seedrandom from 'seedrandom'

/** A seeded stream of uniform numbers in [0, 1) with 53 bits of resolution. */
export interface RandomStream {
  /** The next number in [0, 1). */
  next(): number
  /** A copy of the generator's state, for persistence. */
  state(): object
}

/**
 * Derives an independent stream from the experiment seed and a label such as `variants`,
 * `scheduler` or `trial:0`. The same seed and label always give the same stream.
 */
export function deriveStream(seed: number, label: string, state?: object): RandomStream {
  const prng = state === undefined ? seedrandom.alea(`${seed}\u0000${label}`, { state: true }) : seedrandom.alea('', { state: state as seedrandom.State.Alea })
  return { next: () => prng.double(), state: () => prng.state() }
}

/** A uniform integer in [0, n). */
export function randomIndex(stream: RandomStream, n: number): number {
  return Math.floor(stream.next() * n)
}

/** One element of `values`, drawn uniformly (Python's `random.choice`). */
export function randomChoice<T>(stream: RandomStream, values: readonly T[]): T {
  return values[randomIndex(stream, values.length)] as T
}
