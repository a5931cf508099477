import * as Plot from '@observablehq/plot'
import { formatNumber } from '../../format-number.js'
import type { BestMetric } from '../../result-grid.js'
import { marginFor, type ScaleChoice, tickLabel, valueAxis } from './axis.js'
import { escapeXml, type Figure, figureDocument, nestSvg } from './figure.js'
import { swatchLegend } from './legend.js'
import { plotDocument, plotSvg } from './plot-svg.js'
import { type AnyResultGrid, metricOf, numberAt, requireNumericKey, type TrialStyleOptions, trialStyles } from './series.js'

/** Options of `plotMetric`. */
export interface MetricPlotOptions extends TrialStyleOptions {
  /** The metric to draw; default: the experiment's metric. */
  readonly metric?: string
  /** Figure title; default: `<metric> over training iterations`. */
  readonly title?: string
  /** File name without extension; default `metric`. */
  readonly name?: string
  readonly width?: number
  readonly height?: number
  /** The y scale: `auto` (default) is log when the values span two orders of magnitude or more. */
  readonly yScale?: ScaleChoice
  /**
   * Draw outliers at the plot's edge: values far worse than the bulk (a diverged trial; above it for
   * a `min` metric, below for `max`). Default true. Values on the good side are never clipped.
   */
  readonly clip?: boolean
}

/** Only bad values are clipped: huge ones of a metric to minimise, very negative ones of one to maximise. */
function clipSide(grid: AnyResultGrid, metric: string): 'above' | 'below' | 'both' {
  if (metric !== grid.metric || grid.mode === undefined) return 'both'
  return grid.mode === 'min' ? 'above' : 'below'
}

function bestOrUndefined(grid: AnyResultGrid, scope: 'last' | 'all', metric: string): BestMetric<unknown, unknown> | undefined {
  if (grid.mode === undefined) return undefined
  try {
    return grid.bestMetric(scope, metric, grid.mode)
  } catch {
    return undefined
  }
}

/**
 * A metric over `training_iteration`, one line per trial (the tutorial's "Q history"). The best
 * trial by its last result (the scope `result.best` uses) gets a ★ at that result, the best value
 * ever a ○. Losses that span orders of magnitude get a log axis, and outliers such as a diverged
 * trial are drawn at the edge, so the other curves keep their shape.
 */
export function plotMetric(grid: AnyResultGrid, options: MetricPlotOptions = {}): Figure {
  const metric = metricOf(grid, options.metric)
  requireNumericKey(grid, metric, 'the metric to plot')
  const styles = trialStyles(grid, options)
  const width = options.width ?? 640
  const rows = grid.trials.flatMap((trial, i) =>
    trial.results.flatMap((r) => {
      const y = numberAt(r, metric)
      return y === undefined ? [] : [{ trial: i, x: r.trainingIteration, y }]
    }),
  )
  const axis = valueAxis(
    rows.map((r) => r.y),
    { scale: options.yScale ?? 'auto', clip: options.clip === false ? 'none' : clipSide(grid, metric) },
  )
  const index = (trial: unknown) => grid.trials.indexOf(trial as AnyResultGrid['trials'][number])
  const best = bestOrUndefined(grid, 'last', metric)
  const ever = bestOrUndefined(grid, 'all', metric)
  const marker = (b: BestMetric<unknown, unknown> | undefined) =>
    b === undefined ? [] : [{ trial: index(b.trial), x: b.result.trainingIteration, y: b.value }]
  const legend = swatchLegend(styles, 16, 36, width - 32)
  const chartHeight = options.height ?? 360
  const better = grid.mode === undefined || metric !== grid.metric ? '' : grid.mode === 'min' ? 'lower is better' : 'higher is better'
  const label = `${metric}${better === '' && axis.type === 'linear' ? '' : ` (${[better, axis.type === 'log' ? 'log scale' : ''].filter(Boolean).join(', ')})`}`
  const chart = plotSvg(
    Plot.plot({
      document: plotDocument(),
      width,
      height: chartHeight,
      marginLeft: marginFor(axis.ticks),
      marginRight: 24,
      marginTop: 24,
      x: { label: 'training_iteration', labelArrow: 'none' },
      y: {
        type: axis.type,
        domain: [...axis.domain],
        ticks: [...axis.ticks],
        tickFormat: tickLabel,
        clamp: true,
        label,
        labelArrow: 'none',
        grid: true,
      },
      color: { type: 'ordinal', domain: styles.map((_, i) => i), range: styles.map((s) => s.color) },
      marks: [
        Plot.line(rows, { x: 'x', y: 'y', z: 'trial', stroke: 'trial', strokeWidth: 1.6 }),
        Plot.dot(marker(ever), { x: 'x', y: 'y', r: 5, stroke: 'black', strokeWidth: 1.5, fill: 'none' }),
        Plot.dot(marker(best), { x: 'x', y: 'y', r: 5, symbol: 'star', fill: 'trial', stroke: 'black', strokeWidth: 0.8 }),
        Plot.frame({ strokeOpacity: 0.3 }),
      ],
    }),
  )
  const top = 36 + legend.height + 4
  const notes: string[] = []
  if (best !== undefined) notes.push(`★ best trial by its last result (result.best): ${formatNumber(best.value, 6)}`)
  if (ever !== undefined) notes.push(`○ best value ever: ${formatNumber(ever.value, 6)}`)
  const { above, below } = axis.clipped
  const clippedNote = [
    above.length === 0
      ? ''
      : `${above.length} value(s) above ${tickLabel(axis.domain[1])}, up to ${formatNumber(Math.max(...above), 3)}, drawn at the top edge`,
    below.length === 0
      ? ''
      : `${below.length} value(s) below ${tickLabel(axis.domain[0])}, down to ${formatNumber(Math.min(...below), 3)}, drawn at the bottom edge`,
  ].filter(Boolean)
  const lines = [notes.join('  ·  '), ...clippedNote].filter((l) => l !== '')
  const noteSvg = lines
    .map((line, i) => `<text x="${width / 2}" y="${top + chartHeight + 14 + 15 * i}" text-anchor="middle" fill="#555">${escapeXml(line)}</text>`)
    .join('')
  return figureDocument(options.name ?? 'metric', width, top + chartHeight + 8 + 15 * lines.length, legend.svg + nestSvg(chart, 0, top) + noteSvg, {
    title: options.title ?? `${metric} over training iterations`,
  })
}
