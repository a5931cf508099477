import seedrandom from 'seedrandom'
import { describe, expect, test } from 'vitest'
import { derivedState, deriveStream, resumeLazily } from '../src/random.js'

// Every seeded result of vitune (and every saved run's stream state) was made by seedrandom's alea:
// our own generator must give the same numbers and the same states, bit for bit.
describe('deriveStream is seedrandom.alea, bit for bit', () => {
  const labels = ['variants', 'scheduler', 'trial:0', 'trial:99999', '', ' ', 'ünïcödé ✓', 'x'.repeat(300)]
  const seeds = [0, 1, 7, 42, -3, 2 ** 31, 1.5, 123456789]

  test('the same numbers and states from a seed and label', () => {
    for (const seed of seeds) {
      for (const label of labels) {
        const ours = deriveStream(seed, label)
        const theirs = seedrandom.alea(`${seed}\u0000${label}`, { state: true })
        expect(ours.state()).toEqual(theirs.state())
        expect(JSON.stringify(derivedState(seed, label))).toBe(JSON.stringify(theirs.state()))
        for (let i = 0; i < 200; i++) expect(ours.next()).toBe(theirs.double())
        // Key order too: saved runs hold these objects as JSON.
        expect(JSON.stringify(ours.state())).toBe(JSON.stringify(theirs.state()))
      }
    }
  })

  test('the same numbers when continued from a saved state', () => {
    for (let trial = 0; trial < 500; trial++) {
      const start = seedrandom.alea(`3\u0000trial:${trial}`, { state: true })
      for (let i = 0; i < trial % 17; i++) start.double()
      const saved = start.state()
      const ours = deriveStream(0, '', saved)
      const lazy = resumeLazily(saved)
      const theirs = seedrandom.alea('', { state: saved })
      for (let i = 0; i < 20; i++) {
        const expected = theirs.double()
        expect(ours.next()).toBe(expected)
        expect(lazy.next()).toBe(expected)
      }
      expect(ours.state()).toEqual(theirs.state())
      expect(lazy.state()).toEqual(theirs.state())
    }
  })

  test('next can be handed out on its own (a trainable gets it as `random`)', () => {
    const { next } = deriveStream(5, 'trial:1')
    const theirs = seedrandom.alea('5\u0000trial:1')
    expect([next(), next(), next()]).toEqual([theirs.double(), theirs.double(), theirs.double()])
  })

  test('a lazy stream that was never drawn from hands back the state it was given', () => {
    const state = derivedState(1, 'trial:0')
    expect(resumeLazily(state).state()).toBe(state)
  })
})
