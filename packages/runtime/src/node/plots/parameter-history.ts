import * as Plot from '@observablehq/plot'
import { ArtifactError } from '../artifacts/artifact-error.js'
import { tickLabel } from './axis.js'
import { escapeXml, type Figure, figureDocument, nestSvg } from './figure.js'
import { swatchLegend, textWidth } from './legend.js'
import { plotDocument, plotSvg } from './plot-svg.js'
import { type AnyResultGrid, numberAt, requireNumericKey, type TrialStyle, type TrialStyleOptions, trialStyles } from './series.js'

/** Options of `plotParameterHistory` (Ray's `plot_parameter_history`). */
export interface ParameterHistoryOptions extends TrialStyleOptions {
  /** Result key on the horizontal axis, e.g. `theta0`. */
  readonly x: string
  /** Result key on the vertical axis, e.g. `theta1`. */
  readonly y: string
  /** The true objective over (x, y), drawn as filled contours under the trajectories. */
  readonly objective?: (x: number, y: number) => number
  /** Name of the objective, for the colour bar. Default `objective`. */
  readonly objectiveLabel?: string
  /** Contour levels: about this many, at round values. Default 20. */
  readonly levels?: number
  /** Axis ranges; default: the trajectories' extent. */
  readonly domain?: { readonly x: readonly [number, number]; readonly y: readonly [number, number] }
  /** A point before the first result (iteration 0), e.g. the initial parameters. */
  readonly initial?: readonly [number, number]
  /** Label every this many points and draw an arrow from point m·interval to the next. */
  readonly perturbationInterval?: number
  /** Draw only points with index below this (Ray's `plot_until_iter`); default all. */
  readonly untilIteration?: number
  /** Draw a colour bar for the contours. Default true. */
  readonly colorbar?: boolean
  readonly title?: string
  /** File name without extension; default `parameter-history`. */
  readonly name?: string
  /** Size of the plotting area, in SVG units. Default 520 × 480. */
  readonly chartWidth?: number
  readonly chartHeight?: number
}

/** Pixel box of drawn content, in SVG units. */
export interface Box {
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
}

/** One drawn element (a dot, an arrow or a label) and the box it covers. */
export interface HistoryPart {
  readonly svg: string
  readonly box: Box
}

/** What is drawn when a point index is reached: the trajectories' dots, then exploit arrows, then labels. */
export interface HistoryLayer {
  readonly index: number
  readonly parts: readonly HistoryPart[]
}

/** A parameter-history chart split into a fixed background and one foreground layer per point index. */
export interface ParameterHistoryScene {
  readonly name: string
  readonly width: number
  readonly height: number
  readonly title: string
  /** Everything under the trajectories: contours, axes, legend, colour bar. */
  readonly background: string
  /** The plotting area: layers are clipped to it. */
  readonly clip: Box
  readonly layers: readonly HistoryLayer[]
}

/** Tutorial arrows: matplotlib's default patch colour. */
const ARROW_COLOR = '#1f77b4'
/** SVG units per typographic point at the chart's size. */
const PX_PER_PT = 1.2

function niceThresholds(min: number, max: number, levels: number): number[] {
  if (!(max > min)) return [min]
  const raw = (max - min) / levels
  const power = 10 ** Math.floor(Math.log10(raw))
  const err = raw / power
  const step = (err >= 7.07 ? 10 : err >= 3.16 ? 5 : err >= 1.41 ? 2 : 1) * power
  const start = Math.floor(min / step)
  const stop = Math.ceil(max / step)
  const out: number[] = []
  for (let i = start; i <= stop; i++) out.push(Number((i * step).toPrecision(12)))
  return out
}

function histories(grid: AnyResultGrid, options: ParameterHistoryOptions): { t: number; x: number; y: number }[][] {
  return grid.trials.map((trial) => {
    const points: { x: number; y: number }[] = options.initial === undefined ? [] : [{ x: options.initial[0], y: options.initial[1] }]
    for (const r of trial.results) {
      const x = numberAt(r, options.x)
      const y = numberAt(r, options.y)
      if (x !== undefined && y !== undefined) points.push({ x, y })
    }
    return points.map((p, t) => ({ t, ...p }))
  })
}

function extent(values: readonly number[]): [number, number] {
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  const pad = hi > lo ? (hi - lo) * 0.05 : 1
  return [lo - pad, hi + pad]
}

function arrowSvg(x1: number, y1: number, x2: number, y2: number): string {
  const length = Math.hypot(x2 - x1, y2 - y1)
  if (length < 1e-9) return ''
  const ux = (x2 - x1) / length
  const uy = (y2 - y1) / length
  const head = Math.min(9, length * 0.6)
  const bx = x2 - ux * head
  const by = y2 - uy * head
  const w = head * 0.45
  const f = (v: number) => v.toFixed(2)
  // The head is drawn as a polygon, not a marker: resvg does not rotate markers with orient="auto-start-reverse".
  return (
    `<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(bx)}" y2="${f(by)}" stroke="${ARROW_COLOR}" stroke-opacity="0.55" stroke-width="1.6"/>` +
    `<polygon points="${f(x2)},${f(y2)} ${f(bx - uy * w)},${f(by + ux * w)} ${f(bx + uy * w)},${f(by - ux * w)}" fill="${ARROW_COLOR}" fill-opacity="0.55"/>`
  )
}

function colorbarSvg(thresholds: readonly number[], color: (v: number) => string, label: string, x: number, y: number, height: number): string {
  const bands = thresholds.length - 1
  if (bands < 1) return ''
  const h = height / bands
  const parts = [`<text x="${x}" y="${y - 8}" font-weight="bold">${escapeXml(label)}</text>`]
  for (let i = 0; i < bands; i++) {
    parts.push(
      `<rect x="${x}" y="${(y + height - (i + 1) * h).toFixed(2)}" width="14" height="${(h + 0.5).toFixed(2)}" fill="${color(thresholds[i] as number)}"/>`,
    )
  }
  const every = Math.max(1, Math.ceil(bands / 10))
  for (let i = 0; i <= bands; i += every) {
    const ty = y + height - i * h
    parts.push(`<line x1="${x + 14}" x2="${x + 18}" y1="${ty.toFixed(2)}" y2="${ty.toFixed(2)}" stroke="black"/>`)
    parts.push(`<text x="${x + 21}" y="${(ty + 4).toFixed(2)}" font-size="10">${escapeXml(tickLabel(thresholds[i] as number))}</text>`)
  }
  parts.push(`<rect x="${x}" y="${y}" width="14" height="${height}" fill="none" stroke="black" stroke-opacity="0.4"/>`)
  return parts.join('')
}

/** Options that do not change the scene: they select frames or points of it. */
const VIEW_OPTIONS = new Set(['untilIteration', 'frames', 'delayMs', 'scale'])

// The last scene built per grid: a figure and its animation drawn with the same options share one
// (the contours are the costly part).
const lastScene = new WeakMap<AnyResultGrid, { readonly options: ParameterHistoryOptions; readonly scene: ParameterHistoryScene }>()

function sameScene(a: ParameterHistoryOptions, b: ParameterHistoryOptions): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !VIEW_OPTIONS.has(k)))
  return [...keys].every((k) => Object.is((a as unknown as Record<string, unknown>)[k], (b as unknown as Record<string, unknown>)[k]))
}

/**
 * Builds the chart as a background plus one layer per point index, shared by the figure and the
 * animation. Layers cover every point; `untilIteration` is applied by the callers.
 */
export function parameterHistoryScene(grid: AnyResultGrid, options: ParameterHistoryOptions): ParameterHistoryScene {
  const cached = lastScene.get(grid)
  if (cached !== undefined && sameScene(cached.options, options)) return cached.scene
  const scene = buildScene(grid, options)
  lastScene.set(grid, { options, scene })
  return scene
}

function buildScene(grid: AnyResultGrid, options: ParameterHistoryOptions): ParameterHistoryScene {
  requireNumericKey(grid, options.x, 'the horizontal axis of the parameter history')
  requireNumericKey(grid, options.y, 'the vertical axis of the parameter history')
  const interval = options.perturbationInterval
  if (interval !== undefined && !(Number.isInteger(interval) && interval > 0)) {
    throw new ArtifactError('VITUNE_PLOT_OPTIONS', `experiment "${grid.experiment}": perturbationInterval must be a positive integer, got ${interval}.`)
  }
  const styles: TrialStyle[] = trialStyles(grid, options)
  const trajectories = histories(grid, options)
  const all = trajectories.flat()
  const domainX = options.domain?.x ?? extent(all.map((p) => p.x))
  const domainY = options.domain?.y ?? extent(all.map((p) => p.y))
  const chartWidth = options.chartWidth ?? 520
  const chartHeight = options.chartHeight ?? 480
  const objective = options.objective
  let thresholds: number[] = []
  if (objective !== undefined) {
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (let i = 0; i <= 50; i++) {
      for (let j = 0; j <= 50; j++) {
        const v = objective(domainX[0] + ((domainX[1] - domainX[0]) * i) / 50, domainY[0] + ((domainY[1] - domainY[0]) * j) / 50)
        if (Number.isFinite(v)) {
          min = Math.min(min, v)
          max = Math.max(max, v)
        }
      }
    }
    thresholds = niceThresholds(min, max, options.levels ?? 20)
  }
  const chart = Plot.plot({
    document: plotDocument(),
    width: chartWidth,
    height: chartHeight,
    marginLeft: 50,
    marginBottom: 40,
    marginRight: 16,
    marginTop: 12,
    x: { domain: [...domainX], label: options.x, labelAnchor: 'center', labelArrow: 'none' },
    y: { domain: [...domainY], label: options.y, labelAnchor: 'center', labelArrow: 'none' },
    color: {
      type: 'linear',
      scheme: 'viridis',
      domain: thresholds.length > 1 ? [thresholds[0] as number, thresholds[thresholds.length - 1] as number] : [0, 1],
    },
    marks: [
      objective === undefined
        ? null
        : Plot.contour({
            x1: domainX[0],
            x2: domainX[1],
            y1: domainY[0],
            y2: domainY[1],
            value: objective,
            fill: 'value',
            stroke: 'none',
            thresholds,
            pixelSize: 4,
          }),
      Plot.frame(),
    ],
  })
  const sx = chart.scale('x')
  const sy = chart.scale('y')
  const sc = chart.scale('color')
  if (sx?.apply === undefined || sy?.apply === undefined) throw new Error('Observable Plot did not expose the x and y scales')
  const toX = (v: number) => sx.apply(v) as number
  const toY = (v: number) => sy.apply(v) as number
  const toColor = (v: number) => String(sc?.apply(v) ?? 'black')

  const width = chartWidth + (objective !== undefined && options.colorbar !== false ? 80 : 0)
  const legend = swatchLegend(styles, 16, 36, width - 32, 'dot')
  const top = 36 + legend.height + 4
  const clip = { x0: 50, y0: top + 12, x1: chartWidth - 16, y1: top + chartHeight - 40 }
  const colorbar =
    objective !== undefined && options.colorbar !== false
      ? colorbarSvg(thresholds, toColor, options.objectiveLabel ?? 'objective', chartWidth + 8, clip.y0 + 14, clip.y1 - clip.y0 - 14)
      : ''
  const background = legend.svg + nestSvg(plotSvg(chart), 0, top) + colorbar

  const length = Math.max(0, ...trajectories.map((t) => t.length))
  const layers: HistoryLayer[] = []
  for (let t = 0; t < length; t++) {
    const dots: HistoryPart[] = []
    const arrows: HistoryPart[] = []
    const labels: HistoryPart[] = []
    trajectories.forEach((points, i) => {
      const p = points[t]
      if (p === undefined) return
      const px = toX(p.x)
      const py = top + toY(p.y)
      // matplotlib's s = 100 / ((t + 1) ** 1 / 3) is 300 / (t + 1) square points: a marker that shrinks over time.
      const r = (Math.sqrt(300 / (t + 1)) / 2) * PX_PER_PT
      dots.push({
        svg: `<circle cx="${px.toFixed(2)}" cy="${py.toFixed(2)}" r="${r.toFixed(2)}" fill="${escapeXml(styles[i]?.color ?? 'black')}" fill-opacity="0.5"/>`,
        box: { x0: px - r - 1, y0: py - r - 1, x1: px + r + 1, y1: py + r + 1 },
      })
      if (interval !== undefined && t - 1 >= interval && (t - 1) % interval === 0) {
        const q = points[t - 1]
        if (q !== undefined) {
          const qx = toX(q.x)
          const qy = top + toY(q.y)
          arrows.push({
            svg: arrowSvg(qx, qy, px, py),
            box: { x0: Math.min(qx, px) - 8, y0: Math.min(qy, py) - 8, x1: Math.max(qx, px) + 8, y1: Math.max(qy, py) + 8 },
          })
        }
      }
      if (t % (interval ?? 1) === 0) {
        const text = String(t)
        labels.push({
          svg: `<text class="iteration" x="${(px + 3).toFixed(2)}" y="${(py - 3).toFixed(2)}" font-size="10">${text}</text>`,
          box: { x0: px + 2, y0: py - 15, x1: px + 5 + textWidth(text, 10) + 2, y1: py + 1 },
        })
      }
    })
    const parts = [...dots, ...arrows, ...labels]
    if (parts.length > 0) layers.push({ index: t, parts })
  }
  const title = options.title ?? `${options.objectiveLabel ?? 'objective'}(${options.x}, ${options.y}): parameter history`
  return { name: options.name ?? 'parameter-history', width, height: top + chartHeight, title, background, clip, layers }
}

/** The clip path and group that hold foreground layers inside the plotting area. */
export function clipDefinition(id: string, clip: Box): string {
  return `<defs><clipPath id="${id}"><rect x="${clip.x0}" y="${clip.y0}" width="${clip.x1 - clip.x0}" height="${clip.y1 - clip.y0}"/></clipPath></defs>`
}

/**
 * Ray's `plot_parameter_history`: filled contours of the objective, each trial's trajectory with
 * points that shrink over time, the iteration every perturbation interval, and an arrow at each
 * step after a perturbation (where an exploit makes a trial jump to its donor's parameters).
 */
export function plotParameterHistory(grid: AnyResultGrid, options: ParameterHistoryOptions): Figure {
  const scene = parameterHistoryScene(grid, options)
  const until = options.untilIteration ?? Number.POSITIVE_INFINITY
  const layers = scene.layers.filter((l) => l.index < until)
  const foreground = `${clipDefinition('vitune-plot-area', scene.clip)}<g clip-path="url(#vitune-plot-area)">${layers.map((l) => l.parts.map((p) => p.svg).join('')).join('')}</g>`
  return figureDocument(scene.name, scene.width, scene.height, scene.background + foreground, { title: scene.title })
}
