import { experiment, grid, qloguniform, sampleFrom, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { comparable } from './helpers/grid-identity.js'

const quadratic = (synch: boolean, seed: number) =>
  experiment(`determinism ${synch ? 'sync' : 'async'}`)
    .space({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: grid([0, 1, 0.01, 0.99]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0) })
    .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.5, resampleProbability: 0.5, synch })
    .metric('Q', 'max')
    .stop({ trainingIteration: 40 })
    .seed(seed)
    .train(async function* ({ config, checkpoint, random }) {
      let theta = (checkpoint as { theta: [number, number] } | undefined)?.theta ?? [0.9, 0.9]
      for (;;) {
        // A little seeded noise, so the per-trial streams are part of what must repeat.
        const noise = 1 + (random() - 0.5) * 1e-3
        theta = [theta[0] - config.lr * 1.5 * config.h0 * theta[0] * noise, theta[1] - config.lr * 2 * config.h1 * theta[1]]
        yield withCheckpoint({ Q: 1.2 - (0.75 * theta[0] ** 2 + theta[1] ** 2) }, { theta })
      }
    })

describe('determinism', () => {
  for (const synch of [true, false]) {
    test(`the same experiment and seed give identical results twice (${synch ? 'synchronous' : 'asynchronous'} PBT)`, async () => {
      const first = comparable(await run(quadratic(synch, 3)))
      const second = comparable(await run(quadratic(synch, 3)))
      expect(second).toBe(first)
      expect(JSON.parse(first).lineage.length).toBeGreaterThan(0)
    })
  }

  test('a different seed gives different results', async () => {
    expect(comparable(await run(quadratic(true, 4)))).not.toBe(comparable(await run(quadratic(true, 3))))
  })

  test('synchronous PBT gives the same results with any concurrency', async () => {
    const all = comparable(await run(quadratic(true, 5)))
    for (const n of [1, 2, 3]) expect(comparable(await run(quadratic(true, 5).concurrency(n)))).toBe(all)
  })

  test('async trainables that resolve at different speeds still give identical results', async () => {
    const timed = (delays: readonly number[]) =>
      experiment('timing')
        .space({ id: grid([0, 1, 2]) })
        .mutate({ lr: uniform(0, 1) }, { newKeys: ['lr'] })
        .pbt({ perturbationInterval: 2, quantileFraction: 0.34, synch: false })
        .metric('score', 'max')
        .stop({ trainingIteration: 12 })
        .seed(9)
        .train(async function* ({ config, checkpoint }) {
          let x = (checkpoint as number | undefined) ?? config.id
          for (let step = 0; ; step++) {
            await new Promise((resolve) => setTimeout(resolve, delays[(config.id + step) % delays.length]))
            x += (config as { lr?: number }).lr ?? 0.1
            yield withCheckpoint({ score: x }, x)
          }
        })
    const fast = comparable(await run(timed([0, 0, 0])))
    const uneven = comparable(await run(timed([3, 0, 1])))
    expect(uneven).toBe(fast)
  })
})
