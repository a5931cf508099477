/**
 * FIFO at scale (issue 13): a grid over one key of 10^4, 10^5 and 10^6 trials, one iteration each,
 * the report-only trainable. Linear means the cost per trial stays that of the 10^4 run; the bare
 * loop pulls the same generators once each with no runtime. A third task has the trainable draw
 * one number, so each trial's random stream is derived and built (seedrandom's Alea): the cost a
 * trial pays for `random`. Run with `pnpm build && tsx --expose-gc bench/fifo-scale.bench.ts`;
 * `VITUNE_BENCH_FIFO_MAX=100000` stops before the million (it needs about a minute and 1-2 GB).
 */
import os from 'node:os'
import { fmt, machine, table, timeTasks } from './lib/measure.js'
import { experiment, grid, run, type TrainContext } from './lib/vitune.js'
import { bareLoop, reportOnly } from './lib/workloads.js'

const MAX = Number(process.env.VITUNE_BENCH_FIFO_MAX ?? 1_000_000)
const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= MAX)

/** Reports once, a score that needs the trial's random stream. */
function* drawsOnce({ config, random }: Pick<TrainContext<{ x: number }, never>, 'config' | 'random'>) {
  yield { score: config.x * random() }
}

/** FIFO over a grid of `trials` values of `x`, each trial stopped after one result. */
function fifoGrid(trials: number, train: typeof reportOnly | typeof drawsOnce) {
  return experiment(`FIFO, ${trials} trials × 1`)
    .space({ x: grid(Array.from({ length: trials }, (_, i) => (i + 1) / trials)) })
    .metric('score', 'max')
    .stop({ trainingIteration: 1 })
    .seed(1)
    .train(train)
}

/** A forced collection before each timed run (with --expose-gc): a run pays for its own garbage, not the last one's. */
const collect = () => (globalThis as { gc?: () => void }).gc?.()

/** The machine is shared: the numbers mean little without the load they were taken under. */
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')
const loadBefore = load()

const rows: (string | number)[][] = []
let basePerTrialNs = Number.NaN
for (const trials of SIZES) {
  const reporting = fifoGrid(trials, reportOnly)
  const drawing = fifoGrid(trials, drawsOnce)
  const times = await timeTasks(
    {
      bare: () => void bareLoop(trials, 1),
      runtime: async () => {
        const grid = await run(reporting)
        if (grid.trials.length !== trials) throw new Error(`expected ${trials} trials, got ${grid.trials.length}`)
      },
      draws: async () => void (await run(drawing)),
    },
    // A million trials take seconds per run: one sample each (the smaller sizes warmed the code up).
    trials >= 1_000_000 ? { iterations: 1, warmupIterations: 0, beforeEach: collect } : { iterations: 3, rounds: 2, beforeEach: collect },
  )
  const ms = (name: string) => times.get(name)?.medianMs ?? Number.NaN
  const perTrialNs = (ms('runtime') * 1e6) / trials
  if (Number.isNaN(basePerTrialNs)) basePerTrialNs = perTrialNs
  rows.push([
    `${fmt(trials)} × 1`,
    fmt(ms('runtime'), 0),
    fmt(perTrialNs / 1000, 2),
    fmt(perTrialNs / basePerTrialNs, 2),
    fmt(ms('bare'), 1),
    fmt(ms('runtime') / ms('bare'), 0),
    fmt(((ms('draws') - ms('runtime')) * 1e3) / trials, 2),
    trials === 1_000_000 ? (ms('runtime') < 10_000 ? 'met' : 'not met') : '',
  ])
}
console.log(`## FIFO at scale\n\n${machine()}; load average (1 / 5 / 15 min) ${loadBefore} before, ${load()} after\n`)
console.log(
  table(
    [
      'trials × iterations',
      'runtime (ms)',
      'µs per trial',
      'per trial ÷ 10,000 case',
      'bare loop (ms)',
      'runtime ÷ bare loop',
      'µs more per trial that draws',
      '1,000,000 in seconds (< 10 s)',
    ],
    rows,
  ),
)
