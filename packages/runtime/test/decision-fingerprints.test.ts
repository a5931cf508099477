// Speed-ups of the executor and of PBT must not change a single decision. These fingerprints were
// recorded before the per-result and order-statistics speed-ups (commit 80224a9); any change to
// what a run decides, reports or emits changes them. Re-recorded once, on purpose, for the ten
// synchronous plans whose policy lines changed when the trial that completes a round started to
// record its own iteration (audit item 4; docs/ray-differences.md): same decisions, checked against
// the previous build with only `targetIteration` left out.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { experiment, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { deriveStream, type ResultGrid, run, type TuneEvent, WALL_TIME_FIELDS } from '../src/index.js'

interface Plan {
  readonly synch: boolean
  readonly population: number
  readonly iterations: number
  readonly interval: number
  readonly quantile: number
  /** Probability that a report's score is NaN. */
  readonly nanRate: number
  /** Probability that a step throws (the trial retries from its latest checkpoint). */
  readonly failRate: number
  /** Scores rounded to this many levels, so ties are common. */
  readonly levels: number
  readonly concurrency: number | undefined
  readonly listen: boolean
  readonly seed: number
}

/** A randomized experiment plan, drawn from a seeded stream so the set of plans never changes. */
function plan(index: number): Plan {
  const r = deriveStream(7, `plan:${index}`)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r.next() * xs.length)] as T
  return {
    synch: index % 2 === 0,
    population: pick([2, 3, 5, 8, 13, 30, 120]),
    iterations: pick([9, 16, 25]),
    interval: pick([1, 2, 3, 4]),
    quantile: pick([0.1, 0.25, 0.5]),
    nanRate: pick([0, 0, 0.1, 0.3]),
    failRate: pick([0, 0, 0.02]),
    levels: pick([3, 10, 1000]),
    concurrency: pick([undefined, undefined, 1, 4]),
    listen: index % 3 !== 0,
    seed: 100 + index,
  }
}

function build(p: Plan) {
  const e = experiment(`fingerprint ${p.seed}`)
    .space({ x: uniform(0, 1) })
    .mutate({ x: uniform(0, 1) })
    .pbt({ perturbationInterval: p.interval, quantileFraction: p.quantile, synch: p.synch })
    .metric('score', 'max')
    .stop({ trainingIteration: p.iterations })
    .samples(p.population)
    .failures({ maxFailures: -1 })
    .seed(p.seed)
    .train(function* ({ config, checkpoint, random }) {
      let level = (checkpoint as number | undefined) ?? 0
      for (;;) {
        if (random() < p.failRate) throw new Error('injected failure')
        level += config.x * random()
        const score = random() < p.nanRate ? Number.NaN : Math.round(level * p.levels) / p.levels
        yield withCheckpoint({ score }, level)
      }
    })
  return p.concurrency === undefined ? e : e.concurrency(p.concurrency)
}

/** Rewrites one run's entry of fixtures/decisions.json (only with VITUNE_RECORD_DECISIONS set, before a change in behaviour). */
function recordDecisions(index: number, list: string[]): void {
  const path = join(import.meta.dirname, 'fixtures', 'decisions.json')
  const all = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string[]>
  all[index] = list
  writeFileSync(path, `${JSON.stringify(all, null, 2)}\n`)
}

function fingerprint(grid: ResultGrid, events: readonly TuneEvent[]): string {
  const strip = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => !(WALL_TIME_FIELDS as readonly string[]).includes(k)))
  const text = JSON.stringify({
    trials: grid.trials.map((t) => ({
      id: t.trialId,
      tag: t.tag,
      status: t.status,
      config: t.config,
      history: t.configHistory,
      failures: t.failures.map((f) => [f.message, f.trainingIteration]),
      results: t.results.map(strip),
    })),
    lineage: grid.lineage,
    policy: grid.policyLog,
    stats: grid.schedulerStats,
    events: events.map((e) => (e.type === 'result' ? ['result', e.trialId, strip(e.result)] : e.type === 'trialError' ? [e.type, e.trialId, e.willRetry] : e)),
  })
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}

const expected: Record<number, string> = {
  0: '5723b5277e235bc3',
  1: 'ec4658da4366f235',
  2: '7dcfb684847f7a2a',
  3: '62b3ce7a21d6c649',
  4: '339575e0d04bb79a',
  5: 'a09df5abf8c0c5f7',
  6: '820189cd031abe3f',
  7: 'b4a3bbe9740238c4',
  8: '4486b5c5bc232a30',
  9: 'e1043c5310cb6926',
  10: 'b2226e3196c88658',
  11: '9d2f6bd58f6e43f4',
  12: '6e61c02dc11729a0',
  13: 'f787c3c78a5aa89d',
  14: '0efe6fc3cd47be7f',
  15: 'a5994b519b8716d8',
  16: '4cbf57ac1135875e',
  17: '3e9dc7a4421168fe',
  18: 'a841bce500639060',
  19: '9f31263315f32070',
  20: '7925cd96df2c7607',
  21: '6010d355a0e84955',
  22: 'd1778a648d146a01',
  23: 'c183a556bb0d7a6f',
  24: 'edb552c01a0cbd0a',
  25: 'a0eb584f0f770e09',
  26: '3fbfbf94463b7c37',
  27: '8ded31a96dfcec96',
  28: 'bb9f1f6bb0af7900',
  29: '8932eda58434b3db',
  30: '6a6999dc98d077a5',
  31: '08fc9d98fea4e12e',
}

/** The run's decisions in order, readable: what a failing fingerprint is explained with. */
function decisions(grid: ResultGrid): string[] {
  const exploits = grid.lineage.map((e) => `exploit ${e.targetId} <- ${e.donorId} at time ${e.time} (donor iteration ${e.donorIteration})`)
  const ends = grid.trials.map((t) => `${t.trialId} ends ${t.status} after ${t.results.length} results, ${t.numFailures} failures`)
  return [...exploits, ...ends]
}

const recorded = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'decisions.json'), 'utf8')) as Record<string, string[]>

/** Names the first decision that differs from the recorded run, for a fingerprint that changed. */
function firstDifference(index: number, actual: readonly string[]): string {
  const expected = recorded[index] ?? []
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (expected[i] !== actual[i]) return `decision ${i}: expected "${expected[i] ?? '(none)'}", got "${actual[i] ?? '(none)'}"`
  }
  return 'the same decisions (exploits and trial ends) were taken; a result, tag, config or event differs'
}

describe('decision fingerprints', () => {
  for (let index = 0; index < 32; index++) {
    const p = plan(index)
    test(`randomized ${p.synch ? 'synchronous' : 'asynchronous'} PBT run ${index} (population ${p.population}, NaN rate ${p.nanRate}, failure rate ${p.failRate}) decides as before`, async () => {
      const events: TuneEvent[] = []
      const grid = await run(build(p), { clock: () => 0, ...(p.listen ? { onEvent: (e: TuneEvent) => events.push(e) } : {}) })
      expect(grid.lineage.length).toBeGreaterThan(0)
      const actual = fingerprint(grid, events)
      if (process.env.VITUNE_RECORD_DECISIONS !== undefined) recordDecisions(index, decisions(grid))
      expect(actual, actual === expected[index] ? '' : firstDifference(index, decisions(grid))).toBe(expected[index])
    })
  }
})
