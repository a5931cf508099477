// The blocked ranking must answer exactly what one sorted array would, across block splits and merges.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { compareScores, PbtRanking, type RankEntry } from '../src/schedulers/pbt-ranking.js'
import type { TrialView } from '../src/schedulers/types.js'

interface State {
  order: number
  lastScore: number | undefined
}

const entry = (order: number, lastScore: number): RankEntry<State> => ({ trial: { id: `t${order}` } as TrialView, state: { order, lastScore } })

describe('PBT ranking', () => {
  test('ranks, selects and removes as a sorted array does, through block splits (NaN lowest, ties by add order)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('insert', 'insert', 'insert', 'remove', 'rescore'),
            who: fc.nat({ max: 899 }),
            score: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(Number.NaN)),
          }),
          { minLength: 600, maxLength: 1500 },
        ),
        (ops) => {
          const ranking = PbtRanking.of<State>([])
          const reference: RankEntry<State>[] = []
          const entries = new Map<number, RankEntry<State>>()
          for (const { op, who, score } of ops) {
            const current = entries.get(who)
            if (op === 'insert' && current === undefined) {
              const e = entry(who, score)
              entries.set(who, e)
              ranking.insert(e)
              reference.push(e)
            } else if (current !== undefined && (op === 'remove' || op === 'rescore')) {
              expect(ranking.remove(current.state)).toBe(true)
              reference.splice(reference.indexOf(current), 1)
              entries.delete(who)
              if (op === 'rescore') {
                current.state.lastScore = score
                entries.set(who, current)
                ranking.insert(current)
                reference.push(current)
              }
            }
          }
          reference.sort((a, b) => compareScores(a.state, b.state))
          expect(ranking.size).toBe(reference.length)
          expect([...ranking]).toEqual(reference)
          reference.forEach((e, rank) => {
            expect(ranking.rankOf(e.state)).toBe(rank)
            expect(ranking.at(rank)).toBe(e)
          })
          expect(ranking.rankOf({ order: -1, lastScore: 3 })).toBe(-1)
        },
      ),
      { seed: 11, numRuns: 25 },
    )
  })

  test('a ranking built from unsorted entries is sorted, and removing what is not ranked changes nothing', () => {
    const entries = Array.from({ length: 700 }, (_, i) => entry(i, (i * 7919) % 13))
    const ranking = PbtRanking.of([...entries])
    const sorted = [...entries].sort((a, b) => compareScores(a.state, b.state))
    expect([...ranking]).toEqual(sorted)
    sorted.forEach((e, rank) => {
      expect(ranking.rankOf(e.state)).toBe(rank)
      expect(ranking.at(rank)).toBe(e)
    })
    expect(ranking.remove({ order: 9999, lastScore: 1 })).toBe(false)
    expect(ranking.size).toBe(700)
  })
})
