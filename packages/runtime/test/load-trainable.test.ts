// Trainables load in worker threads wherever they are written: TypeScript in an ES-module package
// or in a folder Node takes for CommonJS, plain JavaScript, and from a plain node script (not
// Vitest) started by node or by tsx.
import { spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { deriveStream } from '../src/index.js'
import { ThreadExecutor } from '../src/node/index.js'
import { scratchDirectories } from './helpers/interrupted-runs.js'

const scratch = scratchDirectories('load')
const packages = join(import.meta.dirname, '..', '..')
const executor = new ThreadExecutor({ threads: 1 })
afterAll(() => executor.shutdown())

const TRAINABLE = `import { trainable } from '@vitune/dsl'
export const climb = trainable(import.meta.url, 'climb', async function* ({ config }: { config: { step: number } }) {
  for (let x = config.step; ; x += config.step) yield { x }
})
`

/** A project folder with @vitune/dsl and @vitune/runtime installed (linked), and the given files. */
function project(files: Record<string, string>): string {
  const dir = scratch()
  mkdirSync(join(dir, 'node_modules', '@vitune'), { recursive: true })
  for (const pkg of ['dsl', 'runtime']) symlinkSync(join(packages, pkg), join(dir, 'node_modules', '@vitune', pkg), 'dir')
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

async function firstReport(url: string, exportName = 'climb') {
  const handle = executor.start({
    trialId: 'load',
    config: { step: 2 },
    checkpoint: undefined,
    trainable: { fn: undefined, module: { url, exportName } },
    randomState: deriveStream(0, 'load').state(),
    signal: new AbortController().signal,
    where: 'experiment "load", trial load',
  })
  try {
    return (await handle.next())?.metrics
  } finally {
    await handle.close()
  }
}

describe('loading a trainable in a worker thread', () => {
  test('TypeScript in a package with "type": "module"', async () => {
    const dir = project({ 'package.json': '{ "type": "module" }', 'src/train.ts': TRAINABLE })
    expect(await firstReport(pathToFileURL(join(dir, 'src', 'train.ts')).href)).toEqual({ x: 2 })
  })

  test('TypeScript in a folder Node takes for CommonJS (no package.json type), as the tsx command would run it', async () => {
    const dir = project({ 'src/train.ts': TRAINABLE })
    expect(await firstReport(pathToFileURL(join(dir, 'src', 'train.ts')).href)).toEqual({ x: 2 })
  })

  test('plain JavaScript (no TypeScript loader needed)', async () => {
    const dir = project({ 'train.mjs': TRAINABLE.replace(': { config: { step: number } }', '') })
    expect(await firstReport(pathToFileURL(join(dir, 'train.mjs')).href)).toEqual({ x: 2 })
  })

  const threaded = TRAINABLE.replace(
    "import { trainable } from '@vitune/dsl'",
    "import { trainable } from '@vitune/dsl'\nimport { threadId } from 'node:worker_threads'",
  ).replace('yield { x }', 'yield { x, thread: threadId }')
  const script = (trainModule: string) => `import { experiment, grid } from '@vitune/dsl'
import { run } from '@vitune/runtime'
import { climb } from '${trainModule}'
const result = await run(experiment('script').space({ step: grid([1, 2]) }).stop({ trainingIteration: 3 }).train(climb))
console.log(JSON.stringify(result.trials.map((t) => [t.metrics.x, t.metrics.thread !== 0])))
`
  const cases = {
    // A JavaScript project: no TypeScript anywhere, no tsx loaded.
    'node script.mjs, a JavaScript trainable': {
      files: { 'train.mjs': threaded.replace(': { config: { step: number } }', ''), 'script.mjs': script('./train.mjs') },
      args: ['script.mjs'],
    },
    // A TypeScript script run as `tsx script.ts` does (its loader in the main thread; workers load tsx themselves).
    'node --import tsx script.ts, a TypeScript trainable': {
      files: { 'src/train.ts': threaded, 'script.ts': script('./src/train.ts') },
      args: ['--import', pathToFileURL(join(packages, 'runtime', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, 'script.ts'],
    },
  }
  for (const [name, { files, args }] of Object.entries(cases)) {
    test(`run() from a plain script (${name}) trains on worker threads and the process ends`, () => {
      const dir = project({ 'package.json': '{ "type": "module" }', ...files })
      const out = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 })
      expect(out.status, `${out.stdout}\n${out.stderr}`).toBe(0)
      expect(JSON.parse(out.stdout.trim())).toEqual([
        [3, true],
        [6, true],
      ])
    })
  }
})
