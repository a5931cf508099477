import { escapeXml } from './figure.js'
import type { TrialStyle } from './series.js'

/** Rough advance width of DejaVu Sans at `size`: enough to lay out legends without measuring. */
export const textWidth = (text: string, size = 11): number => text.length * size * 0.62

const MAX_LABEL = 48

/** A legend of coloured swatches that wraps into rows within `width`; returns its SVG and height. */
export function swatchLegend(
  styles: readonly TrialStyle[],
  x: number,
  y: number,
  width: number,
  shape: 'line' | 'dot' = 'line',
): { svg: string; height: number } {
  const rowHeight = 18
  let cx = x
  let cy = y
  const parts: string[] = []
  for (const style of styles) {
    const label = style.label.length > MAX_LABEL ? `${style.label.slice(0, MAX_LABEL - 1)}…` : style.label
    const itemWidth = 22 + textWidth(label) + 14
    if (cx > x && cx + itemWidth > x + width) {
      cx = x
      cy += rowHeight
    }
    const swatch =
      shape === 'line'
        ? `<line x1="${cx}" x2="${cx + 16}" y1="${cy + 9}" y2="${cy + 9}" stroke="${escapeXml(style.color)}" stroke-width="2.5"/>`
        : `<circle cx="${cx + 8}" cy="${cy + 9}" r="5" fill="${escapeXml(style.color)}" fill-opacity="0.6"/>`
    parts.push(`${swatch}<text x="${cx + 22}" y="${cy + 13}">${escapeXml(label)}</text>`)
    cx += itemWidth
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: styles.length === 0 ? 0 : cy - y + rowHeight }
}
