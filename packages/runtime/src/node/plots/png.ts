import { createRequire } from 'node:module'
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js'

const require = createRequire(import.meta.url)

/** The TTF files PNGs are drawn with: bundled, so text looks the same on every machine. */
export const FONT_FILES: readonly string[] = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`))

/** The family every text in a PNG falls back to. */
export const FONT_FAMILY = 'DejaVu Sans'

/** Options of `renderPng` and `renderPixels`. */
export interface RasterOptions {
  /** Pixels per SVG unit. Default 2, so PNGs stay sharp on high-density screens. */
  readonly scale?: number
  /** CSS colour under the drawing; default transparent (figures draw their own background). */
  readonly background?: string
}

function resvg(svg: string, options: RasterOptions): Resvg {
  const render: ResvgRenderOptions = {
    // No system fonts: PNG text must not depend on what the machine has installed.
    font: {
      loadSystemFonts: false,
      fontFiles: [...FONT_FILES],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
  }
  if (options.background !== undefined) render.background = options.background
  return new Resvg(svg, render)
}

/** An SVG drawn to PNG bytes with the bundled font. */
export function renderPng(svg: string, options: RasterOptions = {}): Buffer {
  return resvg(svg, options).render().asPng()
}

/** Pixels of a drawn SVG: width, height and RGBA bytes, premultiplied by alpha as resvg gives them. */
export interface Raster {
  readonly width: number
  readonly height: number
  readonly pixels: Uint8Array
}

/** An SVG drawn to RGBA pixels with the bundled font. */
export function renderPixels(svg: string, options: RasterOptions = {}): Raster {
  const image = resvg(svg, options).render()
  const pixels = image.pixels
  return { width: image.width, height: image.height, pixels: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length) }
}
