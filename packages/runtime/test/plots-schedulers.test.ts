// The scheduler plots: ASHA's and HyperBand's rungs and stops, PB2's choices over time.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { experiment, loguniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { standardFigures, writeArtifacts } from '../src/node/artifacts/write-artifacts.js'
import { plotExplored, plotRungs, rungMilestones } from '../src/node/plots/scheduler-plots.js'

function* train({ config, checkpoint }: { config: { lr: number }; checkpoint: { loss: number } | undefined }) {
  let loss = checkpoint?.loss ?? 1
  for (;;) {
    loss *= 1 - Math.min(0.5, config.lr)
    yield withCheckpoint({ loss }, { loss })
  }
}

const base = (name: string) =>
  experiment(name)
    .space({ lr: loguniform(1e-3, 1) })
    .metric('loss', 'min')
    .stop({ trainingIteration: 9 })
    .samples(9)
    .seed(3)
    .train(train)

describe('scheduler plots', () => {
  test('ASHA: one rule per rung below maxT, a cross per trial stopped early, in the standard figures', async () => {
    const grid = await run(base('plot ASHA').asha({ maxT: 9, gracePeriod: 1, reductionFactor: 3 }).concurrency(3).def)
    expect(rungMilestones(grid)).toEqual([1, 3])
    const figure = plotRungs(grid)
    const stopped = grid.trials.filter((t) => t.results.length < 9).length
    expect(stopped).toBeGreaterThan(0)
    expect(figure?.svg).toContain(`ASHA: ${stopped} of 9 trials stopped early`)
    expect(standardFigures(grid).map((f) => f.name)).toContain('rungs')
    const dir = mkdtempSync(join(tmpdir(), 'vitune-plots-schedulers-'))
    try {
      await writeArtifacts(grid, dir, { plots: false })
      expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).scheduler).toMatchObject({ kind: 'asha', label: 'ASHA', settings: { maxT: 9 } })
      expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('Scheduler: ASHA')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('HyperBand: the milestones of every bracket', async () => {
    const grid = await run(base('plot HyperBand').hyperband({ maxT: 9, reductionFactor: 3 }).def)
    expect(rungMilestones(grid)).toEqual([1, 3])
    expect(plotRungs(grid)?.name).toBe('rungs')
  })

  test('PB2: one panel per bounded key; other schedulers get neither plot', async () => {
    const grid = await run(
      base('plot PB2')
        .pb2({ perturbationInterval: 2, quantileFraction: 0.5, synch: true, hyperparamBounds: { lr: [1e-3, 1], momentum: [0, 1] } })
        .samples(4).def,
    )
    const figure = plotExplored(grid)
    expect(figure?.svg).toContain('values chosen at exploits')
    expect(figure?.svg).toContain('momentum')
    expect(standardFigures(grid).map((f) => f.name)).toContain('explored')
    const fifo = await run(base('plot FIFO').def)
    expect([plotRungs(fifo), plotExplored(fifo)]).toEqual([undefined, undefined])
  })
})
