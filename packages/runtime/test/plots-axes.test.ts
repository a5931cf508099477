import { experiment, grid, loguniform } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { formatNumber, run } from '../src/index.js'
import { plotHyperparameters, plotLineage, plotMetric, TRIAL_PALETTE } from '../src/node/index.js'
import { linearTicks, logTicks, tickLabel, valueAxis } from '../src/node/plots/axis.js'

/** The texts of an SVG's tick labels (Observable Plot draws them in `<text>` inside the axis groups). */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string)

describe('axis ticks for people', () => {
  test('labels without float noise or SI prefixes; exponent form for huge and tiny values', () => {
    expect(tickLabel(0.001)).toBe('0.001')
    expect(tickLabel(1e-4)).toBe('1e-4')
    expect(tickLabel(0.30000000000000004)).toBe('0.3')
    expect(tickLabel(1.2)).toBe('1.2')
    expect(tickLabel(5.536541718894742e197)).toBe('5.54e197')
    expect(tickLabel(250000)).toBe('2.5e5')
    expect(tickLabel(0)).toBe('0')
  })

  test('linear ticks are round and cover the values; log ticks are decades (and 2, 5 within three)', () => {
    expect(linearTicks(0.05, 1.38)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4])
    expect(logTicks(1e-4, 0.75)).toEqual([1e-4, 0.001, 0.01, 0.1, 1])
    expect(logTicks(0.05, 0.9)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
  })

  test('a log scale when positive values span two orders of magnitude, and a domain that ends on ticks', () => {
    const decades = valueAxis([1e-5, 0.3, 2])
    expect(decades.type).toBe('log')
    expect(decades.domain).toEqual([1e-5, 10])
    expect(valueAxis([0.05, 0.9, 1.38]).type).toBe('linear')
    expect(valueAxis([-1, 1000]).type).toBe('linear')
    expect(valueAxis([1e-5, 2], { scale: 'linear' }).type).toBe('linear')
    // The top tick is the domain's end, so it is drawn and labelled (Q = 1.2 in the tutorial).
    const q = valueAxis([-0.13, 0.5, 1.1999999641562835])
    expect(q.ticks.at(-1)).toBe(q.domain[1])
    expect(q.domain[1]).toBe(1.2)
  })

  test('outliers are clipped only on the side asked for', () => {
    const losses = [...Array.from({ length: 40 }, (_, i) => 0.05 + i / 40), 1e30, 5.5e197]
    const clipped = valueAxis(losses, { clip: 'above' })
    expect(clipped.clipped.above).toEqual([1e30, 5.5e197])
    expect(clipped.domain[1]).toBeLessThan(1e3)
    // Values far below the bulk are a converging loss: not clipped for a metric to minimise.
    const converged = [...Array.from({ length: 40 }, (_, i) => 1 + i / 40), 1e-30]
    expect(valueAxis(converged, { clip: 'above' }).clipped.below).toEqual([])
    expect(valueAxis(converged, { clip: 'both' }).clipped.below).toEqual([1e-30])
  })
})

describe('the standard plots are readable for losses', () => {
  const diverging = run(
    experiment('diverging')
      .space({ lr: grid([0.05, 0.1, 0.2, 2.5]) })
      .metric('loss', 'min')
      .stop({ trainingIteration: 30 })
      .train(function* ({ config }) {
        let loss = 1.3
        for (let step = 1; ; step++) {
          loss = config.lr > 1 ? (step < 5 ? loss * 0.9 : Math.min(loss * 1e20, 5.536541718894742e197)) : 0.05 + (loss - 0.05) * (1 - config.lr)
          yield { loss }
        }
      }),
  )

  test('a diverged trial is drawn at the edge and said so; the others keep a readable axis', async () => {
    const svg = plotMetric(await diverging).svg
    expect(svg).toMatch(/\d+ value\(s\) above 1\.4, up to 5\.54e\+197, drawn at the top edge/)
    const labels = texts(svg)
    expect(labels).toContain('loss (lower is better)')
    expect(labels.some((t) => t.includes('↑'))).toBe(false)
    expect(labels.filter((t) => /^[\d.e+-]+$/.test(t) && t.length > 6)).toEqual([])
  })

  test('the figure says which best it marks: the best trial by its last result, and the best value ever', async () => {
    const grid = await diverging
    const svg = plotMetric(grid).svg
    expect(svg).toContain(`★ best trial by its last result (result.best): ${formatNumber(grid.bestMetric().value, 6)}`)
    expect(svg).toContain(`○ best value ever: ${formatNumber(grid.bestMetric('all').value, 6)}`)
  })

  test('a learning rate drawn on a log axis reads 0.001 and 1e-4, not 1m and 100µ', async () => {
    const lrs = await run(
      experiment('log lr')
        .space({ lr: loguniform(1e-4, 1) })
        .mutate({ lr: loguniform(1e-4, 1) })
        .pbt({ perturbationInterval: 2, quantileFraction: 0.5, resampleProbability: 1 })
        .metric('score', 'max')
        .stop({ trainingIteration: 12 })
        .samples(4)
        .seed(3)
        .train(function* ({ config }) {
          for (;;) yield { score: -Math.abs(Math.log10(config.lr) + 2) }
        }),
    )
    const labels = texts((plotHyperparameters(lrs, { keys: ['lr'] }) as { svg: string }).svg)
    expect(labels).toEqual(expect.arrayContaining(['0.001', '1e-4']))
    expect(labels.some((t) => /[mµ]$/.test(t))).toBe(false)
  })

  test('every figure colours a trial by its index, and the lineage plot explains its arrows', async () => {
    const grid = await diverging
    const colors = (svg: string) => new Set([...svg.matchAll(/stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]))
    const metric = colors(plotMetric(grid).svg)
    for (const color of TRIAL_PALETTE.slice(0, 4)) expect(metric.has(color)).toBe(true)
    expect(plotLineage(grid).svg).toContain('Arrow: an exploit, from donor to target, in the colour of the weights it copies')
  })
})
