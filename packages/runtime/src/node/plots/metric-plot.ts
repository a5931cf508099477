import * as Plot from '@observablehq/plot'
import { type Figure, figureDocument, nestSvg } from './figure.js'
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
}

/** A metric over `training_iteration`, one line per trial (the tutorial's "Q history"). */
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
  const legend = swatchLegend(styles, 16, 36, width - 32)
  const chartHeight = options.height ?? 360
  const chart = plotSvg(
    Plot.plot({
      document: plotDocument(),
      width,
      height: chartHeight,
      marginLeft: 60,
      marginRight: 20,
      x: { label: 'training_iteration' },
      y: { label: metric, grid: true },
      color: { type: 'ordinal', domain: styles.map((_, i) => i), range: styles.map((s) => s.color) },
      marks: [Plot.line(rows, { x: 'x', y: 'y', z: 'trial', stroke: 'trial', strokeWidth: 1.6 }), Plot.frame({ strokeOpacity: 0.3 })],
    }),
  )
  const top = 36 + legend.height + 4
  return figureDocument(options.name ?? 'metric', width, top + chartHeight, legend.svg + nestSvg(chart, 0, top), {
    title: options.title ?? `${metric} over training iterations`,
  })
}
