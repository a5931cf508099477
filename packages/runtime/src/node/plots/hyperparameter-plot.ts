import * as Plot from '@observablehq/plot'
import { marginFor, tickLabel, valueAxis } from './axis.js'
import { escapeXml, type Figure, figureDocument, nestSvg } from './figure.js'
import { swatchLegend } from './legend.js'
import { plotDocument, plotSvg } from './plot-svg.js'
import { type AnyResultGrid, mutatedKeys, type TrialStyleOptions, trialStyles, valueAt } from './series.js'

/** Options of `plotHyperparameters`. */
export interface HyperparameterPlotOptions extends TrialStyleOptions {
  /** Config keys to draw (`a/b` for nested keys); default: every key an exploit changed. */
  readonly keys?: readonly string[]
  readonly title?: string
  /** File name without extension; default `hyperparameters`. */
  readonly name?: string
  readonly width?: number
  /** Height of each key's panel. */
  readonly panelHeight?: number
}

/**
 * The y axis of one key's panel: numbers get round ticks without float noise, and a log scale
 * when positive values span two orders of magnitude (a log-uniform learning rate); other values
 * are categories.
 */
function yAxis(values: readonly (number | string)[]): Plot.ScaleOptions {
  if (!values.every((v): v is number => typeof v === 'number')) return { label: null, grid: true }
  const axis = valueAxis(values)
  return { type: axis.type, domain: [...axis.domain], ticks: [...axis.ticks], tickFormat: tickLabel, label: null, grid: true }
}

/**
 * Each hyperparameter's schedule: its value in every trial over `training_iteration`, one panel per
 * key, with a dot where an exploit set it. Undefined when there is nothing to draw (no key given
 * and no exploit changed one).
 */
export function plotHyperparameters(grid: AnyResultGrid, options: HyperparameterPlotOptions = {}): Figure | undefined {
  const keys = options.keys ?? mutatedKeys(grid)
  if (keys.length === 0) return undefined
  const styles = trialStyles(grid, options)
  const width = options.width ?? 640
  const panelHeight = options.panelHeight ?? 200
  const legend = swatchLegend(styles, 16, 36, width - 32)
  let y = 36 + legend.height + 4
  const panels: string[] = []
  const color = { type: 'ordinal' as const, domain: styles.map((_, i) => i), range: styles.map((s) => s.color) }
  // One left margin for every panel, so their plotting areas line up.
  const numericTicks = keys.flatMap((key) => {
    const values = grid.trials.flatMap((t) => t.results.map((r) => valueAt(r.config, key)))
    return values.every((v) => typeof v === 'number') ? valueAxis(values as number[]).ticks : []
  })
  const marginLeft = Math.max(60, marginFor(numericTicks))
  for (const [k, key] of keys.entries()) {
    const rows = grid.trials.flatMap((trial, i) =>
      trial.results.flatMap((r) => {
        const value = valueAt(r.config, key)
        return value === undefined ? [] : [{ trial: i, x: r.trainingIteration, y: value as number | string }]
      }),
    )
    const exploits = grid.lineage.flatMap((event) => {
      const value = valueAt(event.newConfig, key)
      const trial = grid.trials.findIndex((t) => t.trialId === event.targetId)
      return value === undefined || trial < 0 ? [] : [{ trial, x: event.donorIteration, y: value as number | string }]
    })
    const chart = plotSvg(
      Plot.plot({
        document: plotDocument(),
        width,
        height: panelHeight,
        marginLeft,
        marginRight: 20,
        marginTop: 24,
        x: { label: k === keys.length - 1 ? 'training_iteration' : null, labelArrow: 'none' },
        y: yAxis(rows.map((r) => r.y)),
        color,
        marks: [
          Plot.line(rows, { x: 'x', y: 'y', z: 'trial', stroke: 'trial', curve: 'step-before', strokeWidth: 1.6 }),
          Plot.dot(exploits, { x: 'x', y: 'y', stroke: 'trial', fill: 'white', r: 3 }),
          Plot.frame({ strokeOpacity: 0.3 }),
        ],
      }),
    )
    panels.push(`<text x="${marginLeft}" y="${y + 15}" font-weight="bold">${escapeXml(key)}</text>${nestSvg(chart, 0, y)}`)
    y += panelHeight
  }
  return figureDocument(options.name ?? 'hyperparameters', width, y, legend.svg + panels.join(''), {
    title: options.title ?? 'Hyperparameters over training iterations (dots: set by an exploit)',
  })
}
