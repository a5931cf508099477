import { experiment, grid, withCheckpoint } from '@vitune/dsl'
import { afterEach, describe, expect, test } from 'vitest'
import { run } from '../src/index.js'

// Results are built by a constructor for speed (lifecycle.ts, copyMetrics): they must stay the
// plain objects a literal would give, with the metrics first and the runtime's fields after.
const shaped = experiment('result shape')
  .space({ a: grid([1, 2]) })
  .metric('loss', 'min')
  .stop({ trainingIteration: 3 })
  .train(function* ({ config }) {
    for (let i = 1; ; i++) {
      const metrics = { loss: config.a / i, 2: 'an index key', extra: [i] }
      yield i === 2 ? withCheckpoint(metrics, { i }) : metrics
    }
  })

describe('results are plain objects', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted
  })

  test('prototype, constructor, key order and a structured clone are those of a literal', async () => {
    const result = (await run(shaped)).trials[0]?.results[1] as Record<string, unknown>
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
    expect(result.constructor).toBe(Object)
    expect(Object.keys(result)).toEqual([
      '2',
      'loss',
      'extra',
      'trainingIteration',
      'iterationsSinceRestore',
      'timeThisIterS',
      'timeTotalS',
      'trialId',
      'config',
      'checkpointed',
    ])
    expect(result.checkpointed).toBe(true)
    const clone = structuredClone(result)
    expect(Object.getPrototypeOf(clone)).toBe(Object.prototype)
    expect(clone).toEqual(result)
    expect(JSON.stringify(clone)).toBe(JSON.stringify(result))
  })

  test("an enumerable key on Object.prototype is not copied into a result's metrics", async () => {
    ;(Object.prototype as Record<string, unknown>).polluted = 1
    const result = (await run(shaped)).trials[0]?.results[0] as Record<string, unknown>
    expect(Object.hasOwn(result, 'polluted')).toBe(false)
    expect(Object.keys(result)).not.toContain('polluted')
  })
})
