import { type ResultGrid, WALL_TIME_FIELDS } from '@vitune/runtime'

/** A clock that never moves: time fields cannot differ between runs. */
export const clock = (): number => 0

/** Everything a run produced except wall time, as text that compares byte for byte: results, lineage, policy logs. */
export function fingerprint(grid: ResultGrid): string {
  const strip = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => !(WALL_TIME_FIELDS as readonly string[]).includes(k)))
  return JSON.stringify({
    trials: grid.trials.map((t) => ({
      id: t.trialId,
      tag: t.tag,
      status: t.status,
      failures: t.numFailures,
      config: t.config,
      history: t.configHistory,
      results: t.results.map(strip),
    })),
    lineage: grid.lineage,
    policy: grid.policyLog,
    stats: grid.schedulerStats,
  })
}
