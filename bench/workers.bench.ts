/**
 * Worker threads (issue 10): how a CPU-bound population speeds up over threads, what a result
 * costs crossing the thread boundary, and that the in-process path is as fast as before worker
 * threads (a build of the runtime from before them, timed in the same run). The speed-ups need an
 * idle machine: `npx -y pnpm@12.4.2 bench:workers` builds the packages and the baseline, then runs
 * this file.
 */
import { execFileSync } from 'node:child_process'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ThreadExecutor } from '../packages/runtime/dist/node/index.js'
import { fmt, machine, table, timeTasks } from './lib/measure.js'
import { experiment, grid, InProcessExecutor, run, type TrialExecutor } from './lib/vitune.js'
import { busy, checkpointing, reportOnlyModule, spin } from './lib/worker-trainables.js'
import { pbtExperiment, reportOnly } from './lib/workloads.js'

const STEP_MS = Number(process.env.VITUNE_BENCH_STEP_MS ?? 10)
const POPULATION = 8
type Def = Parameters<typeof run>[0]

/** Loops of `spin` that take STEP_MS here, from the fastest of several timings (a busy moment must not inflate it). */
function calibrate(): number {
  let loops = 10_000
  while (timed(() => spin(loops, 1)) < 2) loops *= 2
  const perLoop = Math.min(...Array.from({ length: 7 }, () => timed(() => spin(loops, 1)) / loops))
  return Math.ceil(STEP_MS / perLoop)
}

function timed(fn: () => unknown): number {
  const start = performance.now()
  fn()
  return performance.now() - start
}

const executors: Record<string, () => TrialExecutor> = {
  'in-process': () => new InProcessExecutor(),
  '1 thread': () => new ThreadExecutor({ threads: 1 }),
  '2 threads': () => new ThreadExecutor({ threads: 2 }),
  ...(availableParallelism() > 2 ? { [`${availableParallelism()} threads`]: () => new ThreadExecutor() } : {}),
}

/** Times runs of `def` on every executor, each a warm pool (threads started and the module loaded by a first run). */
async function timeOnExecutors(def: Def, options: Parameters<typeof timeTasks>[1]) {
  const live = Object.entries(executors).map(([name, create]) => [name, create()] as const)
  try {
    for (const [, executor] of live) await run(def, { executor })
    return await timeTasks(Object.fromEntries(live.map(([name, executor]) => [name, async () => void (await run(def, { executor }))])), options)
  } finally {
    await Promise.all(live.map(([, executor]) => executor.shutdown()))
  }
}

const xs = grid(Array.from({ length: POPULATION }, (_, i) => i + 1))
console.log(
  `## Worker threads\n\n${machine()}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at the start\n`,
)

// 1. A CPU-bound population: 8 trials, each step about STEP_MS of arithmetic.
const loops = calibrate()
const iterations = 4
const cpu = experiment('CPU-bound population').space({ loops, x: xs }).stop({ trainingIteration: iterations }).train(busy)
const cpuTimes = await timeOnExecutors(cpu, { iterations: 5, rounds: 2 })
const ms = (name: string) => cpuTimes.get(name)?.medianMs ?? Number.NaN
const coldInProcess = performance.now()
await run(cpu, { executor: new InProcessExecutor() })
const coldInProcessMs = performance.now() - coldInProcess
const coldDefault = performance.now()
await run(cpu) // run()'s default for a named trainable: its own pool, one thread per core, shut down at the end
const coldDefaultMs = performance.now() - coldDefault
console.log(
  `### CPU-bound population\n\n${POPULATION} trials × ${iterations} iterations, FIFO, each step ${fmt(loops)} loops of arithmetic (about ${STEP_MS} ms here); warm pools, median of 5 runs, best of 2 rounds.\n`,
)
console.log(
  table(
    ['executor', 'ms per run', 'speed-up vs 1 thread', 'speed-up vs in-process', 'rme'],
    [...cpuTimes].map(([name, t]) => [
      name,
      fmt(t.medianMs, 1),
      `${fmt(ms('1 thread') / t.medianMs, 2)} ×`,
      `${fmt(ms('in-process') / t.medianMs, 2)} ×`,
      `±${fmt(t.rme, 1)} %`,
    ]),
  ),
)
console.log(
  `\nOne cold run each: in-process ${fmt(coldInProcessMs, 0)} ms; run()'s default (${availableParallelism()} threads started, the module loaded through tsx, shut down) ${fmt(coldDefaultMs, 0)} ms.\n`,
)

// 2. What a result costs crossing the boundary.
const RESULTS = Number(process.env.VITUNE_BENCH_BOUNDARY_RESULTS ?? 16_000)
async function boundary(label: string, def: Def, results: number): Promise<(string | number)[][]> {
  const times = await timeOnExecutors(def, { iterations: 5, rounds: 2 })
  const base = times.get('in-process')?.medianMs ?? Number.NaN
  return [...times].map(([name, t]) => [
    label,
    name,
    fmt((t.medianMs * 1000) / results, 2),
    name === 'in-process' ? '—' : fmt(((t.medianMs - base) * 1000) / results, 2),
    `±${fmt(t.rme, 1)} %`,
  ])
}
const perTrial = Math.round(RESULTS / POPULATION)
const small = experiment('boundary, small metrics').space({ x: xs }).stop({ trainingIteration: perTrial }).train(reportOnlyModule)
const heavyPerTrial = Math.round(perTrial / 4)
const heavy = experiment('boundary, 1 MB checkpoint every 4 results')
  .space({ checkpointMb: 1, x: xs })
  .stop({ trainingIteration: heavyPerTrial })
  .train(checkpointing)
// The same with retention (Ray's num_to_keep): deleted checkpoints' arrays are reused, on threads too.
const heavyKept = heavy.storage({ keepCheckpoints: 2 })
const boundaryRows = [
  ...(await boundary('small metrics, no checkpoint', small, perTrial * POPULATION)),
  ...(await boundary('1 MB checkpoint every 4 results', heavy, heavyPerTrial * POPULATION)),
  ...(await boundary('the same, keepCheckpoints 2', heavyKept, heavyPerTrial * POPULATION)),
]
console.log(
  `### Cost per result across the boundary\n\n${POPULATION} trials, FIFO, a trainable that only reports: ${fmt(perTrial * POPULATION)} results, or ${fmt(heavyPerTrial * POPULATION)} with a 1 MB checkpoint (a Float64Array) every 4th, kept (all of them, or the newest 2 per trial). "Boundary cost" is the time per result beyond the same run in-process (which stores the same checkpoints).\n`,
)
console.log(table(['workload', 'executor', 'µs per result', 'boundary cost, µs per result', 'rme'], boundaryRows))

// 3. The in-process path against the runtime from before worker threads, population 100.
const baselineDir = execFileSync(process.execPath, [join(import.meta.dirname, 'build-baseline.mjs')], { encoding: 'utf8' })
  .trim()
  .split('\n')
  .pop() as string
const before = (await import(pathToFileURL(join(baselineDir, 'packages', 'runtime', 'dist', 'index.js')).href)) as { run: typeof run }
const beforeDsl = (await import(pathToFileURL(join(baselineDir, 'packages', 'dsl', 'dist', 'index.js')).href)) as Pick<
  typeof import('./lib/vitune.js'),
  'experiment' | 'uniform'
>
const OVERHEAD_RESULTS = Number(process.env.VITUNE_BENCH_RESULTS ?? 100_000)
const population = 100
const perTrialOverhead = Math.round(OVERHEAD_RESULTS / population)
/** The same experiment as pbtExperiment, built by the baseline's own DSL. */
const beforeExperiment = (synch: boolean) =>
  beforeDsl
    .experiment(`overhead, ${synch ? 'sync' : 'async'} PBT, population ${population}`)
    .space({ x: beforeDsl.uniform(0, 1) })
    .mutate({ x: beforeDsl.uniform(0, 1) })
    .pbt({ perturbationInterval: 4, synch })
    .metric('score', 'max')
    .stop({ trainingIteration: perTrialOverhead })
    .samples(population)
    .seed(1)
    .train(reportOnly)
const overhead = await timeTasks(
  {
    'sync, before': async () => void (await before.run(beforeExperiment(true) as never)),
    'sync, now': async () => void (await run(pbtExperiment(population, perTrialOverhead, true))),
    'async, before': async () => void (await before.run(beforeExperiment(false) as never)),
    'async, now': async () => void (await run(pbtExperiment(population, perTrialOverhead, false))),
  },
  { iterations: 5, rounds: 3 },
)
const rate = (name: string) => (population * perTrialOverhead) / ((overhead.get(name)?.medianMs ?? Number.NaN) / 1000)
console.log(
  `\n### In-process throughput against the runtime before worker threads\n\nThe overhead suite's workload (population ${population}, ${fmt(population * perTrialOverhead)} results, a trainable that only reports, a small checkpoint every 4th), run() with no executor: in-process for a closure. "Before" is the build of \`${baselineDir.split('/').pop()}\` (the commit before worker threads), timed in the same run.\n`,
)
console.log(
  table(
    ['PBT', 'results/s before', 'results/s now', 'now ÷ before', 'rme before / now'],
    (['sync', 'async'] as const).map((mode) => [
      mode === 'sync' ? 'synchronous' : 'asynchronous',
      fmt(rate(`${mode}, before`)),
      fmt(rate(`${mode}, now`)),
      `${fmt(rate(`${mode}, now`) / rate(`${mode}, before`), 2)} ×`,
      `±${fmt(overhead.get(`${mode}, before`)?.rme ?? 0, 1)} % / ±${fmt(overhead.get(`${mode}, now`)?.rme ?? 0, 1)} %`,
    ]),
  ),
)
console.log(
  `\nLoad average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
)
