/**
 * The fleet (BullMQ on Redis, issue 11), on loopback with a redis-server of its own:
 * 1. per-report overhead of the BullMQ executor against in-process and worker threads, with and
 *    without checkpoints, and a job's round trip (start, first report, close);
 * 2. what one report costs the driver (CPU), Redis (CPU) and how many Redis commands it takes, the
 *    basis of the projection to 100 workers;
 * 3. scaling of a CPU-bound trainable (the iris MLP, 2000 epochs per report, about 0.2 s; set
 *    VITUNE_BENCH_IRIS_EPOCHS to change it) on 1, 2 and 4 worker processes against the same run in
 *    one thread and on 1 and 2 worker threads (the machine's own limit, without Redis or processes);
 * 4. simulated steps (200 ms timers) at populations of 32 to 256 on 256 slots: what the fleet and one
 *    driver add per round as the population grows.
 * Worker processes are real `vitune worker` processes (the bin), one slot each unless said.
 *
 *   npx -y pnpm@12.4.2 build && npx tsx bench/distributed.bench.ts
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bullmqExecutor } from '../packages/bullmq/dist/index.js'
import { redisInfo, startRedisServer } from '../packages/bullmq/test/helpers/redis-server.js'
import { ThreadExecutor } from '../packages/runtime/dist/node/index.js'
import { irisEpochs, sleepy, ticks } from './fleet/trainables.js'
import { fmt, machine, table } from './lib/measure.js'
import { deriveStream, experiment, InProcessExecutor, run, type TrialExecutor, type TrialStart, uniform } from './lib/vitune.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'packages/vitest-plugin/bin/vitune.mjs')
const redis = await startRedisServer()
const workers: ChildProcess[] = []

/** Starts `vitune worker` processes and waits until each takes jobs. */
async function startWorkers(count: number, concurrency: number, threads = concurrency): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const args = ['worker', '--redis', redis.url, '--concurrency', String(concurrency), '--threads', String(threads), '--name', `bench-${i}`]
      const child = spawn(process.execPath, [bin, ...args], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      workers.push(child)
      return new Promise<void>((resolve, reject) => {
        let output = ''
        child.stderr?.on('data', (chunk) => {
          output += String(chunk)
          if (output.includes('slot(s)')) resolve()
        })
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)))
      })
    }),
  )
}

async function stopWorkers(): Promise<void> {
  await Promise.all(
    workers.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          child.removeAllListeners('exit')
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
        }),
    ),
  )
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number

let trials = 0
function start(fn: typeof ticks, config: Record<string, unknown>): TrialStart {
  const trialId = `bench_${trials++}`
  return {
    trialId,
    config,
    checkpoint: undefined,
    trainable: { fn: fn as never, module: { url: new URL('./fleet/trainables.ts', import.meta.url).href, exportName: 'ticks' } },
    randomState: deriveStream(1, trialId).state(),
    signal: new AbortController().signal,
    where: `bench trial ${trialId}`,
  }
}

/** Milliseconds per report, pulling `reports` reports one after the other from one trial. */
async function perReport(executor: TrialExecutor, bytes: number, reports: number): Promise<number[]> {
  const handle = executor.start(start(ticks, { bytes }))
  await handle.next()
  const times: number[] = []
  for (let i = 0; i < reports; i++) {
    const t = performance.now()
    await handle.next()
    times.push(performance.now() - t)
  }
  await handle.close()
  return times.sort((a, b) => a - b)
}

/** Milliseconds from start() to the first report, plus close(). */
async function roundTrips(executor: TrialExecutor, count: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    const handle = executor.start(start(ticks, { bytes: 0 }))
    await handle.next()
    await handle.close()
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)
}

const row = (name: string, ms: readonly number[]) => [
  name,
  fmt(quantile(ms, 0.5), 3),
  fmt(quantile(ms, 0.99), 3),
  fmt(ms.reduce((a, b) => a + b, 0) / ms.length, 3),
]

async function redisStats(): Promise<{ calls: number; cpuS: number }> {
  const commands = await redisInfo(redis.url, 'commandstats')
  const cpu = await redisInfo(redis.url, 'cpu')
  const calls = [...commands.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0)
  const cpuS = Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1])
  return { calls, cpuS }
}

const quiet = { onEvent: () => undefined }

try {
  console.log(`## The fleet (BullMQ on Redis)\n\n${machine()}, Redis on loopback\n`)

  // 1. Overhead per report and per job.
  await startWorkers(1, 1)
  const fleet = bullmqExecutor({ redis: redis.url, onNotice: () => undefined })
  await fleet.ready()
  const local = new InProcessExecutor()
  const threads = new ThreadExecutor({ threads: 1 })
  await perReport(fleet, 0, 200)
  await perReport(threads, 0, 200)
  const rows = [
    row('in-process, no checkpoint', await perReport(local, 0, 2000)),
    row('worker thread, no checkpoint', await perReport(threads, 0, 2000)),
    row('BullMQ worker, no checkpoint', await perReport(fleet, 0, 2000)),
    row('BullMQ worker, 1 KiB checkpoint each report (inline)', await perReport(fleet, 1024, 1000)),
    row('BullMQ worker, 1 MiB checkpoint each report (job hash)', await perReport(fleet, 1024 * 1024, 100)),
    row('BullMQ job round trip: start, first report, close', await roundTrips(fleet, 200)),
  ]
  console.log(table(['per report (one trial, pulled one after the other)', 'p50 ms', 'p99 ms', 'mean ms'], rows))
  await threads.shutdown()

  // 2. The driver's and Redis' cost per report: 8 trials of 1000 reports on 2 workers of 4 slots.
  await stopWorkers()
  await startWorkers(2, 4)
  const population = 8
  const iterations = 1000
  const load = experiment('driver load')
    .space({ bytes: 0, x: uniform(0, 1) })
    .metric('i', 'max')
    .stop({ trainingIteration: iterations })
    .samples(population)
    .seed(1)
    .train(ticks)
  const before = await redisStats()
  const cpu = process.cpuUsage()
  const wall = performance.now()
  await run(load, { executor: fleet, onEvent: () => undefined })
  const wallS = (performance.now() - wall) / 1000
  const used = process.cpuUsage(cpu)
  const after = await redisStats()
  const reports = population * iterations
  const driverUs = ((used.user + used.system) / reports).toFixed(0)
  const redisUs = (((after.cpuS - before.cpuS) * 1e6) / reports).toFixed(0)
  const commands = ((after.calls - before.calls) / reports).toFixed(1)
  console.log(
    `\n${fmt(reports)} reports (${population} trials × ${iterations}, FIFO, trainable that only reports) on 2 workers × 4 slots: ` +
      `${fmt(reports / wallS)} reports/s; driver CPU ${driverUs} µs per report; Redis CPU ${redisUs} µs and ${commands} commands per report (driver and workers).\n`,
  )
  await fleet.shutdown()
  await stopWorkers()

  // 3. Scaling: 8 iris trials × 6 reports of `epochs` epochs, random search, at most as many at once
  // as there are slots. Each fleet and thread pool is warmed up first (a thread started and the
  // module loaded on every worker), so the timing is the training, not the start-up. Worker threads
  // on the same machine give the limit without Redis and processes, in the same run.
  const iris = (name: string, slots: number, reports: number, epochsPerReport: number, trials: number) =>
    experiment(name)
      .space({ lr: uniform(0.01, 0.3), momentum: 0.9, weightDecay: 1e-4, batchSize: 16, epochsPerReport })
      .metric('valLoss', 'min')
      .stop({ trainingIteration: reports })
      .samples(trials)
      .concurrency(slots)
      .seed(11)
      .train(irisEpochs)
  const epochs = Number(process.env.VITUNE_BENCH_IRIS_EPOCHS ?? 2000)
  const timed = (slots: number) => iris('iris scaling', slots, 6, epochs, 8)
  const timeRun = async (label: string, runIt: () => Promise<unknown>) => {
    const t = performance.now()
    await runIt()
    return [label, (performance.now() - t) / 1000] as [string, number]
  }
  await run(iris('warm-up', 1, 1, 1, 1), { ...quiet, executor: new InProcessExecutor() })
  const scaling = [await timeRun('in-process (one thread)', () => run(timed(1), { ...quiet, executor: new InProcessExecutor() }))]
  const onThreads: [string, number][] = []
  for (const count of [1, 2]) {
    const executor = new ThreadExecutor({ threads: count })
    await run(iris('warm-up', count, 1, 1, count), { ...quiet, executor })
    onThreads.push(await timeRun(`${count} worker thread${count > 1 ? 's' : ''}, no fleet`, () => run(timed(count), { ...quiet, executor })))
    await executor.shutdown()
  }
  for (const count of [1, 2, 4]) {
    await startWorkers(count, 1)
    const executor = bullmqExecutor({ redis: redis.url, onNotice: () => undefined })
    await run(iris('warm-up', count, 1, 1, count), { ...quiet, executor })
    scaling.push(await timeRun(`${count} worker process${count > 1 ? 'es' : ''} × 1 slot`, () => run(timed(count), { ...quiet, executor })))
    await executor.shutdown()
    await stopWorkers()
  }
  const base = scaling[1]?.[1] ?? Number.NaN
  console.log(
    table(
      [`8 iris trials × 6 reports × ${epochs} epochs`, 'wall s', 'speed-up over 1 worker'],
      [...scaling, ...onThreads].map(([label, s]) => [label, fmt(s, 2), fmt(base / s, 2)]),
    ),
  )

  // 4. Simulated steps of 200 ms (a timer, no CPU) at growing populations on 4 workers × 64 slots
  // (2 threads each): what the fleet and one driver add when hundreds of trials report at once.
  await startWorkers(4, 64, 2)
  const sim = bullmqExecutor({ redis: redis.url, onNotice: () => undefined })
  const rowsSim: (string | number)[][] = []
  for (const population of [32, 64, 128, 256]) {
    const reports = 10
    const exp = experiment(`simulated ${population}`)
      .space({ stepMs: 200, x: uniform(0, 1) })
      .metric('i', 'max')
      .stop({ trainingIteration: reports })
      .samples(population)
      .seed(1)
      .train(sleepy)
    await run(exp, { executor: sim, ...quiet })
    const cpuBefore = process.cpuUsage()
    const t = performance.now()
    await run(exp, { executor: sim, ...quiet })
    const seconds = (performance.now() - t) / 1000
    const cpuUs = process.cpuUsage(cpuBefore)
    rowsSim.push([
      population,
      fmt(seconds, 2),
      fmt(reports * 0.2, 1),
      fmt((population * reports) / seconds),
      fmt((cpuUs.user + cpuUs.system) / (population * reports)),
    ])
  }
  await sim.shutdown()
  await stopWorkers()
  console.log(`\n${table(['population (10 reports of 200 ms each)', 'wall s', 'ideal s', 'reports/s', 'driver CPU µs per report'], rowsSim)}`)
} finally {
  await stopWorkers()
  await redis.stop()
}
