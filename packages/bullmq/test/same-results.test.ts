// For a seed, trials on the fleet give what they give in-process, byte for byte (results, lineage,
// policy logs), whatever the number of worker slots: the runner's lockstep rounds make results
// independent of timing, and the handles honour the executor contract.
import { experiment, grid, qloguniform, sampleFrom, uniform } from '@vitune/dsl'
import { InProcessExecutor, run } from '@vitune/runtime'
import { describe, expect, test } from 'vitest'
import { quadratic } from './fixtures/trainables.js'
import { clock, fingerprint } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'

const fleet = useFleet()

const pbt = (synch: boolean, checkpointEvery: number) =>
  experiment(`fleet ${synch ? 'sync' : 'async'} PBT, checkpoint every ${checkpointEvery}`)
    .space({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: grid([0, 1, 0.01, 0.99]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0), checkpointEvery })
    .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.5, resampleProbability: 0.5, synch })
    .metric('Q', 'max')
    .stop({ trainingIteration: 20 })
    .seed(3)
    .train(quadratic)

describe('the fleet gives the in-process results', () => {
  test('synchronous PBT, a worker with a slot per trial', async () => {
    await fleet.worker({ concurrency: 4, queue: 'wide' })
    const exp = pbt(true, 1)
    const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
    const executor = fleet.executor({ queue: 'wide' })
    const remote = fingerprint(await run(exp, { clock, executor }))
    expect(remote).toBe(local)
    expect(JSON.parse(local).lineage.length).toBeGreaterThan(0)
    expect(executor.stats().jobs).toBeGreaterThanOrEqual(4)
  })

  test('asynchronous PBT', async () => {
    await fleet.worker({ concurrency: 4, queue: 'async' })
    const exp = pbt(false, 1)
    const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
    expect(fingerprint(await run(exp, { clock, executor: fleet.executor({ queue: 'async' }) }))).toBe(local)
  })

  test('a population larger than the fleet: idle trials are parked and resumed from their checkpoints', async () => {
    await fleet.worker({ concurrency: 2, queue: 'narrow', parkAfterMs: 50 })
    const exp = pbt(true, 2)
    const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
    const executor = fleet.executor({ queue: 'narrow' })
    expect(fingerprint(await run(exp, { clock, executor }))).toBe(local)
    // Four trials on two slots cannot all hold a slot: some were parked and resumed, replaying steps.
    expect(executor.stats().resumes).toBeGreaterThan(0)
  })
})
