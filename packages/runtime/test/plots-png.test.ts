import { parseHTML } from 'linkedom'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import {
  composeFigures,
  type Figure,
  plotHyperparameters,
  plotLineage,
  plotMetric,
  plotParameterHistory,
  type Raster,
  renderPixels,
  renderPng,
} from '../src/node/index.js'
import { quadraticPbt } from './helpers/artifact-fixtures.js'

const grid = await run(quadraticPbt('plots'))
const Q = (a: number, b: number) => 1.2 - (0.75 * a * a + b * b)

/** Dark pixels (text, axes) in a horizontal band of the image. */
function darkPixels(image: Raster, y0: number, y1: number): number {
  let count = 0
  for (let y = Math.max(0, y0); y < Math.min(image.height, y1); y++) {
    for (let x = 0; x < image.width; x++) {
      const p = (y * image.width + x) * 4
      if (
        (image.pixels[p + 3] as number) > 200 &&
        (image.pixels[p] as number) < 90 &&
        (image.pixels[p + 1] as number) < 90 &&
        (image.pixels[p + 2] as number) < 90
      )
        count++
    }
  }
  return count
}

const figures: Figure[] = [
  plotMetric(grid),
  plotHyperparameters(grid) as Figure,
  plotLineage(grid),
  plotParameterHistory(grid, {
    x: 'theta0',
    y: 'theta1',
    objective: Q,
    objectiveLabel: 'Q',
    domain: { x: [-0.2, 1], y: [-0.2, 1] },
    initial: [0.9, 0.9],
    perturbationInterval: 4,
  }),
]

describe('plots render to PNG with visible text', () => {
  test.each(figures.map((f) => [f.name, f] as const))('%s: the title band has text drawn with the bundled font', (_name, figure) => {
    const image = renderPixels(figure.svg, { scale: 1 })
    expect(image.width).toBe(figure.width)
    expect(image.height).toBe(Math.round(figure.height))
    // The title sits in the top 28 units; bold 15px text draws hundreds of dark pixels there.
    expect(darkPixels(image, 0, 28)).toBeGreaterThan(300)
  })

  test.each(figures.map((f) => [f.name, f] as const))('%s: is a well-formed SVG with the SVG namespace', (_name, figure) => {
    const { document } = parseHTML(`<html><body>${figure.svg}</body></html>`)
    const svg = document.querySelector('svg')
    expect(svg?.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg')
    expect(figure.svg.startsWith('<svg')).toBe(true)
  })

  test('a text-only SVG draws dark pixels only where its text is', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60" fill="white"/><text x="10" y="25" font-size="16">vitune 123</text></svg>'
    const image = renderPixels(svg, { scale: 1 })
    expect(darkPixels(image, 8, 30)).toBeGreaterThan(60)
    expect(darkPixels(image, 32, 60)).toBe(0)
  })

  test('renderPng writes a PNG at twice the SVG size by default', () => {
    const png = renderPng(figures[0]?.svg as string)
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG')
    expect(png.readUInt32BE(16)).toBe(2 * (figures[0]?.width as number))
  })

  test('the parameter history labels a point every perturbation interval and draws an arrow after each perturbation', () => {
    const figure = figures[3] as Figure
    const labels = [...figure.svg.matchAll(/<text class="iteration" x="[\d.]+" y="[\d.]+" font-size="10">(\d+)<\/text>/g)].map((m) => Number(m[1]))
    const lengths = grid.trials.map((t) => t.results.length + 1)
    const expected = lengths.flatMap((points) => Array.from({ length: Math.ceil(points / 4) }, (_, k) => 4 * k))
    expect(labels.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b))
    // Arrows from point m·4 to m·4+1 for m ≥ 1: at 5, 9, ..., up to the last point.
    const arrows = figure.svg.match(/<polygon /g)?.length ?? 0
    expect(arrows).toBe(lengths.reduce((n, points) => n + Math.floor((points - 2) / 4), 0))
    const radii = [...figure.svg.matchAll(/<circle cx="[\d.]+" cy="[\d.]+" r="([\d.]+)" fill="[^"]+" fill-opacity="0.5"/g)].map((m) => Number(m[1]))
    expect(radii).toHaveLength(lengths.reduce((a, b) => a + b, 0))
    expect(radii[0]).toBeGreaterThan(radii[radii.length - 1] as number)
  })

  test('untilIteration draws only the first points, as the animation frames do', () => {
    const early = plotParameterHistory(grid, { x: 'theta0', y: 'theta1', untilIteration: 3 })
    expect(early.svg.match(/<circle [^>]*fill-opacity="0.5"/g)).toHaveLength(3 * grid.trials.length)
  })

  test('composeFigures places figures side by side', () => {
    const [a, b] = figures as [Figure, Figure]
    const both = composeFigures('both', [a, b], { title: 'two', gap: 10 })
    expect(both.width).toBe(a.width + b.width + 10)
    expect(both.height).toBe(28 + Math.max(a.height, b.height))
  })

  test('a key no result reports fails with VITUNE_PLOT_KEY listing the keys there are', () => {
    expect(() => plotMetric(grid, { metric: 'nope' })).toThrow(/VITUNE_PLOT_KEY.*no result reports a number at `nope`.*Reported keys: .*Q/)
  })
})
