import type { Result } from '../../types.js'

/** The runtime's result fields under the names Ray writes to `result.json` and `progress.csv`. */
export const RAY_FIELD_NAMES: Readonly<Record<string, string>> = {
  trainingIteration: 'training_iteration',
  iterationsSinceRestore: 'iterations_since_restore',
  timeThisIterS: 'time_this_iter_s',
  timeTotalS: 'time_total_s',
  trialId: 'trial_id',
  config: 'config',
  checkpointed: 'checkpointed',
}

/**
 * One result as a row of Ray's `result.json`: the trainable's metrics as reported, then the
 * runtime's fields in snake_case, and `done` on a trial's final result, as Ray marks it.
 */
export function rayResultRow(result: Result, done: boolean): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  const auto: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(result)) {
    const ray = RAY_FIELD_NAMES[key]
    if (ray === undefined) row[key] = value
    else auto[ray] = value
  }
  return { ...row, done, ...auto }
}

/** A row with nested objects flattened into `a/b` keys, as Ray's `progress.csv` and pandas' dataframes have them. */
export function flattenRow(row: Readonly<Record<string, unknown>>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) {
    const path = prefix === '' ? key : `${prefix}/${key}`
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) flattenRow(value as Record<string, unknown>, path, out)
    else out[path] = value
  }
  return out
}

/** JSON text of a value with NaN and infinities kept as strings, where JSON itself would lose them as `null`. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), indent)
}
