import { describe, expect, test } from 'vitest'
import { derivedState, deriveStream, resumeLazily } from '../src/random.js'

// Every seeded result of vitune, and every saved run's stream state, comes from seedrandom's alea:
// these values were taken before (from the hand-written Alea that was checked equal to seedrandom)
// and must never change, bit for bit, key order included (saved runs hold the states as JSON).
describe('random streams (seedrandom.alea)', () => {
  test('a seed and a label give the same numbers and states as ever', () => {
    expect(JSON.stringify(derivedState(42, 'trial:7'))).toBe('{"c":1,"s0":0.7193553023971617,"s1":0.7253061069641262,"s2":0.8545541956555098}')
    const stream = deriveStream(42, 'trial:7')
    expect(JSON.stringify(stream.state())).toBe(JSON.stringify(derivedState(42, 'trial:7')))
    expect([stream.next(), stream.next(), stream.next()]).toEqual([0.6053506973061279, 0.8835999172011659, 0.7117791383171956])
    expect(JSON.stringify(stream.state())).toBe('{"c":1848172,"s0":0.12731557968072593,"s1":0.7117791383061558,"s2":0.04741600505076349}')
    const variants = deriveStream(0, 'variants')
    expect([variants.next(), variants.next()]).toEqual([0.9932636890408371, 0.2614260332354552])
  })

  test('a stream continued from a saved state goes on as if never interrupted, eager or lazy', () => {
    for (let trial = 0; trial < 50; trial++) {
      const whole = deriveStream(3, `trial:${trial}`)
      const start = deriveStream(3, `trial:${trial}`)
      for (let i = 0; i < trial % 17; i++) {
        whole.next()
        start.next()
      }
      const saved = start.state()
      const eager = deriveStream(0, '', saved)
      const lazy = resumeLazily({ randomState: saved })
      for (let i = 0; i < 20; i++) {
        const expected = whole.next()
        expect(eager.next()).toBe(expected)
        expect(lazy.next()).toBe(expected)
      }
      expect(eager.state()).toEqual(whole.state())
      expect(lazy.state()).toEqual(whole.state())
    }
  })

  test('next can be handed out on its own (a trainable gets it as `random`)', () => {
    const { next } = deriveStream(5, 'trial:1')
    const other = deriveStream(5, 'trial:1')
    expect([next(), next(), next()]).toEqual([other.next(), other.next(), other.next()])
  })

  test('a lazy stream reads its start state only at the first draw, and never drawn from hands it back as it is', () => {
    const state = derivedState(1, 'trial:0')
    let reads = 0
    const source = {
      get randomState() {
        reads++
        return state
      },
    }
    const lazy = resumeLazily(source)
    expect(reads).toBe(0)
    expect(lazy.state()).toBe(state)
    lazy.next()
    lazy.next()
    expect(reads).toBe(2)
    expect(lazy.state()).not.toBe(state)
    expect(reads).toBe(2)
  })
})
