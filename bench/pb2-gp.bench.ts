/**
 * PB2's explore step, timed: one GP choice (difference table, fit of the kernel's hyperparameters,
 * UCB search from 10 restarts) on data tables of a size a population of 2 to 8 reaches, with three
 * bounded keys. Cold: the fit starts from Ray's (1, 1, 0.1); warm: from the previous choice's
 * optimum, as PB2 does after its first choice. Ray's GP step takes 0.7–0.9 s per choice (issue 15).
 */

// The explore step is internal to the runtime: time the built module itself.
import { type Pb2Row, pb2Explore } from '../packages/runtime/dist/schedulers/pb2-explore.js'
import type { GpHyperparameters } from '../packages/runtime/dist/schedulers/pb2-gp.js'
import { fmt, machine, table, timeTasks } from './lib/measure.js'
import { deriveStream } from './lib/vitune.js'

/** A population's rows: trials whose three hyperparameters change every other interval, rewards rising with noise. */
function rows(trials: number, intervals: number): Pb2Row[] {
  const random = deriveStream(1, 'rows')
  const out: Pb2Row[] = []
  let values = Array.from({ length: trials }, () => [random.next(), random.next(), random.next()])
  for (let t = 1; t <= intervals; t++) {
    if (t % 2 === 1) values = values.map(() => [random.next(), random.next(), random.next()])
    values.forEach((v, i) => {
      out.push({ trialId: String(i), time: 4 * t, values: v, reward: t * (1 + (v[0] as number)) + random.next() })
    })
  }
  return out
}

const bounds = ['lr', 'h0', 'h1'].map((key) => ({ path: [key], low: 0, high: 1, integer: false }))
const input = (data: readonly Pb2Row[], start: GpHyperparameters | undefined) => ({
  rows: data,
  bounds,
  targetId: '0',
  donorId: '1',
  donorConfig: { lr: 0.5, h0: 0.5, h1: 0.5 },
  pending: [],
  stream: deriveStream(2, 'pb2'),
  start,
})

const sizes = [
  [2, 25],
  [4, 25],
  [8, 25],
  [8, 100],
] as const
const tasks: Record<string, () => void> = {}
const intervalsOf = new Map<string, number>()
for (const [trials, intervals] of sizes) {
  const data = rows(trials, intervals)
  const warm = pb2Explore(input(data, undefined)).model?.hyperparameters
  const label = `${trials} trials × ${intervals} intervals`
  intervalsOf.set(label, Math.min(100, (intervals - 1) * trials))
  tasks[`${label}, cold`] = () => {
    pb2Explore(input(data, undefined))
  }
  tasks[`${label}, warm`] = () => {
    pb2Explore(input(data, warm))
  }
}
const timings = await timeTasks(tasks, { iterations: 10, rounds: 3 })
const rowsOut = [...intervalsOf].map(([label, n]) => [
  label,
  String(n),
  fmt(timings.get(`${label}, cold`)?.medianMs ?? Number.NaN, 1),
  fmt(timings.get(`${label}, warm`)?.medianMs ?? Number.NaN, 1),
])
console.log(`## PB2 GP step\n\n${machine()}\n`)
console.log(table(['data', 'GP rows (at most 100)', 'ms per choice, cold fit', 'ms per choice, warm fit'], rowsOut))
