import { experiment, grid, sampleFrom, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { generateVariants, run } from '../src/index.js'
import { deriveStream } from '../src/random.js'

// What the reliability audit found silently accepted while running, or misreported (issue 13
// items 10, 13 and 14): each is now a coded error naming the experiment and what to do.
const bad = (value: unknown) => value as never
const variantsOf = (space: Record<string, unknown>) => generateVariants({ name: 'audit', space: bad(space), samples: 1 }, deriveStream(1, 'variants'))

describe('sampleFrom must return plain data', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['a function', () => () => 1, /returned a function/],
    ['NaN', () => Number.NaN, /returned NaN/],
    ['Infinity', () => Number.POSITIVE_INFINITY, /returned Infinity/],
    ['undefined', () => undefined, /returned undefined .*null/],
    ['a Map', () => new Map(), /returned a Map/],
    ['an object holding NaN', () => ({ a: [1, Number.NaN] }), /NaN at `a\[1\]`/],
  ])('%s is VITUNE_SAMPLE_FROM_FAILED naming the key', (_what, fn, message) => {
    expect(() => variantsOf({ x: grid([1, 2]), y: sampleFrom(bad(fn)) })).toThrow(
      expect.objectContaining({ code: 'VITUNE_SAMPLE_FROM_FAILED', message: expect.stringMatching(message) }),
    )
    expect(() => variantsOf({ y: sampleFrom(bad(fn)) })).toThrow(/experiment "audit": sampleFrom at `space.y` returned/)
  })

  test('plain data, nested, still resolves', () => {
    const [variant] = variantsOf({ y: sampleFrom(() => ({ layers: [64, 32], act: 'relu', drop: null, on: true })) })
    expect(variant?.config).toEqual({ y: { layers: [64, 32], act: 'relu', drop: null, on: true } })
  })
})

const counting = (name: string) =>
  experiment(name)
    .space({ x: grid([1, 2]) })
    .metric('score', 'max')
    .seed(1)

describe('stop functions must return true or false', () => {
  test('a stop function returning 1 is VITUNE_STOP_RESULT naming the trial, not a run that never stops', async () => {
    const exp = counting('stop one')
      .stop(bad(() => 1))
      .train(async function* ({ config }) {
        for (let i = 1; i < 1000; i++) yield { score: config.x * i }
      })
    await expect(run(exp)).rejects.toMatchObject({
      code: 'VITUNE_STOP_RESULT',
      message: expect.stringMatching(/stop one.*returned 1, not true or false/),
    })
  })

  test('a stop function that forgets to return (undefined) is VITUNE_STOP_RESULT too', async () => {
    const exp = counting('stop forgot')
      .stop(
        bad((r: { score: number }) => {
          void (r.score > 3)
        }),
      )
      .train(async function* ({ config }) {
        for (let i = 1; i < 1000; i++) yield { score: config.x * i }
      })
    await expect(run(exp)).rejects.toMatchObject({ code: 'VITUNE_STOP_RESULT', message: expect.stringContaining('returned undefined') })
  })

  test('a stopExperiment rule returning a number is VITUNE_STOP_RESULT naming the experiment', async () => {
    const exp = counting('stop all')
      .stop({ trainingIteration: 5 })
      .stopExperiment(bad(() => 0))
      .train(async function* ({ config }) {
        for (let i = 1; ; i++) yield { score: config.x * i }
      })
    await expect(run(exp)).rejects.toMatchObject({ code: 'VITUNE_STOP_RESULT', message: expect.stringContaining('experiment "stop all"') })
  })

  test('true and false keep working', async () => {
    const exp = counting('stop bool')
      .stop((r) => r.trainingIteration >= 3)
      .train(async function* ({ config }) {
        for (let i = 1; ; i++) yield { score: config.x * i }
      })
    expect((await run(exp)).trials.map((t) => t.results.length)).toEqual([3, 3])
  })
})

describe('the best trial', () => {
  test('when every trial ends at +Infinity after finite values, the message says so and how to rank on the history', async () => {
    const exp = counting('diverge')
      .stop({ trainingIteration: 3 })
      .train(async function* ({ config }) {
        yield { score: config.x }
        yield { score: config.x * 2 }
        yield { score: Number.POSITIVE_INFINITY }
      })
    const result = await run(exp)
    let message = ''
    try {
      void result.best
    } catch (error) {
      expect(error).toMatchObject({ code: 'VITUNE_NO_BEST_TRIAL' })
      message = (error as Error).message
    }
    expect(message).not.toContain('no trial reported a finite')
    expect(message).toMatch(/last result has a finite `score`.*bestMetric\("all"\)/)
    expect(result.getBestResult('score', 'max', 'all').trialId).toBe(result.trials[1]?.trialId)
  })

  test('when no result was ever finite, the message says every value was NaN or infinite', async () => {
    const exp = counting('never')
      .stop({ trainingIteration: 2 })
      .train(async function* () {
        for (;;) yield { score: Number.NaN }
      })
    await expect(run(exp).then((r) => r.best)).rejects.toThrow(/every reported `score` is NaN or infinite/)
  })
})

describe('fractional perturbation intervals', () => {
  // The DSL refuses a fractional interval with an iteration count as time (definition errors test);
  // with a fractional time the interval may be fractional, and synchronous PBT must never stall,
  // also when a step jumps over a whole interval.
  test.each([
    [0.5, 0.25],
    [0.1, 1],
    [1, 3],
    [2.5, 1],
  ])('synchronous PBT, interval %s, time growing by %s per step: every trial finishes', async (interval, step) => {
    const exp = experiment('fractional')
      .space({ x: grid([1, 2, 3, 4]) })
      .mutate({ x: [1, 2, 3, 4] })
      .pbt({ perturbationInterval: interval, synch: true, timeAttr: 'epoch' })
      .metric('q', 'max')
      .stop({ trainingIteration: 12 })
      .seed(1)
      .train(async function* ({ config }) {
        for (let i = 1; ; i++) yield withCheckpoint({ q: config.x * i, epoch: i * step }, { i })
      })
    const result = await run(exp)
    expect(result.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED', 'TERMINATED'])
    expect(result.lineage.length).toBeGreaterThan(0)
  })
})

describe('the trial-count guard', () => {
  test('run() refuses samples(1e8) before building any trial, saying how to raise the limit', async () => {
    const exp = counting('huge')
      .samples(1e8)
      .train(async function* () {
        yield { score: 1 }
      })
    await expect(run(exp)).rejects.toMatchObject({ code: 'VITUNE_MAX_TRIALS', message: expect.stringContaining('.maxTrials(200000000)') })
  })
})
