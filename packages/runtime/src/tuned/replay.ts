import type { Config, ExperimentDef, PolicyRecord, SpaceSpec } from '@vitune/dsl'
import type { TunedSchedule } from './schedule.js'

/**
 * The schedule as policy records that `policyChain` reads back into the same chain: each record's
 * target is the donor of the next, the donor config is the config before the change and the new
 * config the one after. The tags are made up (`tuned_<n>`): the schedule does not keep Ray's.
 */
export function scheduleToPolicy(schedule: TunedSchedule): PolicyRecord[] {
  let config: Config = schedule.initialConfig
  return schedule.changes.map((change, i) => {
    const next: Config = { ...config, ...change.config }
    const record: PolicyRecord = [`tuned_${i + 1}`, `tuned_${i}`, change.trainingIteration, change.trainingIteration, config, next]
    config = next
    return record
  })
}

/**
 * The experiment that replays a tuned schedule as one trial: the schedule's initial config as
 * the whole space (one variant, no grid or sampling), the schedule's seed, and Ray's PBT replay
 * (`PbtReplayScheduler`) to switch configs at the recorded iterations. A schedule without changes
 * is a single trial with one config, which FIFO runs as is. Storage is dropped: a replay never
 * resumes a tune run's saved state. The trainable, metric and stop criteria stay.
 */
export function replayDefinition(def: ExperimentDef, schedule: TunedSchedule): ExperimentDef {
  const { storage: _storage, ...rest } = def
  const policy = scheduleToPolicy(schedule)
  return {
    ...rest,
    name: `${def.name} (replay)`,
    space: structuredClone(schedule.initialConfig) as SpaceSpec,
    mutations: undefined,
    samples: 1,
    seed: schedule.seed,
    concurrency: 1,
    scheduler: policy.length === 0 ? { kind: 'fifo' } : { kind: 'pbtReplay', policy },
  }
}
