// The driver killed with SIGKILL mid-run and started again with the same `.storage()` directory:
// it resumes from its last saved round on the same fleet (the killed driver's jobs are dropped by
// the workers once its heartbeat expires), and the results equal an uninterrupted in-process run.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InProcessExecutor, run } from '@vitune/runtime'
import { afterEach, expect, test } from 'vitest'
import { slowPbt } from './fixtures/experiments.js'
import { clock, fingerprint } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'
import { useWorkerProcesses } from './helpers/worker-processes.js'

const fleet = useFleet()
const spawnWorker = useWorkerProcesses()
const driver = join(import.meta.dirname, 'fixtures', 'driver-child.ts')
const root = join(import.meta.dirname, '..', '..', '..')

const scratch: string[] = []
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Runs the driver to completion, or until it froze after `freezeAfter` results and was killed. */
function runDriver(
  args: readonly string[],
  output: string,
  freezeAfter?: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', driver, ...args, output, ...(freezeAfter === undefined ? [] : [String(freezeAfter)])],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk)
  })
  const poll = setInterval(() => {
    if (freezeAfter !== undefined && existsSync(`${output}.frozen`)) child.kill('SIGKILL')
  }, 10)
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(poll)
      resolve({ code, signal, stderr })
    })
  })
}

test('a driver killed mid-run resumes from its storage on the same fleet, with the uninterrupted results', async () => {
  const local = fingerprint(await run(slowPbt('driver restart', 10, 24), { clock, executor: new InProcessExecutor() }))
  const url = fleet.redis().url
  await spawnWorker(url, 'w1', ['--concurrency', '4'])
  await spawnWorker(url, 'w2', ['--concurrency', '4'])
  const dir = mkdtempSync(join(tmpdir(), 'vitune-driver-restart-'))
  scratch.push(dir)
  const output = join(dir, 'result.json')
  const killed = await runDriver([url, join(dir, 'experiment')], output, 40)
  expect(killed.signal, killed.stderr).toBe('SIGKILL')
  const resumed = await runDriver([url, join(dir, 'experiment')], output)
  expect(resumed.code, resumed.stderr).toBe(0)
  expect(readFileSync(output, 'utf8')).toBe(local)
}, 180_000)
