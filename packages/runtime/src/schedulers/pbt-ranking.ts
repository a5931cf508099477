import type { TrialView } from './types.js'

/** What the ranking reads of PBT's per-trial state. */
export interface Scored {
  /** Position in add order; ties in score rank the earlier-added trial lower, as in Ray. */
  readonly order: number
  /** sign x metric; higher is better. */
  readonly lastScore: number | undefined
}

/** A ranked trial and the state it is ranked by. */
export interface RankEntry<S extends Scored> {
  readonly trial: TrialView
  readonly state: S
}

/**
 * Ascending by score, ties by add order as in Ray. NaN ranks lowest: Python's sorted() leaves NaN
 * wherever the comparisons happen to put it, so a NaN trial could donate; here it is exploited.
 */
export function compareScores(a: Scored, b: Scored): number {
  const x = a.lastScore as number
  const y = b.lastScore as number
  // Comparisons with NaN are all false, so ordinary scores are settled by the first two tests.
  if (x < y) return -1
  if (x > y) return 1
  const xNaN = Number.isNaN(x)
  if (xNaN !== Number.isNaN(y)) return xNaN ? -1 : 1
  return a.order - b.order
}

/** Blocks split when they grow past twice this; rebuilt rankings start with blocks of this size. */
const BLOCK = 128

/**
 * PBT's ranking, ascending by compareScores, kept in sorted blocks: inserting, removing, finding a
 * trial's rank and the trial at a rank cost O(log N + √N) instead of the O(N) of one sorted array,
 * so an asynchronous perturbation in a population of thousands does not move the whole ranking.
 */
export class PbtRanking<S extends Scored> {
  readonly #blocks: RankEntry<S>[][] = []
  #size = 0

  /** A ranking of `entries` (any order). */
  static of<S extends Scored>(entries: RankEntry<S>[]): PbtRanking<S> {
    const ranking = new PbtRanking<S>()
    entries.sort((a, b) => compareScores(a.state, b.state))
    for (let i = 0; i < entries.length; i += BLOCK) ranking.#blocks.push(entries.slice(i, i + BLOCK))
    ranking.#size = entries.length
    return ranking
  }

  /** How many trials are ranked. */
  get size(): number {
    return this.#size
  }

  /** The entries in rank order, lowest first. */
  *[Symbol.iterator](): IterableIterator<RankEntry<S>> {
    for (const block of this.#blocks) yield* block
  }

  /** The entry at `rank` (0 is the lowest). */
  at(rank: number): RankEntry<S> {
    let rest = rank
    for (const block of this.#blocks) {
      if (rest < block.length) return block[rest] as RankEntry<S>
      rest -= block.length
    }
    throw new RangeError(`rank ${rank} is outside a ranking of ${this.#size}`)
  }

  /** The rank of the trial with this state, or -1 when it is not ranked. */
  rankOf(state: S): number {
    const [b, i] = this.#find(state)
    if (b === -1) return -1
    let rank = i
    for (let k = 0; k < b; k++) rank += (this.#blocks[k] as RankEntry<S>[]).length
    return rank
  }

  /** Adds a trial with a score. */
  insert(entry: RankEntry<S>): void {
    const blocks = this.#blocks
    this.#size++
    if (blocks.length === 0) {
      blocks.push([entry])
      return
    }
    const b = Math.min(this.#blockFor(entry.state), blocks.length - 1)
    const block = blocks[b] as RankEntry<S>[]
    // Shifting by hand: splice allocates an array of the removed entries on every call.
    const at = lowerBound(block, entry.state)
    block.push(entry)
    for (let i = block.length - 1; i > at; i--) block[i] = block[i - 1] as RankEntry<S>
    block[at] = entry
    if (block.length > 2 * BLOCK) blocks.splice(b + 1, 0, block.splice(BLOCK))
  }

  /** Removes the trial with this state; false when it was not ranked. */
  remove(state: S): boolean {
    const [b, i] = this.#find(state)
    if (b === -1) return false
    const block = this.#blocks[b] as RankEntry<S>[]
    for (let j = i; j < block.length - 1; j++) block[j] = block[j + 1] as RankEntry<S>
    block.pop()
    if (block.length === 0) this.#blocks.splice(b, 1)
    this.#size--
    return true
  }

  /** The first block whose last entry does not rank below `state` (blocks.length when none). */
  #blockFor(state: S): number {
    let low = 0
    let high = this.#blocks.length
    while (low < high) {
      const mid = (low + high) >> 1
      const block = this.#blocks[mid] as RankEntry<S>[]
      if (compareScores((block[block.length - 1] as RankEntry<S>).state, state) < 0) low = mid + 1
      else high = mid
    }
    return low
  }

  /** [block, index] of the entry holding `state`, or [-1, -1]. */
  #find(state: S): [number, number] {
    if (state.lastScore === undefined) return [-1, -1]
    const b = this.#blockFor(state)
    const block = this.#blocks[b]
    if (block !== undefined) {
      const i = lowerBound(block, state)
      if (block[i]?.state === state) return [b, i]
    }
    // Not where its score puts it (its score changed while ranked): look everywhere, as a sorted array's findIndex would.
    for (const [k, other] of this.#blocks.entries()) {
      const i = other.findIndex((e) => e.state === state)
      if (i !== -1) return [k, i]
    }
    return [-1, -1]
  }
}

/** The first index of `block` whose entry does not rank below `state`. */
function lowerBound<S extends Scored>(block: readonly RankEntry<S>[], state: S): number {
  let low = 0
  let high = block.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (compareScores((block[mid] as RankEntry<S>).state, state) < 0) low = mid + 1
    else high = mid
  }
  return low
}
