import type { Color, Encoder, FrameOptions } from 'gifenc'
import { figureDocument } from './figure.js'
import { gifenc } from './gif-api.js'
import { type Box, clipDefinition, type ParameterHistoryOptions, type ParameterHistoryScene, parameterHistoryScene } from './parameter-history.js'
import { renderPixels } from './png.js'
import type { AnyResultGrid } from './series.js'

/** Options of `animateParameterHistory` (Ray's `make_animation`). */
export interface AnimationOptions extends ParameterHistoryOptions {
  /** Number of frames; frame f shows points 0..f-1, as Ray's frames 1..100 do. Default 100. (`untilIteration` does not apply.) */
  readonly frames?: number
  /** Milliseconds per frame. Default 200, as Ray's `interval=200`. */
  readonly delayMs?: number
  /** Pixels per SVG unit. Default 1. */
  readonly scale?: number
}

const TRANSPARENT = 255

interface Tile {
  /** Pixel rectangle in the frame. */
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
  /** Where it sits in the atlas. */
  readonly ax: number
  readonly ay: number
}

function pixelBox(box: Box, clip: Box, scale: number, width: number, height: number) {
  const x0 = Math.max(0, Math.floor(Math.max(box.x0, clip.x0) * scale))
  const y0 = Math.max(0, Math.floor(Math.max(box.y0, clip.y0) * scale))
  const x1 = Math.min(width, Math.ceil(Math.min(box.x1, clip.x1) * scale))
  const y1 = Math.min(height, Math.ceil(Math.min(box.y1, clip.y1) * scale))
  return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) }
}

/**
 * Every layer drawn once into one atlas image, each in its own tile. Frames then only composite a
 * small tile over the previous frame: one resvg call for the whole animation instead of one per frame.
 */
function renderAtlas(scene: ParameterHistoryScene, count: number, scale: number, width: number, height: number) {
  const tiles: Tile[][] = []
  const drawn: string[] = [clipDefinition('vitune-plot-area', scene.clip)]
  let ax = 0
  let ay = 0
  let shelf = 0
  for (const layer of scene.layers.slice(0, count)) {
    const layerTiles: Tile[] = []
    for (const part of layer.parts) {
      const r = pixelBox(part.box, scene.clip, scale, width, height)
      if (r.w === 0 || r.h === 0) continue
      if (ax + r.w > width) {
        ax = 0
        ay += shelf
        shelf = 0
      }
      const k = drawn.length
      // Each tile is clipped to its own rectangle so that neighbours never bleed into each other.
      drawn.push(
        `<clipPath id="t${k}"><rect x="${ax / scale}" y="${ay / scale}" width="${r.w / scale}" height="${r.h / scale}"/></clipPath>` +
          `<g clip-path="url(#t${k})"><g transform="translate(${(ax - r.x) / scale} ${(ay - r.y) / scale})"><g clip-path="url(#vitune-plot-area)">${part.svg}</g></g></g>`,
      )
      layerTiles.push({ ...r, ax, ay })
      ax += r.w
      shelf = Math.max(shelf, r.h)
    }
    tiles.push(layerTiles)
  }
  const atlasHeight = Math.max(1, ay + shelf)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width / scale}" height="${atlasHeight / scale}" font-family="DejaVu Sans" font-size="11">${drawn.join('')}</svg>`
  return { tiles, atlas: renderPixels(svg, { scale }) }
}

/** Alpha-composites a premultiplied tile from the atlas over the frame. */
function composite(frame: Uint8Array, frameWidth: number, atlas: Uint8Array, atlasWidth: number, tile: Tile): void {
  for (let row = 0; row < tile.h; row++) {
    let f = ((tile.y + row) * frameWidth + tile.x) * 4
    let a = ((tile.ay + row) * atlasWidth + tile.ax) * 4
    for (let col = 0; col < tile.w; col++, f += 4, a += 4) {
      const alpha = atlas[a + 3] as number
      if (alpha === 0) continue
      const keep = 255 - alpha
      frame[f] = (atlas[a] as number) + Math.round(((frame[f] as number) * keep) / 255)
      frame[f + 1] = (atlas[a + 1] as number) + Math.round(((frame[f + 1] as number) * keep) / 255)
      frame[f + 2] = (atlas[a + 2] as number) + Math.round(((frame[f + 2] as number) * keep) / 255)
      frame[f + 3] = 255
    }
  }
}

/** Size of the graphic control extension gifenc writes before each image descriptor. */
const CONTROL_EXTENSION_BYTES = 8
const IMAGE_SEPARATOR = 0x2c

/**
 * gifenc always places a frame at (0, 0); GIF allows any position. Writes the frame, then sets the
 * position in its image descriptor, so small changes cost small frames.
 */
function writeSubFrame(encoder: Encoder, index: Uint8Array, x: number, y: number, w: number, h: number, options: FrameOptions): void {
  const start = encoder.bytesView().length
  encoder.writeFrame(index, w, h, options)
  const bytes = encoder.bytesView()
  const at = start + CONTROL_EXTENSION_BYTES
  if (bytes[at] !== IMAGE_SEPARATOR) throw new Error('gifenc wrote an unexpected frame layout; cannot position the frame')
  bytes[at + 1] = x & 0xff
  bytes[at + 2] = x >> 8
  bytes[at + 3] = y & 0xff
  bytes[at + 4] = y >> 8
}

/**
 * Ray's `make_animation`: the parameter history drawn up to point f for frames f = 1..frames, as
 * an animated GIF that loops. Frames after the first store only the rectangle that changed.
 */
export function animateParameterHistory(grid: AnyResultGrid, options: AnimationOptions): Uint8Array {
  const scene = parameterHistoryScene(grid, options)
  const scale = options.scale ?? 1
  const frames = Math.max(1, Math.min(options.frames ?? 100, scene.layers.length))
  const background = renderPixels(figureDocument(scene.name, scene.width, scene.height, scene.background, { title: scene.title }).svg, { scale })
  const { width, height } = background
  const { tiles, atlas } = renderAtlas(scene, frames, scale, width, height)

  const canvas = new Uint8Array(background.pixels)
  const final = new Uint8Array(canvas)
  for (const layer of tiles) for (const tile of layer) composite(final, width, atlas.pixels, atlas.width, tile)
  // One global palette, from the background and the last frame, keeps colours steady across frames.
  const sample = new Uint8Array(canvas.length + final.length)
  sample.set(canvas)
  sample.set(final, canvas.length)
  const colors: Color[] = gifenc.quantize(sample, TRANSPARENT)
  const palette = [...colors]
  while (palette.length < 256) palette.push([0, 0, 0])
  const cache = new Map<number, number>()
  const indexOf = (p: number): number => {
    const r = canvas[p] as number
    const g = canvas[p + 1] as number
    const b = canvas[p + 2] as number
    const key = (r << 16) | (g << 8) | b
    let index = cache.get(key)
    if (index === undefined) {
      index = gifenc.nearestColorIndex(colors, [r, g, b])
      cache.set(key, index)
    }
    return index
  }

  const encoder = gifenc.GIFEncoder()
  const delay = options.delayMs ?? 200
  const shown = new Uint8Array(width * height)
  tiles.forEach((layer, f) => {
    for (const tile of layer) composite(canvas, width, atlas.pixels, atlas.width, tile)
    if (f === 0) {
      for (let p = 0; p < shown.length; p++) shown[p] = indexOf(p * 4)
      encoder.writeFrame(shown, width, height, { palette, delay, repeat: 0 })
      return
    }
    // Later frames cover only the rectangle that changed; pixels left as they were are transparent.
    const x0 = Math.min(width - 1, ...layer.map((t) => t.x))
    const y0 = Math.min(height - 1, ...layer.map((t) => t.y))
    const w = Math.max(1, ...layer.map((t) => t.x + t.w - x0))
    const h = Math.max(1, ...layer.map((t) => t.y + t.h - y0))
    const delta = new Uint8Array(w * h).fill(TRANSPARENT)
    for (const tile of layer) {
      for (let row = tile.y; row < tile.y + tile.h; row++) {
        for (let col = tile.x; col < tile.x + tile.w; col++) {
          const p = row * width + col
          const index = indexOf(p * 4)
          if (index !== shown[p]) delta[(row - y0) * w + (col - x0)] = shown[p] = index
        }
      }
    }
    // Disposal 1 keeps the previous frame; transparent pixels let it show through.
    writeSubFrame(encoder, delta, x0, y0, w, h, { delay, transparent: true, transparentIndex: TRANSPARENT, dispose: 1 })
  })
  encoder.finish()
  return encoder.bytes()
}
