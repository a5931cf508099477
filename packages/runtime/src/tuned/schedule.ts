import type { Config, ExperimentDef } from '@vitune/dsl'
import type { ResultGrid } from '../result-grid.js'
import { policyChain } from '../schedulers/pbt-replay.js'
import { ScheduleError } from './errors.js'
import { changedParts, type DefinitionFingerprint, definitionFingerprint, FINGERPRINT_PARTS } from './fingerprint.js'

/** One step of a tuned schedule: at `trainingIteration`, these keys take these values. */
export interface ScheduleChange<C extends Config = Config> {
  /** The iteration where the config changes (the donor's, in PBT terms: where training resumes from). */
  readonly trainingIteration: number
  /** Only the keys whose value changes; the others keep theirs. */
  readonly config: Partial<C>
}

/**
 * What tuning found, in the form vitune writes into a tune file: the best trial's lineage of
 * configs (a readable PBT policy chain), what it reached, and what it was tuned against.
 */
export interface TunedSchedule<C extends Config = Config> {
  /** The experiment seed of the tune run that found it. */
  readonly seed: number
  /** The tuned best trial's last value of the metric, and the `trainingIteration` it reached it at. */
  readonly reached: Readonly<Record<string, number>>
  /** The config the schedule starts from. */
  readonly initialConfig: C
  /** The config changes, in order of `trainingIteration`. */
  readonly changes: readonly ScheduleChange<C>[]
  /** The experiment definition it was tuned against; a different one makes the schedule stale. */
  readonly fingerprint: DefinitionFingerprint
}

/**
 * The best trial's schedule from a finished run. A PBT trial's history runs through its donors:
 * its policy chain (Ray's `_load_policy`) holds the configs it trained with, including those its
 * weights were trained with before it cloned them. A trial that was never exploited (and every
 * trial of a FIFO run) has one config and no changes.
 */
export function scheduleOf<C extends Config>(grid: ResultGrid<C, object>, def: ExperimentDef): TunedSchedule<C> {
  const best = grid.best
  const chain = policyChain(best.policy)
  let previous = (chain?.initialConfig ?? best.initialConfig) as C
  const changes: ScheduleChange<C>[] = []
  for (const change of chain?.changes ?? []) {
    const next = change.config as C
    changes.push({ trainingIteration: change.trainingIteration, config: changedKeys(previous, next) })
    previous = next
  }
  const last = best.metrics as Readonly<Record<string, unknown>> | undefined
  const reached: Record<string, number> = {}
  const value = def.metric === undefined ? undefined : last?.[def.metric]
  if (def.metric !== undefined && typeof value === 'number') reached[def.metric] = value
  if (typeof last?.trainingIteration === 'number') reached.trainingIteration = last.trainingIteration
  return { seed: def.seed, reached, initialConfig: plain(chain?.initialConfig ?? best.initialConfig) as C, changes, fingerprint: definitionFingerprint(def) }
}

/** The keys of `next` whose values differ from `previous`, with `next`'s values. */
function changedKeys<C extends Config>(previous: C, next: C): Partial<C> {
  const changed: Record<string, unknown> = {}
  for (const key of Object.keys(next)) if (!sameValue(previous[key], next[key])) changed[key] = plain(next[key])
  return changed as Partial<C>
}

/** An unfrozen deep copy, so the schedule owns its values. */
function plain<T>(value: T): T {
  return structuredClone(value)
}

/** Deep equality of plain data; numbers by `Object.is`, so `-0` and `0` differ as they do when written. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b)
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const x = a as Readonly<Record<string, unknown>>
  const y = b as Readonly<Record<string, unknown>>
  const keys = Object.keys(x)
  if (keys.length !== Object.keys(y).length) return false
  return keys.every((key) => Object.hasOwn(y, key) && sameValue(x[key], y[key]))
}

/** What differs between a stored schedule and a newly tuned one, for a person; undefined when they are the same. */
export function describeScheduleDifference(stored: TunedSchedule, tuned: TunedSchedule): string | undefined {
  const reasons: string[] = []
  const parts = changedParts(stored.fingerprint, tuned.fingerprint)
  if (parts.length > 0) reasons.push(`the experiment's ${parts.join(', ')} changed since it was tuned`)
  if (stored.seed !== tuned.seed) reasons.push(`the seed is ${tuned.seed}, the stored schedule was tuned with ${stored.seed}`)
  if (!sameValue(stored.initialConfig, tuned.initialConfig)) reasons.push('the best trial starts from another config')
  if (!sameValue(stored.changes, tuned.changes)) {
    const at = stored.changes.findIndex((change, i) => !sameValue(change, tuned.changes[i]))
    const first = at === -1 ? tuned.changes[stored.changes.length] : tuned.changes[at]
    reasons.push(
      `the changes differ (${stored.changes.length} stored, ${tuned.changes.length} tuned${first === undefined ? '' : `; first difference at trainingIteration ${first.trainingIteration}`})`,
    )
  }
  if (!sameValue(stored.reached, tuned.reached))
    reasons.push(`the best trial reached ${formatReached(tuned.reached)}, the stored schedule ${formatReached(stored.reached)}`)
  return reasons.length === 0 ? undefined : reasons.join('; ')
}

/** `Q=1.2 at trainingIteration 100`. */
export function formatReached(reached: Readonly<Record<string, number>>): string {
  const metric = Object.keys(reached).find((key) => key !== 'trainingIteration')
  const at = reached.trainingIteration === undefined ? '' : ` at trainingIteration ${reached.trainingIteration}`
  return metric === undefined ? `trainingIteration ${reached.trainingIteration}` : `${metric}=${reached[metric]}${at}`
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Checks a stored schedule against the experiment as it is now: its shape (a hand edit, or a JS
 * file TypeScript does not check), its keys, then its fingerprint. Throws a `ScheduleError` that
 * says what changed and to re-tune.
 */
export function checkSchedule(value: unknown, def: ExperimentDef): TunedSchedule {
  const invalid = (problem: string): never => {
    throw new ScheduleError(
      'VITUNE_SCHEDULE_INVALID',
      def.name,
      `its tuned schedule ${problem}. Write \`schedule: true\` in its tune() options and run \`vitune run\` to tune and write it again.`,
    )
  }
  if (!isRecord(value)) return invalid(`is not an object (got ${value === null ? 'null' : typeof value})`)
  const { seed, reached, initialConfig, changes, fingerprint } = value
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) invalid('has no integer `seed`')
  if (!isRecord(reached) || !Object.values(reached).every((v) => typeof v === 'number')) invalid('has no `reached` object of numbers')
  if (!isRecord(initialConfig)) invalid('has no `initialConfig` object')
  if (!Array.isArray(changes)) invalid('has no `changes` list')
  let last = Number.NEGATIVE_INFINITY
  for (const [i, change] of (changes as unknown[]).entries()) {
    if (!isRecord(change) || typeof change.trainingIteration !== 'number' || !isRecord(change.config))
      invalid(`has a change (#${i + 1}) that is not { trainingIteration: number, config: {...} }`)
    const at = (change as { trainingIteration: number }).trainingIteration
    if (at < last) invalid(`has changes out of order (trainingIteration ${at} after ${last})`)
    last = at
  }
  if (!isRecord(fingerprint) || !FINGERPRINT_PARTS.every((part) => typeof fingerprint[part] === 'string'))
    invalid(`has no \`fingerprint\` with ${FINGERPRINT_PARTS.join(', ')}`)
  const schedule = value as unknown as TunedSchedule
  checkKeys(schedule, def)
  const parts = changedParts(schedule.fingerprint, definitionFingerprint(def))
  if (parts.length > 0) {
    throw new ScheduleError(
      'VITUNE_SCHEDULE_STALE',
      def.name,
      `its tuned schedule is stale: the experiment's ${parts.join(', ')} changed since it was tuned, so the schedule may not be what tuning finds now (or hold values the experiment no longer allows). Re-tune it: \`vitune run -u\` rewrites the schedule.`,
    )
  }
  return schedule
}

/** Keys the experiment's configs have: the space's, and those only mutations name (filled in at trial start). */
function configKeys(def: ExperimentDef): Set<string> {
  return new Set([...Object.keys(def.space), ...Object.keys(def.mutations ?? {})])
}

function checkKeys(schedule: TunedSchedule, def: ExperimentDef): void {
  const keys = configKeys(def)
  const fail = (problem: string): never => {
    throw new ScheduleError('VITUNE_SCHEDULE_KEY', def.name, `${problem}. The space changed since the schedule was tuned: re-tune it with \`vitune run -u\`.`)
  }
  for (const key of Object.keys(schedule.initialConfig))
    if (!keys.has(key)) fail(`its tuned schedule's initialConfig sets \`${key}\`, which the experiment no longer has`)
  for (const key of keys) if (!Object.hasOwn(schedule.initialConfig, key)) fail(`the experiment has \`${key}\`, which its tuned schedule's initialConfig lacks`)
  for (const change of schedule.changes) {
    for (const key of Object.keys(change.config)) {
      if (!keys.has(key)) fail(`its tuned schedule changes \`${key}\` at trainingIteration ${change.trainingIteration}, which the experiment no longer has`)
    }
  }
}
