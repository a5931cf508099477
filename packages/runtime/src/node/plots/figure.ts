import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ArtifactError } from '../artifacts/artifact-error.js'
import { FONT_FAMILY, type RasterOptions, renderPng } from './png.js'

/** A finished chart: a standalone SVG document and its size in SVG units. */
export interface Figure {
  /** File name without extension, e.g. `metric`. */
  readonly name: string
  readonly width: number
  readonly height: number
  readonly svg: string
}

/** Escapes text for SVG and HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/** A standalone SVG chart placed at (x, y) inside another SVG. */
export function nestSvg(svg: string, x: number, y: number): string {
  return svg.replace(/^(?:<\?xml[^>]*>\s*)?<svg\b/, `<svg x="${x}" y="${y}"`)
}

/** Options of `figureDocument`. */
export interface DocumentOptions {
  readonly title?: string
  /** Height reserved for the title, in SVG units. */
  readonly titleHeight?: number
}

/** Wraps drawn content in a standalone SVG document with a white background and an optional title. */
export function figureDocument(name: string, width: number, height: number, body: string, options: DocumentOptions = {}): Figure {
  const title =
    options.title === undefined
      ? ''
      : `<text x="${width / 2}" y="${(options.titleHeight ?? 28) / 2 + 6}" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}, system-ui, sans-serif" font-size="11">` +
    `<rect width="100%" height="100%" fill="white"/>${title}${body}</svg>`
  return { name, width, height, svg }
}

/** Places figures side by side (`row`) or one under another (`column`) in a new figure. */
export function composeFigures(
  name: string,
  figures: readonly Figure[],
  options: DocumentOptions & { readonly direction?: 'row' | 'column'; readonly gap?: number } = {},
): Figure {
  const gap = options.gap ?? 8
  const top = options.title === undefined ? 0 : (options.titleHeight ?? 28)
  const row = (options.direction ?? 'row') === 'row'
  let offset = 0
  const parts: string[] = []
  for (const figure of figures) {
    parts.push(row ? nestSvg(figure.svg, offset, top) : nestSvg(figure.svg, 0, top + offset))
    offset += (row ? figure.width : figure.height) + gap
  }
  offset = Math.max(0, offset - gap)
  const width = row ? offset : Math.max(0, ...figures.map((f) => f.width))
  const height = top + (row ? Math.max(0, ...figures.map((f) => f.height)) : offset)
  return figureDocument(name, width, height, parts.join(''), options)
}

/**
 * Why a figure name cannot be a file name inside the plots directory, or undefined. A name is one
 * file name: no `/` or `\\`, not `.` or `..`, so `writeFigure` never writes outside `dir`.
 */
export function figureNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return `the figure name ${JSON.stringify(name) ?? String(name)} is not a non-empty string`
  if (/[/\\\0]/.test(name) || name === '.' || name === '..')
    return `the figure name ${JSON.stringify(name)} is not a plain file name (no /, \\, . or ..): it would be written outside the plots directory`
  if (Buffer.byteLength(name) > 200) return `the figure name is ${Buffer.byteLength(name)} bytes long; keep it under 200`
  return undefined
}

/** Writes `<name>.svg` and `<name>.png` into `dir`; returns the paths written. */
export async function writeFigure(figure: Figure, dir: string, options: RasterOptions = {}): Promise<string[]> {
  const problem = figureNameProblem(figure.name)
  if (problem !== undefined) {
    throw new ArtifactError('VITUNE_ARTIFACT_NAME', `${problem} (${dir}). Name the figure with letters, digits, - and _, e.g. { name: 'learning-rate' }.`)
  }
  await mkdir(dir, { recursive: true })
  const svgPath = join(dir, `${figure.name}.svg`)
  const pngPath = join(dir, `${figure.name}.png`)
  await writeFile(svgPath, figure.svg)
  await writeFile(pngPath, renderPng(figure.svg, options))
  return [svgPath, pngPath]
}
