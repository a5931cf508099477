import * as Plot from '@observablehq/plot'
import { ashaMilestones } from '../../schedulers/asha.js'
import { bracketSize, bracketsPerBand } from '../../schedulers/hyperband-bracket.js'
import { type Figure, figureDocument, nestSvg } from './figure.js'
import { swatchLegend } from './legend.js'
import { plotDocument, plotSvg } from './plot-svg.js'
import { type AnyResultGrid, metricOf, numberAt, type TrialStyleOptions, trialStyles } from './series.js'

/** Options of `plotRungs` and `plotExplored`. */
export interface SchedulerPlotOptions extends TrialStyleOptions {
  readonly title?: string
  /** File name without extension; default `rungs` / `explored`. */
  readonly name?: string
  readonly width?: number
  readonly height?: number
}

const setting = (grid: AnyResultGrid, key: string): number => grid.scheduler.settings[key] as number

/** The milestones of every bracket of an ASHA or HyperBand run, ascending, from its resolved settings. */
export function rungMilestones(grid: AnyResultGrid): number[] {
  const milestones = new Set<number>()
  if (grid.scheduler.kind === 'asha') {
    const settings = { maxT: setting(grid, 'maxT'), gracePeriod: setting(grid, 'gracePeriod'), reductionFactor: setting(grid, 'reductionFactor') }
    for (let s = 0; s < setting(grid, 'brackets'); s++) for (const m of ashaMilestones(settings, s)) if (m < settings.maxT) milestones.add(m)
  } else if (grid.scheduler.kind === 'hyperband') {
    const settings = { maxT: setting(grid, 'maxT'), reductionFactor: setting(grid, 'reductionFactor') }
    for (let s = 0; s < bracketsPerBand(settings); s++) {
      const { r0 } = bracketSize(settings, s)
      for (let r = r0; r > 0 && r < settings.maxT; r = Math.trunc(Math.min(r * settings.reductionFactor, settings.maxT))) milestones.add(r)
    }
  }
  return [...milestones].sort((a, b) => a - b)
}

/**
 * ASHA's or HyperBand's work: each trial's metric over `timeAttr`, the rungs as vertical rules, and
 * a cross where a trial stopped before the longest-running ones (stopped at the rung just below).
 * Undefined for other schedulers or without a metric.
 */
export function plotRungs(grid: AnyResultGrid, options: SchedulerPlotOptions = {}): Figure | undefined {
  if (grid.scheduler.kind !== 'asha' && grid.scheduler.kind !== 'hyperband') return undefined
  if (grid.metric === undefined) return undefined
  const metric = metricOf(grid, undefined)
  const timeAttr = String(grid.scheduler.settings.timeAttr ?? 'trainingIteration')
  const styles = trialStyles(grid, options)
  const rows: { trial: number; x: number; y: number }[] = []
  const ends: { trial: number; x: number; y: number }[] = []
  for (const [i, trial] of grid.trials.entries()) {
    for (const r of trial.results) {
      const x = numberAt(r, timeAttr)
      const y = numberAt(r, metric)
      if (x !== undefined && y !== undefined) rows.push({ trial: i, x, y })
    }
  }
  if (rows.length === 0) return undefined
  const longest = Math.max(...rows.map((r) => r.x))
  for (const [i, trial] of grid.trials.entries()) {
    const mine = rows.filter((r) => r.trial === i)
    const last = mine[mine.length - 1]
    if (last !== undefined && last.x < longest && trial.status === 'TERMINATED') ends.push(last)
  }
  const milestones = rungMilestones(grid)
  const width = options.width ?? 640
  const chartHeight = options.height ?? 360
  const legend = swatchLegend(styles, 16, 36, width - 32)
  const color = { type: 'ordinal' as const, domain: styles.map((_, i) => i), range: styles.map((s) => s.color) }
  const chart = plotSvg(
    Plot.plot({
      document: plotDocument(),
      width,
      height: chartHeight,
      marginLeft: 60,
      marginRight: 20,
      x: { label: timeAttr },
      y: { label: metric, grid: true },
      color,
      marks: [
        Plot.ruleX(milestones, { stroke: '#999', strokeDasharray: '4,3' }),
        Plot.text(milestones, { x: (m: number) => m, frameAnchor: 'top', dy: 4, text: (m: number) => String(m), fill: '#666', fontSize: 10 }),
        Plot.line(rows, { x: 'x', y: 'y', z: 'trial', stroke: 'trial', strokeWidth: 1.4 }),
        Plot.dot(ends, { x: 'x', y: 'y', stroke: 'trial', symbol: 'times', r: 5, strokeWidth: 2 }),
        Plot.frame({ strokeOpacity: 0.3 }),
      ],
    }),
  )
  const top = 36 + legend.height + 4
  const title = options.title ?? `${grid.scheduler.label}: ${ends.length} of ${grid.trials.length} trials stopped early (×) at the rungs (dashed)`
  return figureDocument(options.name ?? 'rungs', width, top + chartHeight, legend.svg + nestSvg(chart, 0, top), { title })
}

/** PB2's bounded keys as `a/b` paths, in bound order. */
function boundKeys(bounds: unknown, prefix = ''): { key: string; low: number; high: number }[] {
  if (typeof bounds !== 'object' || bounds === null) return []
  return Object.entries(bounds).flatMap(([k, v]) =>
    Array.isArray(v) ? [{ key: `${prefix}${k}`, low: v[0] as number, high: v[1] as number }] : boundKeys(v, `${prefix}${k}/`),
  )
}

/**
 * PB2's choices over time: one panel per bounded key, a dot per exploit at its time, coloured by
 * the target trial, filled when the GP chose it and hollow for a clone; the bounds as rules.
 * Undefined unless PB2 ran and exploited.
 */
export function plotExplored(grid: AnyResultGrid, options: SchedulerPlotOptions = {}): Figure | undefined {
  if (grid.scheduler.kind !== 'pb2' || grid.lineage.length === 0) return undefined
  const keys = boundKeys(grid.scheduler.settings.hyperparamBounds)
  if (keys.length === 0) return undefined
  const styles = trialStyles(grid, options)
  const index = new Map(grid.trials.map((t, i) => [t.trialId, i]))
  const width = options.width ?? 640
  const panelHeight = options.height ?? 180
  const legend = swatchLegend(styles, 16, 36, width - 32)
  const color = { type: 'ordinal' as const, domain: styles.map((_, i) => i), range: styles.map((s) => s.color) }
  let y = 36 + legend.height + 4
  const panels: string[] = []
  for (const { key, low, high } of keys) {
    const points = grid.lineage.flatMap((e) => {
      const value = numberAt(e.newConfig, key)
      const how = key.split('/').reduce<unknown>((o, part) => (o as Record<string, unknown> | undefined)?.[part], e.operations)
      return value === undefined ? [] : [{ x: e.time, y: value, trial: index.get(e.targetId) ?? 0, gp: how === 'gp-ucb' }]
    })
    const chart = plotSvg(
      Plot.plot({
        document: plotDocument(),
        width,
        height: panelHeight,
        marginLeft: 60,
        marginRight: 20,
        x: { label: 'time of the exploit' },
        y: { label: key, grid: true, domain: [low, high] },
        color,
        marks: [
          Plot.ruleY([low, high], { stroke: '#999', strokeDasharray: '4,3' }),
          Plot.dot(
            points.filter((p) => p.gp),
            { x: 'x', y: 'y', fill: 'trial', r: 4 },
          ),
          Plot.dot(
            points.filter((p) => !p.gp),
            { x: 'x', y: 'y', stroke: 'trial', r: 4 },
          ),
          Plot.frame({ strokeOpacity: 0.3 }),
        ],
      }),
    )
    panels.push(nestSvg(chart, 0, y))
    y += panelHeight + 8
  }
  const title = options.title ?? `${grid.scheduler.label}: values chosen at exploits (filled: GP-UCB, hollow: clone)`
  return figureDocument(options.name ?? 'explored', width, y, legend.svg + panels.join(''), { title })
}
