import type { ExperimentDef, SchedulerDef } from '@vitune/dsl'
import type { RandomStream } from './random.js'
import { AshaScheduler } from './schedulers/asha.js'
import { FifoScheduler } from './schedulers/fifo.js'
import { HyperBandScheduler } from './schedulers/hyperband.js'
import { MedianStoppingScheduler } from './schedulers/median-stopping.js'
import { createPb2Scheduler, pb2Bounds } from './schedulers/pb2.js'
import { PbtScheduler } from './schedulers/pbt.js'
import { PbtReplayScheduler } from './schedulers/pbt-replay.js'
import type { Scheduler } from './schedulers/types.js'

/** A scheduler's settings as plain data, for reports and plots (functions become `true`). */
export type SchedulerSettings = Readonly<Record<string, unknown>>

/** Which scheduler ran and how it was set up: resolved once, carried by the results. */
export interface SchedulerInfo {
  /** The definition's kind: `fifo`, `pbt`, `pbtReplay`, ... */
  readonly kind: SchedulerDef['kind']
  /** How reports name it: `FIFO`, `PBT synchronous`, ... */
  readonly label: string
  /** Its resolved settings (PBT: perturbationInterval, quantileFraction, ...). */
  readonly settings: SchedulerSettings
}

type DefOf<K extends SchedulerDef['kind']> = Extract<SchedulerDef, { readonly kind: K }>

/** How one kind of scheduler is labelled, described and created. */
export interface SchedulerEntry<D extends SchedulerDef> {
  label(scheduler: D): string
  settings(scheduler: D, def: ExperimentDef): SchedulerSettings
  create(scheduler: D, def: ExperimentDef, stream: RandomStream): Scheduler
}

/** Settings as plain data: functions (customExplore) are shown as `true`. */
function plain(settings: Readonly<Record<string, unknown>>): SchedulerSettings {
  return Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, typeof value === 'function' ? true : value]))
}

/**
 * Every scheduler kind the DSL can define, keyed by kind (Ray's `create_scheduler` names them the
 * same way). The mapped type makes a kind without an entry a compile error.
 */
export const SCHEDULERS: { readonly [K in SchedulerDef['kind']]: SchedulerEntry<DefOf<K>> } = {
  fifo: {
    label: () => 'FIFO',
    settings: () => ({}),
    create: () => new FifoScheduler(),
  },
  pbt: {
    label: (s) => `PBT ${s.synch ? 'synchronous' : 'asynchronous'}`,
    settings: ({ kind: _kind, ...options }, def) => plain({ ...options, metric: def.metric, mode: def.mode, mutatedKeys: Object.keys(def.mutations ?? {}) }),
    create: (s, def, stream) =>
      new PbtScheduler({ ...s, metric: def.metric as string, mode: def.mode as 'min' | 'max', mutations: def.mutations ?? {} }, stream),
  },
  pbtReplay: {
    label: () => 'PBT replay',
    settings: (s) => ({ records: s.policy.length }),
    create: (s) => new PbtReplayScheduler(s.policy),
  },
  asha: {
    label: () => 'ASHA',
    settings: ({ kind: _kind, ...options }, def) => plain({ ...options, metric: def.metric, mode: def.mode }),
    create: (s, def, stream) => new AshaScheduler({ ...s, ...metricOf(def) }, stream),
  },
  hyperband: {
    label: () => 'HyperBand',
    settings: ({ kind: _kind, ...options }, def) => plain({ ...options, metric: def.metric, mode: def.mode }),
    create: (s, def) => new HyperBandScheduler({ ...s, ...metricOf(def) }),
  },
  medianStopping: {
    label: () => 'median stopping',
    settings: ({ kind: _kind, ...options }, def) => plain({ ...options, metric: def.metric, mode: def.mode }),
    create: (s, def) => new MedianStoppingScheduler({ ...s, ...metricOf(def) }),
  },
  pb2: {
    label: (s) => `PB2 ${s.synch ? 'synchronous' : 'asynchronous'}`,
    settings: ({ kind: _kind, ...options }, def) => plain({ ...options, metric: def.metric, mode: def.mode }),
    create: (s, def, stream) => createPb2Scheduler({ ...s, ...metricOf(def), bounds: pb2Bounds(s.hyperparamBounds, def.space) }, stream),
  },
}

/** The metric and mode a scheduler compares trials by; validateExperiment made sure both are set. */
function metricOf(def: ExperimentDef): { readonly metric: string; readonly mode: 'min' | 'max' } {
  return { metric: def.metric as string, mode: def.mode as 'min' | 'max' }
}

function entryOf<K extends SchedulerDef['kind']>(scheduler: DefOf<K>): SchedulerEntry<DefOf<K>> {
  return SCHEDULERS[scheduler.kind as K] as SchedulerEntry<DefOf<K>>
}

/** Which scheduler an experiment uses, with its resolved settings. */
export function describeScheduler(def: ExperimentDef): SchedulerInfo {
  const entry = entryOf(def.scheduler)
  return { kind: def.scheduler.kind, label: entry.label(def.scheduler), settings: entry.settings(def.scheduler, def) }
}

/** The experiment's scheduler, drawing from `stream`. */
export function createScheduler(def: ExperimentDef, stream: RandomStream): Scheduler {
  return entryOf(def.scheduler).create(def.scheduler, def, stream)
}
