import type { Config } from '@vitune/dsl'
import { trialLabels } from '../../labels.js'
import type { ResultGrid, TrialResult } from '../../result-grid.js'
import { ArtifactError } from '../artifacts/artifact-error.js'

/** Any result grid, whatever its config and metric types. */
export type AnyResultGrid = ResultGrid<unknown, unknown>

/** Any trial of a result grid. */
export type AnyTrial = TrialResult<unknown, unknown>

/** Colour and legend label of each trial, by trial index. */
export interface TrialStyleOptions {
  /** CSS colours by trial index; default: a ten-colour categorical palette. */
  readonly colors?: readonly string[]
  /** Legend labels by trial index; default: each trial's label (`3_lr=3.5e-5`, as its test is named). */
  readonly labels?: readonly string[]
}

/** Tableau 10: distinct colours that stay readable on white. */
export const TRIAL_PALETTE: readonly string[] = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab']

/** The colour and label of one trial. */
export interface TrialStyle {
  readonly color: string
  readonly label: string
}

/**
 * Colours and labels of the grid's trials, in trial order. The colour follows the trial's index, so
 * every figure of an experiment colours a trial alike; labels are the significant-digit trial
 * labels that test names and tables use.
 */
export function trialStyles(grid: AnyResultGrid, options: TrialStyleOptions = {}): TrialStyle[] {
  const labels = trialLabels(grid.trials.map((t) => t.initialConfig as Config))
  return grid.trials.map((trial, i) => ({
    color: options.colors?.[i] ?? TRIAL_PALETTE[i % TRIAL_PALETTE.length] ?? 'black',
    label: options.labels?.[i] ?? labels[i] ?? trial.initialTag,
  }))
}

/** A value at a key of a result or config; `a/b` reads nested objects, as Ray flattens them. */
export function valueAt(source: unknown, key: string): unknown {
  if (typeof source !== 'object' || source === null) return undefined
  let value: unknown = source
  for (const part of key in source ? [key] : key.split('/')) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** A finite number at `key`, or undefined. */
export function numberAt(source: unknown, key: string): number | undefined {
  const value = valueAt(source, key)
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** Throws a clear error when no result of the grid reports `key` as a number. */
export function requireNumericKey(grid: AnyResultGrid, key: string, what: string): void {
  const found = grid.trials.some((t) => t.results.some((r) => numberAt(r, key) !== undefined))
  if (!found) {
    const keys = new Set<string>()
    for (const t of grid.trials) for (const k of Object.keys((t.results[0] as object | undefined) ?? {})) keys.add(k)
    throw new ArtifactError(
      'VITUNE_PLOT_KEY',
      `experiment "${grid.experiment}": no result reports a number at \`${key}\` (${what}). Reported keys: ${[...keys].join(', ') || 'none'}.`,
    )
  }
}

/** The metric the grid ranks by, or a clear error when it has none and the caller gave none. */
export function metricOf(grid: AnyResultGrid, metric: string | undefined): string {
  const name = metric ?? grid.metric
  if (name === undefined) {
    throw new ArtifactError(
      'VITUNE_PLOT_KEY',
      `experiment "${grid.experiment}" has no metric: pass { metric: "..." } to the plot, or add .metric() to the experiment.`,
    )
  }
  return name
}

/** Flattened config keys whose value changed in some exploit: what PBT mutated. */
export function mutatedKeys(grid: AnyResultGrid): string[] {
  const keys = new Set<string>()
  for (const event of grid.lineage) {
    for (const key of flatKeys(event.newConfig)) {
      if (!Object.is(valueAt(event.newConfig, key), valueAt(event.oldConfig, key))) keys.add(key)
    }
  }
  return [...keys].sort()
}

/** Leaf keys of a plain object, nested keys joined with `/`. */
export function flatKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return prefix === '' ? [] : [prefix]
  const keys: string[] = []
  for (const [k, v] of Object.entries(value)) {
    const path = prefix === '' ? k : `${prefix}/${k}`
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) keys.push(...flatKeys(v, path))
    else keys.push(path)
  }
  return keys
}
