/**
 * Many trials: 10,000 grid trials of 10 iterations each under the FIFO scheduler (target: under
 * one second in total), against a bare loop over the same generators.
 */
import { fmt, machine, table, timeTasks } from './lib/measure.js'
import { experiment, grid, run } from './lib/vitune.js'
import { bareLoop, reportOnly } from './lib/workloads.js'

const TRIALS = 10_000
const ITERATIONS = 10

const manyTrials = experiment('10,000 grid trials')
  .space({ x: grid(Array.from({ length: TRIALS }, (_, i) => (i + 1) / TRIALS)) })
  .metric('score', 'max')
  .stop({ trainingIteration: ITERATIONS })
  .seed(1)
  .train(reportOnly)

const times = await timeTasks(
  { bare: () => void bareLoop(TRIALS, ITERATIONS), runtime: async () => void (await run(manyTrials)) },
  { iterations: 5, rounds: 2 },
)
const runtime = times.get('runtime')?.medianMs ?? Number.NaN
const bare = times.get('bare')?.medianMs ?? Number.NaN
console.log(`## Many trials\n\n${machine()}\n`)
console.log(
  table(
    ['trials × iterations', 'runtime (ms)', 'bare loop (ms)', 'runtime ÷ bare loop', 'results/s', 'target < 1,000 ms'],
    [
      [
        `${fmt(TRIALS)} × ${ITERATIONS}`,
        fmt(runtime, 0),
        fmt(bare, 1),
        fmt(runtime / bare, 0),
        fmt((TRIALS * ITERATIONS) / (runtime / 1000)),
        runtime < 1000 ? 'met' : 'not met',
      ],
    ],
  ),
)
