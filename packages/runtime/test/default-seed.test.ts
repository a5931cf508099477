import { experiment, uniform } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { type ResultGrid, run, WALL_TIME_FIELDS } from '../src/index.js'

/** Trials, configs and results without wall time. */
const fingerprint = (grid: ResultGrid) =>
  JSON.stringify(
    grid.trials.map((t) => [
      t.trialId,
      t.config,
      t.results.map((r) => Object.entries(r).filter(([k]) => !(WALL_TIME_FIELDS as readonly string[]).includes(k))),
    ]),
  )

// Random draws in the space and in the trainable, so an unseeded run would show if it were random.
const unseeded = experiment('default seed')
  .space({ x: uniform(0, 1) })
  .samples(3)
  .metric('y', 'max')
  .stop({ trainingIteration: 3 })
  .train(async function* ({ config, random }) {
    for (;;) yield { y: config.x + random() }
  })

describe('the default seed (docs/guide.md §6)', () => {
  test('is 0: an experiment without .seed() repeats run after run, exactly as with .seed(0)', async () => {
    expect(unseeded.def.seed).toBe(0)
    const first = fingerprint(await run(unseeded))
    expect(fingerprint(await run(unseeded))).toBe(first)
    expect(fingerprint(await run(unseeded.seed(0)))).toBe(first)
    expect(fingerprint(await run(unseeded.seed(1)))).not.toBe(first)
  })
})
