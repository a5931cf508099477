/**
 * End to end: the tutorial's tune run (`vitune run` in examples/pbt-visualization: three
 * experiments, reporter, artifacts and plots) against an empty Vitest run, in the same invocation,
 * so the ratio shows what tuning adds over Vitest's own start-up. The same experiments with
 * artifacts off (bench/fixtures/tutorial-no-artifacts) split the cost of tuning from that of writing
 * result files and plots.
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fmt, machine, table, timeTasks } from './lib/measure.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const example = join(root, 'examples/pbt-visualization')

function exec(command: string, args: readonly string[], cwd: string): void {
  const child = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } })
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} exited with ${child.status}:\n${child.stdout}\n${child.stderr}`)
}

const times = await timeTasks(
  {
    'empty Vitest run (vitest run, one empty test)': () => exec(join(root, 'node_modules/.bin/vitest'), ['run'], join(root, 'bench/fixtures/empty')),
    'tutorial tune run, artifacts off (vitest run --mode tune)': () =>
      exec(join(root, 'node_modules/.bin/vitest'), ['run', '--mode', 'tune'], join(root, 'bench/fixtures/tutorial-no-artifacts')),
    'tutorial tune run (vitune run, 3 experiments)': () => exec(join(example, 'node_modules/.bin/vitune'), ['run'], example),
  },
  { iterations: 5, warmupIterations: 1 },
)
const base = [...times.values()][0]?.medianMs ?? Number.NaN
console.log(`## End to end\n\n${machine()}\n`)
console.log(
  table(
    ['command', 'median wall time (s)', '÷ empty Vitest run'],
    [...times].map(([name, t]) => [name, fmt(t.medianMs / 1000, 2), fmt(t.medianMs / base, 2)]),
  ),
)
