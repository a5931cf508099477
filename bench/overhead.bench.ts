/**
 * Scheduler overhead: results per second through `run()` with a trainable that only reports
 * (checkpointing every perturbation interval), in synchronous and asynchronous PBT, against a bare
 * loop that pulls the same generators with no runtime. Run with `pnpm bench` or
 * `pnpm build && tsx bench/overhead.bench.ts`.
 */
import { fmt, machine, table, timeTasks } from './lib/measure.js'
import { run } from './lib/vitune.js'
import { bareLoop, pbtExperiment } from './lib/workloads.js'

/** Results per run: the same for every population, so per-result costs compare directly. */
const RESULTS = Number(process.env.VITUNE_BENCH_RESULTS ?? 100_000)
const POPULATIONS = [2, 100, 10_000]

const rows: (string | number)[][] = []
for (const population of POPULATIONS) {
  const iterations = Math.max(8, Math.round(RESULTS / population))
  const results = population * iterations
  const sync = pbtExperiment(population, iterations, true)
  const async = pbtExperiment(population, iterations, false)
  const times = await timeTasks(
    {
      bare: () => void bareLoop(population, iterations),
      sync: async () => void (await run(sync)),
      async: async () => void (await run(async)),
    },
    // A population of 10,000 takes tens of seconds per asynchronous run: fewer samples there.
    population >= 10_000 ? { iterations: 2, warmupIterations: 0 } : { iterations: 5, rounds: 3 },
  )
  const rate = (name: string) => results / ((times.get(name)?.medianMs ?? Number.NaN) / 1000)
  for (const name of ['sync', 'async'] as const) {
    const perResult = ((times.get(name)?.medianMs ?? 0) * 1e6) / results
    const barePerResult = ((times.get('bare')?.medianMs ?? 0) * 1e6) / results
    rows.push([
      fmt(population),
      name === 'sync' ? 'synchronous' : 'asynchronous',
      fmt(iterations),
      fmt(rate(name)),
      fmt(perResult / 1000, 2),
      fmt(rate('bare')),
      fmt(perResult / barePerResult, 0),
      `±${fmt(times.get(name)?.rme ?? 0, 1)} %`,
    ])
  }
}
console.log(`## Scheduler overhead\n\n${machine()}\n`)
console.log(
  table(['population', 'PBT', 'iterations per trial', 'results/s (runtime)', 'µs per result', 'results/s (bare loop)', 'runtime ÷ bare loop', 'rme'], rows),
)
