// docs/distributed.md's three-terminal recipe works as written: its three shell blocks run as they
// are (on a free port instead of 6390, which may be taken here), and the driver's run passes.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { ensureRedisServer, freePort } from './helpers/redis-server.js'

const root = join(import.meta.dirname, '..', '..', '..')

/** The shell blocks of the page's "Three terminals" section, in order. */
function recipe(): string[] {
  const page = readFileSync(join(root, 'docs', 'distributed.md'), 'utf8')
  const section = page.slice(page.indexOf('## Three terminals'), page.indexOf('\n## ', page.indexOf('## Three terminals') + 1))
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] as string).trim())
}

const children: ChildProcess[] = []
afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          // The shell's process group: redis-server and the worker are its children.
          process.kill(-(child.pid as number), 'SIGKILL')
        }),
    ),
  )
})

function terminal(command: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const clean: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('VITEST') && !['VITUNE', 'NODE_OPTIONS', 'INIT_CWD', 'VITUNE_REDIS_URL'].includes(key)) clean[key] = value
  const child = spawn('sh', ['-c', command], { cwd: root, env: { ...clean, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  children.push(child)
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += String(chunk)
  })
  child.stderr?.on('data', (chunk) => {
    output += String(chunk)
  })
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) }
}

async function until(condition: () => boolean, what: string, output: () => string): Promise<void> {
  for (const deadline = Date.now() + 120_000; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; output:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('the three-terminal recipe of docs/distributed.md works as written', async () => {
  const blocks = recipe()
  expect(blocks).toHaveLength(3)
  expect(blocks.every((b) => b.includes('6390'))).toBe(true)
  await ensureRedisServer()
  const port = String(await freePort())
  const [redis, worker, driver] = blocks.map((b) => b.replaceAll('6390', port)) as [string, string, string]
  const one = terminal(redis)
  await until(() => one.output().includes('Ready to accept connections'), 'redis-server', one.output)
  const two = terminal(worker)
  await until(() => two.output().includes('slot(s)'), 'the worker', two.output)
  const three = terminal(driver)
  expect(await three.exited, three.output()).toBe(0)
  expect(three.output()).toContain('noisy quadratic, PBT, 8 trials')
  // Ctrl-C in terminal 2 (SIGINT to its process group): the worker stops cleanly.
  process.kill(-(two.child.pid as number), 'SIGINT')
  await two.exited
  expect(two.output()).toMatch(/SIGINT: handing back the running trials[\s\S]*: stopped/)
}, 300_000)
