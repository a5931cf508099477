/**
 * Tune once, check every commit: what a replay of a tuned schedule costs against the tune run
 * that found it, for each experiment of the examples that keep a schedule. In process (`run()`
 * of the experiment, then of its replay) and end to end (`vitune run` against `vitest run` of the
 * same tune file), in the same invocation. Then whether the files vitune wrote pass `biome check`
 * and `tsc`.
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { irisPbt, irisRandom } from '../examples/iris-mlp/src/experiments.js'
import { gridSearch, pbt2, pbt4 } from '../examples/pbt-visualization/src/experiments.js'
import { fmt, machine, table, timeTasks } from './lib/measure.js'
import { type ExperimentDef, type ResultGrid, replayDefinition, run, scheduleOf } from './lib/vitune.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const experiments: Readonly<Record<string, ExperimentDef>> = {
  'tutorial PBT, 2 trials': pbt2.def,
  'tutorial grid search, 2 trials': gridSearch.def,
  'tutorial PBT, 4 trials': pbt4.def,
  'iris random search, 8 trials': irisRandom.def,
  'iris PBT, 8 trials': irisPbt.def,
}

const rows: (string | number)[][] = []
for (const [label, def] of Object.entries(experiments)) {
  const tuned = await run(def)
  const schedule = scheduleOf(tuned, def)
  const replayDef = replayDefinition(def, schedule)
  const replay = await run(replayDef)
  const times = await timeTasks(
    { tune: () => run(def).then(() => undefined), replay: () => run(replayDef).then(() => undefined) },
    { iterations: 5, rounds: 2 },
  )
  const count = (grid: { trials: readonly { results: readonly unknown[] }[] }) => grid.trials.reduce((n, t) => n + t.results.length, 0)
  const metric = def.metric as string
  const value = (grid: ResultGrid) => (grid.best.metrics as Record<string, number> | undefined)?.[metric] ?? Number.NaN
  const tuneMs = times.get('tune')?.medianMs ?? Number.NaN
  const replayMs = times.get('replay')?.medianMs ?? Number.NaN
  rows.push([
    label,
    count(tuned),
    count(replay),
    fmt(tuneMs, 1),
    fmt(replayMs, 1),
    fmt(tuneMs / replayMs, 1),
    schedule.changes.length,
    `${metric} ${value(tuned)} / ${value(replay)}${Object.is(value(tuned), value(replay)) ? ' (equal)' : ''}`,
  ])
}
console.log(`## Replaying tuned schedules\n\n${machine()}\n\n### In process: run() of the experiment, then of its replay\n`)
console.log(
  table(
    [
      'experiment',
      'results, tune run',
      'results, replay',
      'tune run (ms, median)',
      'replay (ms, median)',
      'tune ÷ replay',
      'changes',
      'best trial / replay reached',
    ],
    rows,
  ),
)

function exec(command: string, args: readonly string[], cwd: string): string {
  const child = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } })
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} exited with ${child.status}:\n${child.stdout}\n${child.stderr}`)
  return `${child.stdout}\n${child.stderr}`
}

const vitest = join(root, 'node_modules/.bin/vitest')
const examples = [
  ['examples/pbt-visualization', 'pbt-visualization.tune.ts', 3],
  ['examples/iris-mlp', 'iris.tune.ts', 2],
] as const
const empty = await timeTasks({ empty: () => void exec(vitest, ['run'], join(root, 'bench/fixtures/empty')) }, { iterations: 3, warmupIterations: 1 })
const emptyMs = empty.get('empty')?.medianMs ?? Number.NaN
const e2eRows: (string | number)[][] = [['an empty Vitest run (bench/fixtures/empty), for scale', '', fmt(emptyMs / 1000, 2)]]
for (const [dir, file, count] of examples) {
  const cwd = join(root, dir)
  const times = await timeTasks(
    {
      'vitune run (tune, compare the schedules)': () => void exec(join(cwd, 'node_modules/.bin/vitune'), ['run', file], cwd),
      'vitest run (replay)': () => void exec(vitest, ['run', file], cwd),
    },
    { iterations: 3, warmupIterations: 1 },
  )
  const [tuneT, replayT] = [...times.values()]
  e2eRows.push([`${dir}/${file} (${count} experiments)`, fmt((tuneT?.medianMs ?? Number.NaN) / 1000, 2), fmt((replayT?.medianMs ?? Number.NaN) / 1000, 2)])
}
console.log('\n### End to end: one tune file, CI=true\n')
console.log(table(['tune file', 'vitune run (s, median)', 'vitest run, replays (s, median)'], e2eRows))

const tuneFiles = examples.map(([dir, file]) => `${dir}/${file}`)
const biome = spawnSync(join(root, 'node_modules/.bin/biome'), ['check', ...tuneFiles], { cwd: root, encoding: 'utf8' })
const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8' })
console.log('\n### The written files\n')
console.log(
  table(
    ['check', 'exit code', 'output'],
    [
      [`biome check ${tuneFiles.join(' ')}`, String(biome.status), `${biome.stdout}${biome.stderr}`.trim().split('\n').pop() ?? ''],
      ['tsc -p tsconfig.json --noEmit (includes examples/*/*.ts)', String(tsc.status), `${tsc.stdout}${tsc.stderr}`.trim() || '(no errors)'],
    ],
  ),
)
