import type { Metrics } from '@vitune/dsl'
import { RunError } from './errors.js'

/** One report pulled from a trainable. */
export interface Report {
  readonly metrics: Metrics
  readonly hasCheckpoint: boolean
  readonly checkpoint: unknown
}

/**
 * What `close()` returns when the trainable has closed by the time it returns (a synchronous
 * generator): an already-settled promise that the runner recognises and does not wait for.
 */
export const CLOSED_AT_ONCE: Promise<void> = Promise.resolve()

/** Thrown into a Ray-style trainable's pending `report()` when its trial is stopped or exploited. */
export class TrialStopped extends Error {
  constructor() {
    super('the trial was stopped by the runtime; let this error propagate')
    this.name = 'TrialStopped'
  }
}

/** Names the trial in error messages; a function when the name is only built if an error needs it. */
export type Where = string | (() => string)

export const named = (where: Where): string => (typeof where === 'string' ? where : where())

export function toReport(item: unknown, where: Where): Report {
  if (typeof item === 'number') return { metrics: { _metric: item }, hasCheckpoint: false, checkpoint: undefined }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new RunError(
      'VITUNE_BAD_REPORT',
      `${named(where)}: a report must be an object of metrics, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}. Yield { loss: 0.1 } or withCheckpoint({ loss: 0.1 }, state).`,
    )
  }
  if ((item as { $report?: unknown }).$report === true) {
    const { metrics, checkpoint } = item as { metrics: Metrics; checkpoint: unknown }
    return { metrics: plainMetrics(metrics, where), hasCheckpoint: checkpoint !== undefined, checkpoint }
  }
  return { metrics: plainMetrics(item, where), hasCheckpoint: false, checkpoint: undefined }
}

/** Metrics are a plain object of named values: a Date, Map or class instance has no metrics to read. */
function plainMetrics(value: unknown, where: Where): Metrics {
  const proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined
  if (proto === Object.prototype || proto === null) return value as Metrics
  const kind =
    typeof value !== 'object' || value === null
      ? String(value)
      : ((proto as { constructor?: { name?: string } }).constructor?.name ?? 'an object with a prototype')
  throw new RunError(
    'VITUNE_BAD_REPORT',
    `${named(where)}: a report must be a plain object of metrics, got ${kind}. Yield { loss: 0.1 } or withCheckpoint({ loss: 0.1 }, state).`,
  )
}
