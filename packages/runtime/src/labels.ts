import type { Config } from '@vitune/dsl'
import { formatNumber } from './format-number.js'

/** Significant digits of numbers in trial labels: enough to tell `3.5e-5` from `3.6e-5`. */
export const LABEL_DIGITS = 4

/** Leaf values of a config by key path (`model/depth`); lists are leaves. */
export function configLeaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) configLeaves(v, prefix === '' ? k : `${prefix}/${k}`, out)
  } else if (prefix !== '') out.set(prefix, value)
  return out
}

/** A config value in a label: numbers to significant digits, strings as they are, the rest as JSON. */
export function labelValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value, LABEL_DIGITS)
  if (typeof value === 'string') return value
  return JSON.stringify(value) ?? String(value)
}

/**
 * Labels that tell trials apart, for test names, legends and tables: the trial's index, then each
 * config key whose value differs between trials (by the last part of its path, as Ray's tags),
 * numbers to 4 significant digits: `0_lr=3.5e-5,momentum=0.9`. Ray's tags (and ours, which stay
 * Ray's for policy logs) round floats to 4 decimals, so `lr=0.0000` hides 3.5e-5.
 */
export function trialLabels(configs: readonly Config[]): string[] {
  const flat = configs.map((c) => configLeaves(c))
  const keys: string[] = []
  for (const key of new Set(flat.flatMap((f) => [...f.keys()]))) {
    const texts = new Set(flat.map((f) => JSON.stringify(f.get(key)) ?? 'undefined'))
    if (texts.size > 1) keys.push(key)
  }
  keys.sort()
  const short = (key: string) => key.slice(key.lastIndexOf('/') + 1)
  const ambiguous = new Set(keys.filter((k, _, all) => all.some((o) => o !== k && short(o) === short(k))))
  return flat.map((f, index) => {
    const parts = keys.filter((k) => f.has(k)).map((k) => `${ambiguous.has(k) ? k : short(k)}=${labelValue(f.get(k))}`)
    return parts.length === 0 ? String(index) : `${index}_${parts.join(',')}`
  })
}
