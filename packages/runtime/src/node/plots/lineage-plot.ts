import * as Plot from '@observablehq/plot'
import { escapeXml, type Figure, figureDocument, nestSvg } from './figure.js'
import { swatchLegend } from './legend.js'
import { plotDocument, plotSvg } from './plot-svg.js'
import { type AnyResultGrid, type TrialStyleOptions, trialStyles } from './series.js'

/** Options of `plotLineage`. */
export interface LineagePlotOptions extends TrialStyleOptions {
  readonly title?: string
  /** File name without extension; default `lineage`. */
  readonly name?: string
  readonly width?: number
}

/** A stretch of a trial's life during which it carried the weights that started in `origin`. */
interface Segment {
  readonly trial: number
  readonly origin: number
  readonly x1: number
  readonly x2: number
}

/**
 * Who cloned whom, and when: one lane per trial over `training_iteration`, an arrow from donor to
 * target at each exploit in the colour of the weights it copies, and each lane coloured by the
 * trial whose initial weights it carries.
 */
export function plotLineage(grid: AnyResultGrid, options: LineagePlotOptions = {}): Figure {
  const styles = trialStyles(grid, options)
  const index = new Map(grid.trials.map((t, i) => [t.trialId, i]))
  const width = options.width ?? 640
  const origin = grid.trials.map((_, i) => i)
  const since = grid.trials.map((t) => t.results[0]?.trainingIteration ?? 0)
  const segments: Segment[] = []
  const arrows: { donor: number; target: number; x: number; origin: number }[] = []
  for (const event of grid.lineage) {
    const target = index.get(event.targetId)
    const donor = index.get(event.donorId)
    if (target === undefined || donor === undefined) continue
    segments.push({ trial: target, origin: origin[target] ?? target, x1: since[target] ?? 0, x2: event.time })
    origin[target] = origin[donor] ?? donor
    since[target] = event.time
    // In the colour of the weights it copies: the colour the target's lane takes from here on.
    arrows.push({ donor, target, x: event.time, origin: origin[donor] ?? donor })
  }
  grid.trials.forEach((trial, i) => {
    const last = trial.results[trial.results.length - 1]?.trainingIteration ?? since[i] ?? 0
    segments.push({ trial: i, origin: origin[i] ?? i, x1: since[i] ?? 0, x2: Math.max(last, since[i] ?? 0) })
  })
  const legend = swatchLegend(styles, 16, 36, width - 32)
  const chartHeight = 70 + 34 * grid.trials.length
  const chart = plotSvg(
    Plot.plot({
      document: plotDocument(),
      width,
      height: chartHeight,
      marginLeft: 90,
      marginRight: 20,
      x: { label: 'training_iteration', labelArrow: 'none' },
      y: { type: 'point', domain: styles.map((_, i) => i), label: null, tickFormat: (i: number) => grid.trials[i]?.trialId ?? String(i), padding: 0.6 },
      color: { type: 'ordinal', domain: styles.map((_, i) => i), range: styles.map((s) => s.color) },
      marks: [
        Plot.link(segments, { x1: 'x1', x2: 'x2', y1: 'trial', y2: 'trial', stroke: 'origin', strokeWidth: 7, strokeLinecap: 'butt' }),
        Plot.arrow(arrows, {
          x1: 'x',
          x2: 'x',
          y1: 'donor',
          y2: 'target',
          stroke: 'origin',
          bend: 25,
          strokeWidth: 1.3,
          insetStart: 5,
          insetEnd: 5,
          headLength: 7,
        }),
        Plot.frame({ strokeOpacity: 0.3 }),
      ],
    }),
  )
  const top = 36 + legend.height + 4
  const notes = [
    'Lane colour: the trial whose initial weights the lane carries.',
    `Arrow: an exploit, from donor to target, in the colour of the weights it copies (${grid.lineage.length} in all).`,
  ]
  const note = notes
    .map((line, i) => `<text x="${width / 2}" y="${top + chartHeight + 14 + 15 * i}" text-anchor="middle" fill="#555">${escapeXml(line)}</text>`)
    .join('')
  return figureDocument(options.name ?? 'lineage', width, top + chartHeight + 10 + 15 * notes.length, legend.svg + nestSvg(chart, 0, top) + note, {
    title: options.title ?? 'PBT lineage: who cloned whom, when',
  })
}
