// ASHA, HyperBand, the median stopping rule and PB2 through the real runner: registry, decisions
// applied (other trials stopped, exploits), determinism, and resume byte-identical to a whole run.
import { type ExperimentDef, experiment, loguniform, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { createScheduler, describeScheduler, run } from '../src/index.js'
import { DirectoryStorage } from '../src/node/index.js'
import { deriveStream } from '../src/random.js'
import { AshaScheduler } from '../src/schedulers/asha.js'
import { HyperBandScheduler } from '../src/schedulers/hyperband.js'
import { MedianStoppingScheduler } from '../src/schedulers/median-stopping.js'
import { PbtScheduler } from '../src/schedulers/pbt.js'
import { clock, interrupt, scratchDirectories } from './helpers/interrupted-runs.js'
import { comparable } from './helpers/noisy-quadratic.js'

const scratch = scratchDirectories('schedulers')

/** A loss that falls fastest near lr = 0.1 and plateaus at a floor set by `width`; checkpoints every step. */
function* train({ config, checkpoint, random }: { config: { lr: number; width: number }; checkpoint: { loss: number } | undefined; random: () => number }) {
  let loss = checkpoint?.loss ?? 1
  const speed = Math.exp(-((Math.log10(config.lr) + 1) ** 2))
  const floor = 0.05 + 0.2 * Math.abs(config.width - 0.5)
  for (;;) {
    loss = floor + (loss - floor) * (1 - 0.3 * speed) + 0.01 * (random() - 0.5)
    yield withCheckpoint({ loss }, { loss })
  }
}

const base = (name: string) =>
  experiment(name)
    .space({ lr: loguniform(1e-4, 1), width: uniform(0, 1) })
    .metric('loss', 'min')
    .stop({ trainingIteration: 27 })
    .samples(16)
    .seed(5)
    .train(train)

const experiments = {
  asha: () => base('e2e ASHA').asha({ maxT: 27, gracePeriod: 1, reductionFactor: 3 }).concurrency(4),
  hyperband: () => base('e2e HyperBand').hyperband({ maxT: 27, reductionFactor: 3 }).concurrency(5),
  medianStopping: () => base('e2e median stopping').medianStopping({ gracePeriod: 3, minSamplesRequired: 2 }).concurrency(4),
  pb2: () =>
    base('e2e PB2')
      .pb2({ perturbationInterval: 3, quantileFraction: 0.25, synch: true, hyperparamBounds: { lr: [1e-4, 1], width: [0, 1] } })
      .samples(4),
  'pb2 async': () =>
    base('e2e PB2 async')
      .pb2({ perturbationInterval: 3, quantileFraction: 0.25, hyperparamBounds: { lr: [1e-4, 1], width: [0, 1] } })
      .samples(4)
      .concurrency(2),
} as const

const iterations = (grid: { trials: readonly { results: readonly unknown[] }[] }) => grid.trials.reduce((n, t) => n + t.results.length, 0)

describe('the new schedulers through the runner', () => {
  test('testCreateScheduler / testCreateLazyImportScheduler: the registry builds each kind and names it', () => {
    const stream = () => deriveStream(1, 'scheduler')
    expect(createScheduler(experiments.asha().def, stream())).toBeInstanceOf(AshaScheduler)
    expect(createScheduler(experiments.hyperband().def, stream())).toBeInstanceOf(HyperBandScheduler)
    expect(createScheduler(experiments.medianStopping().def, stream())).toBeInstanceOf(MedianStoppingScheduler)
    expect(createScheduler(experiments.pb2().def, stream())).toBeInstanceOf(PbtScheduler)
    expect(describeScheduler(experiments.asha().def)).toMatchObject({
      kind: 'asha',
      label: 'ASHA',
      settings: { maxT: 27, gracePeriod: 1, reductionFactor: 3, metric: 'loss', mode: 'min' },
    })
    expect(describeScheduler(experiments.hyperband().def).label).toBe('HyperBand')
    expect(describeScheduler(experiments.medianStopping().def).label).toBe('median stopping')
    expect(describeScheduler(experiments.pb2().def)).toMatchObject({
      label: 'PB2 synchronous',
      settings: { hyperparamBounds: { lr: [1e-4, 1], width: [0, 1] } },
    })
  })

  test('ASHA stops most trials early and keeps the best; the results say which scheduler ran', async () => {
    const fifo = await run(base('e2e FIFO').concurrency(4).def, { clock })
    const asha = await run(experiments.asha().def, { clock })
    expect(asha.scheduler).toMatchObject({ kind: 'asha', label: 'ASHA' })
    expect(iterations(asha)).toBeLessThan(iterations(fifo) / 2)
    expect(asha.schedulerStats.stopped).toBeGreaterThan(8)
    expect(asha.getBestResult().metrics?.loss).toBeCloseTo(fifo.getBestResult().metrics?.loss as number, 1)
  })

  test('HyperBand halves its brackets, stopping waiting losers, and never stalls', async () => {
    const grid = await run(experiments.hyperband().def, { clock })
    expect(grid.trials.every((t) => t.status === 'TERMINATED')).toBe(true)
    const lengths = grid.trials.map((t) => t.results.length)
    // Bracket s=0 (3 trials) runs to 27; halved trials stop at the milestones 1, 3 and 9.
    expect(lengths.filter((n) => n === 27).length).toBeGreaterThanOrEqual(3)
    expect(lengths.filter((n) => n < 27).length).toBeGreaterThanOrEqual(8)
    expect(new Set(lengths.filter((n) => n < 27))).toEqual(new Set([1, 3, 9].filter((n) => lengths.includes(n))))
  })

  test('the median stopping rule stops trials below the median', async () => {
    const grid = await run(experiments.medianStopping().def, { clock })
    expect(grid.schedulerStats.stopped).toBeGreaterThan(0)
    expect(grid.trials.some((t) => t.results.length < 27)).toBe(true)
  })

  test.each(['pb2', 'pb2 async'] as const)('%s explores with the GP after the first round, within the bounds', async (name) => {
    const grid = await run(experiments[name]().def, { clock })
    const explored = grid.lineage.filter((e) => (e.operations as Record<string, string>).lr === 'gp-ucb')
    expect(explored.length).toBeGreaterThan(0)
    for (const e of grid.lineage) {
      expect(e.newConfig.lr).toBeGreaterThanOrEqual(1e-4)
      expect(e.newConfig.lr).toBeLessThanOrEqual(1)
      expect(e.newConfig.width).toBeGreaterThanOrEqual(0)
      expect(e.newConfig.width).toBeLessThanOrEqual(1)
    }
  })

  test.each(Object.keys(experiments) as (keyof typeof experiments)[])('%s: the same seed gives the same results, bit for bit', async (name) => {
    const a = await run(experiments[name]().def, { clock })
    const b = await run(experiments[name]().def, { clock })
    expect(comparable(a)).toBe(comparable(b))
  })
})

describe('resume with .storage() gives the results of an uninterrupted run', () => {
  const cases = (Object.keys(experiments) as (keyof typeof experiments)[]).flatMap((name) => [0.05, 0.4, 0.85].map((at) => [name, at] as const))
  test.each(cases)('%s interrupted after %d of its results', async (name, at) => {
    const def: ExperimentDef = experiments[name]().def
    const uninterrupted = await run(def, { clock })
    const dir = scratch()
    await interrupt({ def }, dir, Math.max(1, Math.round(at * iterations(uninterrupted))))
    const resumed = await run(def, { clock, storage: new DirectoryStorage(dir) })
    expect(comparable(resumed)).toBe(comparable(uninterrupted))
  })
})
