import { type ResultGrid, type TuneEvent, WALL_TIME_FIELDS } from '../../src/index.js'

const withoutWallTime = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => !(WALL_TIME_FIELDS as readonly string[]).includes(k)))

/**
 * Everything a run decided and reported except wall time, as one string: every result of every
 * trial, statuses, configs and their history, failures, lineage, policy logs, scheduler stats and
 * the events in order. Two runs with the same string gave the same results.
 */
export function comparable(grid: ResultGrid, events: readonly TuneEvent[] = []): string {
  return JSON.stringify({
    trials: grid.trials.map((t) => ({
      id: t.trialId,
      tag: t.tag,
      status: t.status,
      initialConfig: t.initialConfig,
      config: t.config,
      history: t.configHistory,
      lineage: t.lineage,
      policy: t.policy,
      failures: t.failures.map((f) => [f.message, f.trainingIteration]),
      results: t.results.map(withoutWallTime),
    })),
    lineage: grid.lineage,
    policy: grid.policyLog,
    stats: grid.schedulerStats,
    stopReason: grid.stopReason,
    events: events.map((e) =>
      e.type === 'result' ? ['result', e.trialId, withoutWallTime(e.result)] : e.type === 'trialError' ? [e.type, e.trialId, e.willRetry] : e,
    ),
  })
}
