import omggif from 'omggif'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { animateParameterHistory, type ParameterHistoryOptions, plotParameterHistory, renderPixels } from '../src/node/index.js'
import { quadraticPbt } from './helpers/artifact-fixtures.js'

const grid = await run(quadraticPbt('animation', [0, 1], 30))
const options: ParameterHistoryOptions = {
  x: 'theta0',
  y: 'theta1',
  objective: (a, b) => 1.2 - (0.75 * a * a + b * b),
  domain: { x: [-0.2, 1], y: [-0.2, 1] },
  initial: [0.9, 0.9],
  perturbationInterval: 4,
}
const gif = animateParameterHistory(grid, { ...options, frames: 20 })
const reader = new omggif.GifReader(Buffer.from(gif))

function frame(index: number): Uint8Array {
  const pixels = new Uint8Array(reader.width * reader.height * 4)
  for (let i = 0; i <= index; i++) reader.decodeAndBlitFrameRGBA(i, pixels)
  return pixels
}

describe('animateParameterHistory', () => {
  test('writes a looping GIF with one frame per point, 200 ms apart, as Ray’s make_animation', () => {
    expect(reader.numFrames()).toBe(20)
    expect(reader.loopCount()).toBe(0)
    expect(reader.frameInfo(1).delay).toBe(20)
  })

  test('frames after the first store only the rectangle that changed', () => {
    const later = reader.frameInfo(10)
    expect(later.width * later.height).toBeLessThan((reader.width * reader.height) / 4)
    expect(later.disposal).toBe(1)
  })

  test('the last frame looks like the static figure drawn up to the same point', () => {
    const still = renderPixels(plotParameterHistory(grid, { ...options, untilIteration: 20 }).svg, { scale: 1 })
    expect([reader.width, reader.height]).toEqual([still.width, still.height])
    const last = frame(19)
    let diff = 0
    for (let p = 0; p < last.length; p += 4) for (let c = 0; c < 3; c++) diff += Math.abs((last[p + c] as number) - (still.pixels[p + c] as number))
    // Only palette quantization separates them: under 3 levels per channel on average.
    expect(diff / ((last.length / 4) * 3)).toBeLessThan(3)
  })

  test('points appear over time: the first frame differs from the last', () => {
    const first = frame(0)
    const last = frame(19)
    let changed = 0
    for (let p = 0; p < first.length; p += 4) if (first[p] !== last[p] || first[p + 1] !== last[p + 1]) changed++
    expect(changed).toBeGreaterThan(500)
  })
})
