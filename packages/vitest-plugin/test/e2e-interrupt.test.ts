import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, test } from 'vitest'
import { makeProject, vituneCommand } from './helpers/project.js'

/** A condition checked until it holds; the deadline only stops a broken run from hanging the test. */
async function until(condition: () => boolean, what: string, deadlineMs = 60_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > deadlineMs) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Runs vitune in its own process group and presses Ctrl-C (SIGINT to the whole group, as a
 * terminal does) once the experiment has reported progress. Returns the output and exit code.
 */
async function interruptMidRun(dir: string, file: string): Promise<{ output: string; code: number | null }> {
  // Vitest cleans its temp folder on a normal exit only, so a Ctrl-C leaves it: keep it in the project.
  const tmp = join(dir, 'tmp')
  mkdirSync(tmp, { recursive: true })
  const [command, args, env] = vituneCommand([file], { TMPDIR: tmp })
  const child = spawn(command, args, { cwd: dir, env, detached: true })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    await until(() => output.includes('[vitune] … '), 'the first progress line')
    process.kill(-(child.pid as number), 'SIGINT')
    const code = await exited
    return { output: stripVTControlCharacters(output), code }
  } finally {
    // The worker writes after Vitest's main process has gone: wait for the whole group to end.
    await until(() => !groupAlive(child.pid as number), 'the workers to end').catch(() => process.kill(-(child.pid as number), 'SIGKILL'))
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

describe('Ctrl-C mid-run (a real Vitest run in its own process group)', () => {
  const dir = makeProject('reports', 'e2e-interrupt')

  test('writes the artifacts of what ran and says the run starts over without .storage()', async () => {
    const { output, code } = await interruptMidRun(dir, 'interrupt.tune.ts')
    expect(code, output).toBe(130)
    expect(output).toMatch(
      /\[vitune\] interrupted: 1 experiment\(s\) stop now, each writing the artifacts of what ran:\n\[vitune\] {3}interrupted: interrupted at iteration \d+; artifacts of what ran in out\/interrupted\/; it starts over next time; add \.storage\(\) to resume instead/,
    )
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'interrupted', 'summary.json'), 'utf8')) as { trials: { results: number }[] }
    expect(summary.trials).toHaveLength(2)
    expect(summary.trials.every((t) => t.results > 0)).toBe(true)
    expect(existsSync(join(dir, 'out', 'interrupted', 'plots', 'metric.png'))).toBe(true)
    expect(readFileSync(join(dir, 'out', 'index.html'), 'utf8')).toContain('href="interrupted/index.html"')
  })

  test('with .storage(), says that running it again resumes it, and its state is there to resume from', async () => {
    const { output, code } = await interruptMidRun(dir, 'interrupt-resumable.tune.ts')
    expect(code, output).toBe(130)
    expect(output).toMatch(
      /interrupted with storage: interrupted at iteration \d+; artifacts of what ran in out\/interrupted-with-storage\/; run it again to resume where it stopped/,
    )
    expect(existsSync(join(dir, 'state'))).toBe(true)
    expect(existsSync(join(dir, 'out', 'interrupted-with-storage', 'summary.json'))).toBe(true)
  })
})
