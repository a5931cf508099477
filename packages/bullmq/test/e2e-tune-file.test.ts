// One tune file, unchanged, sent to the fleet by VITUNE_REDIS_URL: `vitune run` in a user's
// project gives the same results and lineage as the run on this machine.
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { useFleet } from './helpers/fleet.js'
import { completedJobs } from './helpers/queue-probe.js'
import { useWorkerProcesses } from './helpers/worker-processes.js'

const fleet = useFleet()
const spawnWorker = useWorkerProcesses()
const packages = join(import.meta.dirname, '..', '..')

/** A user's project in a temp folder, its node_modules linked to the workspace's packages. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vitune-e2e-fleet-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(join(import.meta.dirname, 'fixtures', 'tune-project'), dir, { recursive: true })
  mkdirSync(join(dir, 'node_modules', '@vitune'), { recursive: true })
  for (const pkg of ['dsl', 'runtime', 'vitest-plugin', 'bullmq']) symlinkSync(join(packages, pkg), join(dir, 'node_modules', '@vitune', pkg), 'dir')
  symlinkSync(join(packages, 'vitest-plugin', 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'), 'dir')
  return dir
}

function vitune(dir: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const clean: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('VITEST') && !['VITUNE', 'NODE_OPTIONS', 'INIT_CWD', 'VITUNE_REDIS_URL'].includes(key)) clean[key] = value
  const child = spawn(process.execPath, [join(packages, 'vitest-plugin', 'bin', 'vitune.mjs'), 'run'], {
    cwd: dir,
    env: { ...clean, NO_COLOR: '1', CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += String(chunk)
  })
  child.stderr.on('data', (chunk) => {
    output += String(chunk)
  })
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })))
}

const line = (output: string, tag: string) => output.split('\n').find((l) => l.startsWith(`${tag} `))

const dir = makeProject()

test('VITUNE_REDIS_URL sends a tune file to the fleet; the results equal the local run', async () => {
  const local = await vitune(dir, {})
  expect(local.code, local.output).toBe(0)
  await spawnWorker(fleet.redis().url, 'e2e', ['--concurrency', '4', '--module-root', dir])
  const remote = await vitune(dir, { VITUNE_REDIS_URL: fleet.redis().url })
  expect(remote.code, remote.output).toBe(0)
  // The trials did run on the worker: its jobs are in BullMQ's completed set.
  expect(await completedJobs(fleet.redis().url)).toBeGreaterThanOrEqual(4)
  expect(line(remote.output, 'RESULT')).toBe(line(local.output, 'RESULT'))
  expect(line(remote.output, 'LINEAGE')).toBe(line(local.output, 'LINEAGE'))
  expect(line(local.output, 'LINEAGE')).not.toBe('LINEAGE []')
}, 180_000)
