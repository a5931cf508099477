import type { ExperimentDef } from '@vitune/dsl'
import { RunError } from './errors.js'
import type { ExploitLog } from './exploit.js'
import { Population } from './population.js'
import { deriveStream } from './random.js'
import type { RunRecord } from './run-record.js'
import { referencedCheckpoints } from './run-record.js'
import type { Scheduler } from './schedulers/types.js'
import { expandVariants } from './search/variants.js'
import type { SavedExperiment } from './snapshot.js'
import type { ExperimentStopper } from './stop.js'
import { Trial } from './trial.js'
import type { Result } from './types.js'

/** Stable 5-hex prefix for trial ids, from the experiment's name and seed. */
function idPrefix(name: string, seed: number): string {
  let h = 0x811c9dc5
  for (const ch of `${name}\u0000${seed}`) {
    h ^= ch.codePointAt(0) as number
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0').slice(0, 5)
}

/**
 * The experiment's trials, in Ray's variant order. Each trial's random stream is derived when it
 * first starts (see `Trial.randomState`).
 */
export function createPopulation(def: ExperimentDef): Population {
  const prefix = idPrefix(def.name, def.seed)
  const trials: Trial[] = []
  expandVariants(def, deriveStream(def.seed, 'variants'), (index, tag, config) => {
    trials.push(new Trial(`${prefix}_${String(index).padStart(5, '0')}`, index, tag, config))
  })
  return new Population(def.name, trials)
}

/** What a resume puts back besides the trials: the run's records and who must restart first. */
export interface RestoredRun {
  /** Trials that were running when the state was saved, in order: they restart before anything else. */
  readonly running: readonly Trial[]
}

/**
 * Puts a run back where its saved state left it: trials, order, logs, the scheduler's state, the
 * record's counters and every checkpoint still needed. Trainables restart from their checkpoints.
 */
export function restoreRun(
  { snapshot, results }: SavedExperiment,
  parts: { population: Population; scheduler: Scheduler; record: RunRecord; stopper: ExperimentStopper; log: ExploitLog; location: string },
): RestoredRun {
  const { population, scheduler, record, stopper, log, location } = parts
  const resultsOf = new Map<string, Result[]>()
  for (const result of results) {
    const list = resultsOf.get(result.trialId)
    if (list === undefined) resultsOf.set(result.trialId, [result])
    else list.push(result)
    stopper.observe(result)
  }
  const running: Trial[] = []
  for (const saved of snapshot.trials) {
    if (!population.has(saved.id)) {
      throw new RunError(
        'VITUNE_STATE_MISMATCH',
        `experiment "${population.experiment}": ${location} has trial ${saved.id}, which this experiment does not. Pass resume: false to start over.`,
      )
    }
    const trial = population.get(saved.id)
    population.move(trial, trial.restoreFrom(saved, resultsOf.get(saved.id) ?? []))
    if (saved.status === 'RUNNING') running.push(trial)
  }
  population.reorder(snapshot.order)
  log.lineage.push(...snapshot.lineage)
  log.policyLog.push(...snapshot.policyLog)
  scheduler.restore(snapshot.scheduler)
  record.restore(snapshot, referencedCheckpoints(population.trials, scheduler))
  const wasRunning = new Set(running)
  return { running: population.trials.filter((t) => wasRunning.has(t)) }
}
