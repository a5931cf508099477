// `vitune worker` processes for fault tests: spawned with their own names, their output kept for
// failure messages, and every one killed after the test (also when it fails).
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { threadsAvailable } from './local-executor.js'

const root = join(import.meta.dirname, '..', '..', '..', '..')
/** The real `vitune worker`, once the runtime has worker threads; until then the same command with the test double. */
const bin = join(root, 'packages', 'vitest-plugin', 'bin', 'vitune.mjs')
const testWorker = join(import.meta.dirname, '..', 'fixtures', 'test-worker.ts')

/** A worker process of a test. */
export interface WorkerProcess {
  readonly name: string
  readonly pid: number
  /** What it printed so far (stdout and stderr). */
  output(): string
  /** Resolves once it printed `text` (rejects if it exits first, or after the guard time). */
  waitFor(text: string): Promise<void>
  /** Resolves with its exit code (or signal) once it has exited. */
  readonly exited: Promise<number | NodeJS.Signals>
  kill(signal: NodeJS.Signals): void
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** Spawns worker processes for this file's tests and kills the ones left after each test. */
export function useWorkerProcesses(): (redisUrl: string, name: string, args?: readonly string[]) => Promise<WorkerProcess> {
  const mine: ChildProcess[] = []
  afterEach(async () => {
    await Promise.all(
      mine.splice(0).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            child.once('exit', () => resolve())
            child.kill('SIGKILL')
          }),
      ),
    )
  })
  return async (redisUrl, name, args = []) => {
    const child = spawn(
      process.execPath,
      [
        ...(threadsAvailable ? [bin, 'worker'] : ['--import', 'tsx', testWorker]),
        '--redis',
        redisUrl,
        '--name',
        name,
        '--lock-duration',
        '5000',
        '--stalled-interval',
        '1000',
        ...args,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TSX_DISABLE_CACHE: '1' } },
    )
    mine.push(child)
    live.add(child)
    let output = ''
    const waiters: { text: string; resolve: () => void }[] = []
    const take = (chunk: Buffer) => {
      output += chunk.toString()
      for (const waiter of waiters.filter((w) => output.includes(w.text))) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
    child.stdout?.on('data', take)
    child.stderr?.on('data', take)
    const exited = new Promise<number | NodeJS.Signals>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child)
        resolve(code ?? (signal as NodeJS.Signals))
      })
    })
    const worker: WorkerProcess = {
      name,
      pid: child.pid as number,
      output: () => output,
      exited,
      kill: (signal) => child.kill(signal),
      waitFor: (text) =>
        new Promise<void>((resolve, reject) => {
          if (output.includes(text)) return resolve()
          const guard = setTimeout(() => reject(new Error(`worker ${name} did not print "${text}" within 60 s; it printed:\n${output}`)), 60_000)
          waiters.push({
            text,
            resolve: () => {
              clearTimeout(guard)
              resolve()
            },
          })
          exited.then((code) => {
            clearTimeout(guard)
            reject(new Error(`worker ${name} exited (${code}) before printing "${text}"; it printed:\n${output}`))
          })
        }),
    }
    await worker.waitFor('slot(s)')
    return worker
  }
}
