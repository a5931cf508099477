#!/usr/bin/env node
// `vitune [vitest args]` is `vitest [vitest args] --mode tune`: it accepts a literal --tune and
// passes every other flag through to Vitest's own CLI. `--help` prints vitune's own lines first,
// since Vitest's help cannot know about tune mode or the plugin's options.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const own = createRequire(import.meta.url)
const { version } = own('../package.json')

const HELP = `vitune/${version}: Population Based Training for TypeScript, run as Vitest test suites

Usage:
  $ vitune [run|watch|list] [...filters] [vitest options]

vitune is vitest in tune mode: only *.tune.ts files run, with no test timeout, vitune's matchers
and its reporter. Every Vitest command, filter and option listed further down works here as well.

vitune's options:
  --tune         Accepted and ignored: vitune is always in tune mode (Vitest itself rejects --tune)
  --mode <name>  vitune adds --mode tune; naming another mode turns tune mode off (VITUNE=1 keeps it on)

Other ways into tune mode: vitest --mode tune, VITUNE=1 vitest, vitest run -- --tune.
A plain \`vitest run\` leaves *.tune.ts files alone.

Options of the vitune() plugin (vitest.config.ts: plugins: [vitune({ outDir: 'results' })]):
  outDir              Artifacts folder, relative to the project root; one folder per experiment,
                      with index.html linking them all (default: .vitune)
  artifacts           Write result files, policy logs and plots (default: true)
  allowOtherFiles     Write artifacts next to files vitune did not write, never deleting or
                      overwriting them (default: false: such a folder is refused)
  include             Globs of experiment files (default: **/*.tune.?(c|m)[jt]s?(x))
  progressIntervalMs  Milliseconds between progress lines (default: 1000)
  testTimeout         Per-test timeout in tune mode, in ms; 0 means none (default: 0)
  executor            Where trials run: 'local' (default: worker threads or this process), or a
                      fleet of vitune workers, { bullmq: { redis: 'redis://host:6379' } } (needs
                      @vitune/bullmq); VITUNE_REDIS_URL=redis://host:6379 does the same for one run

A fleet of machines (needs @vitune/bullmq; see vitune worker --help):
  $ vitune worker --redis redis://host:6379   run trials for drivers that use this Redis
  VITUNE_REDIS_URL=redis://host:6379 vitune run   send this run's trials to the workers

Examples:
  $ vitune run                      tune every *.tune.ts file once and exit
  $ vitune run quadratic -t pbt     only files matching "quadratic", tests matching "pbt"
  $ vitune run --reporter=verbose   one line per trial and assertion

Vitest's own help follows.
`

// `vitune worker` runs trials for drivers on other machines: that lives in @vitune/bullmq, which
// is optional, so it is looked up in the project first (where the user installed it), then here.
if (process.argv[2] === 'worker') {
  let entry
  for (const from of [join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      entry = createRequire(from).resolve('@vitune/bullmq')
      break
    } catch {
      // not installed there
    }
  }
  if (entry === undefined) {
    process.stderr.write(
      'vitune worker runs trials for drivers on a fleet and needs @vitune/bullmq, which is not installed here.\n' +
        'Install it in the project, next to @vitune/vitest-plugin: npm install @vitune/bullmq (it brings BullMQ and ioredis).\n' +
        'See docs/distributed.md.\n',
    )
    process.exit(1)
  }
  const { workerCommand } = await import(pathToFileURL(entry).href)
  process.exit(await workerCommand(process.argv.slice(3)))
}

const args = process.argv.slice(2).filter((arg) => arg !== '--tune')
if (args.includes('--help') || args.includes('-h')) process.stdout.write(`${HELP}\n`)
else if (args.includes('--version') || args.includes('-v')) process.stdout.write(`vitune/${version}\n`)
if (!args.some((arg) => arg === '--mode' || arg.startsWith('--mode='))) args.push('--mode', 'tune')
process.argv = [process.argv[0], process.argv[1], ...args]

// The user's own Vitest first (one instance for the plugin, the matchers and the runner), then ours.
const require = createRequire(join(process.cwd(), 'noop.js'))
let vitestPackage
try {
  vitestPackage = require.resolve('vitest/package.json')
} catch {
  vitestPackage = own.resolve('vitest/package.json')
}
await import(pathToFileURL(join(dirname(vitestPackage), 'vitest.mjs')).href)
