/** Runs tinybench tasks and reads their timings; prints Markdown tables for docs/benchmarks.md. */
import os from 'node:os'
import { Bench, type Fn } from 'tinybench'

/** Options of one timed suite: few iterations, since each task is a whole run. */
export interface SuiteOptions {
  readonly iterations?: number
  readonly warmupIterations?: number
  /** Runs of the whole suite; each task keeps its lowest median, the least disturbed by a noisy machine. */
  readonly rounds?: number
  /** Runs before every timed call, outside the timing (e.g. a forced garbage collection). */
  readonly beforeEach?: () => void
}

/** One task's timing: median wall time in ms over its samples, relative margin of error, sample count. */
export interface TaskTiming {
  readonly medianMs: number
  readonly rme: number
  readonly samples: number
}

/** Median wall time in milliseconds of each task, by name, measured by tinybench. */
export async function timeTasks(tasks: Readonly<Record<string, Fn>>, options: SuiteOptions = {}): Promise<Map<string, TaskTiming>> {
  const out = new Map<string, TaskTiming>()
  for (let round = 0; round < (options.rounds ?? 1); round++) {
    const bench = new Bench({ time: 0, iterations: options.iterations ?? 5, warmupTime: 0, warmupIterations: options.warmupIterations ?? 1, throws: true })
    for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn, options.beforeEach === undefined ? {} : { beforeEach: options.beforeEach })
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      if (result.state !== 'completed') throw new Error(`benchmark task "${task.name}" did not complete: ${result.state}`)
      const timing = { medianMs: result.latency.p50, rme: result.latency.rme, samples: result.latency.samplesCount }
      const best = out.get(task.name)
      if (best === undefined || timing.medianMs < best.medianMs) out.set(task.name, timing)
    }
  }
  return out
}

/** A Markdown table from a header and rows. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Where and when the numbers were taken. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${os.platform()} ${os.release()}`
}

/** `1234567` as `1,234,567`. */
export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
