import { experiment, grid, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'

const base = experiment('forms')
  .space({ step: grid([1, 2]) })
  .metric('value', 'max')
  .stop({ trainingIteration: 5 })

describe('trainable forms', () => {
  test('an async generator, a sync generator and a Ray-style report function give the same results', async () => {
    const asyncGen = base.train(async function* ({ config }) {
      for (let i = 1; ; i++) yield { value: i * config.step }
    })
    const syncGen = base.train(function* ({ config }) {
      for (let i = 1; ; i++) yield { value: i * config.step }
    })
    const reporting = base.train(async ({ config, report }) => {
      for (let i = 1; ; i++) await report({ value: i * config.step })
    })
    const values = async (e: typeof asyncGen) => (await run(e)).trials.map((t) => t.results.map((r) => r.value))
    const expected = [
      [1, 2, 3, 4, 5],
      [2, 4, 6, 8, 10],
    ]
    expect(await values(asyncGen)).toEqual(expected)
    expect(await values(syncGen as never)).toEqual(expected)
    expect(await values(reporting as never)).toEqual(expected)
  })

  test('a trainable that returns ends its trial as TERMINATED with every result kept', async () => {
    const grid2 = await run(
      experiment('returns')
        .space({ n: grid([2, 3]) })
        .metric('value', 'max')
        .train(async ({ config, report }) => {
          for (let i = 0; i < config.n; i++) await report({ value: i })
        }),
    )
    expect(grid2.trials.map((t) => [t.status, t.results.length])).toEqual([
      ['TERMINATED', 2],
      ['TERMINATED', 3],
    ])
  })

  test('a stopped Ray-style trainable is unwound: its finally block runs', async () => {
    const cleaned: number[] = []
    await run(
      experiment('unwind')
        .space({ id: grid([0, 1]) })
        .stop({ trainingIteration: 3 })
        .train(async ({ config, report }) => {
          try {
            for (;;) await report({ value: 1 })
          } finally {
            cleaned.push(config.id)
          }
        }),
    )
    await new Promise((resolve) => setImmediate(resolve))
    expect(cleaned.sort()).toEqual([0, 1])
  })

  test('checkpoints reach the next start: a retried trial resumes from its last checkpoint', async () => {
    const starts: unknown[] = []
    const result = await run(
      experiment('resume')
        .failures({ maxFailures: 1 })
        .stop({ trainingIteration: 6 })
        .train(async function* ({ checkpoint }) {
          starts.push(checkpoint)
          let i = (checkpoint as { i: number } | undefined)?.i ?? 0
          for (;;) {
            i++
            if (i === 4 && starts.length === 1) throw new Error('boom at 4')
            yield i % 2 === 0 ? withCheckpoint({ i }, { i }) : { i }
          }
        }),
    )
    expect(starts).toEqual([undefined, { i: 2 }])
    const trial = result.trials[0]
    expect(trial?.status).toBe('TERMINATED')
    expect(trial?.results.map((r) => r.trainingIteration)).toEqual([1, 2, 3, 3, 4, 5, 6])
    expect(trial?.failures[0]?.message).toBe('boom at 4')
  })

  test('yielding something that is not metrics is an error naming the experiment and trial', async () => {
    const bad = experiment('bad report').train(async function* () {
      yield 'nope' as never
    })
    const result = await run(bad)
    expect(result.trials[0]?.status).toBe('ERROR')
    expect(result.trials[0]?.error?.message).toMatch(/experiment "bad report", trial \w{5}_00000 .*a report must be an object of metrics/)
  })
})
