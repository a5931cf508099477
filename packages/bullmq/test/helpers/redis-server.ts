// A real redis-server for tests and benchmarks: on a free loopback port, no persistence, its own
// data folder, stopped by its own pid. Where redis-server is missing it is installed from Debian's
// package when this process may (root and apt-get); otherwise the error says how to install it.
// Never a mock, never a silent skip (issue 11).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

/** What to do about redis-server on this machine. */
export type RedisInstallPlan =
  | { readonly action: 'ready'; readonly path: string }
  | { readonly action: 'install' }
  | { readonly action: 'refuse'; readonly message: string }

/** What the plan depends on, so that every branch can be tested without changing the machine. */
export interface RedisInstallFacts {
  /** redis-server's path if it is on PATH (or VITUNE_REDIS_SERVER names it), else undefined. */
  readonly found: string | undefined
  /** The process's user id (0 is root); undefined where there is none (Windows). */
  readonly uid: number | undefined
  /** Whether apt-get is on PATH. */
  readonly aptGet: boolean
}

const HOW_TO_INSTALL =
  'Install it and run the tests again: `sudo apt-get install redis-server` (Debian, Ubuntu), `brew install redis` (macOS), ' +
  'or set VITUNE_REDIS_SERVER to a redis-server binary. The tests start and stop their own server on a free loopback port.'

/** Decides from the facts: use the binary found, install Debian's package, or stop with a message. */
export function redisInstallPlan(facts: RedisInstallFacts): RedisInstallPlan {
  if (facts.found !== undefined) return { action: 'ready', path: facts.found }
  if (facts.uid === 0 && facts.aptGet) return { action: 'install' }
  const why = facts.aptGet ? 'installing it needs root (apt-get), and this process is not root' : 'this machine has no apt-get to install it with'
  return { action: 'refuse', message: `The @vitune/bullmq tests need redis-server, which is not installed; ${why}. ${HOW_TO_INSTALL}` }
}

const onPath = (command: string): string | undefined => {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' })
  const path = found.stdout.trim()
  return found.status === 0 && path.length > 0 ? path : undefined
}

function facts(): RedisInstallFacts {
  return { found: process.env.VITUNE_REDIS_SERVER ?? onPath('redis-server'), uid: process.getuid?.(), aptGet: onPath('apt-get') !== undefined }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Installs Debian's redis-server once, even when several test files ask at the same moment: the
 * first takes a lock folder (mkdir is atomic), the others wait for it. apt-get's own lock covers
 * other processes on the machine.
 */
async function installFromDebian(): Promise<void> {
  const lock = join(tmpdir(), 'vitune-redis-install.lock')
  for (const deadline = Date.now() + 300_000; ; ) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (facts().found !== undefined) return
      if (Date.now() > deadline) throw new Error(`waited 5 minutes for another test to install redis-server (lock ${lock}). ${HOW_TO_INSTALL}`)
      await sleep(250)
    }
  }
  try {
    if (facts().found !== undefined) return
    process.stderr.write("redis-server is missing: installing Debian's package (apt-get install redis-server) for the @vitune/bullmq tests\n")
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const apt = (args: string[]) => {
      const done = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=120', ...args], { env, encoding: 'utf8' })
      if (done.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${done.status}): ${done.stderr.trim().slice(-2000)}. ${HOW_TO_INSTALL}`)
    }
    apt(['update', '-qq'])
    apt(['install', '-y', '-qq', '--no-install-recommends', 'redis-server'])
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** The path of redis-server, installing it first where the plan says so; throws with how to install it otherwise. */
export async function ensureRedisServer(): Promise<string> {
  const plan = redisInstallPlan(facts())
  if (plan.action === 'ready') return plan.path
  if (plan.action === 'refuse') throw new Error(plan.message)
  await installFromDebian()
  const path = facts().found
  if (path === undefined) throw new Error(`apt-get installed redis-server, but it is not on PATH. ${HOW_TO_INSTALL}`)
  return path
}

/** A free TCP port on 127.0.0.1 (free when asked; the server start retries if another process takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A section of the server's INFO (`commandstats`, `cpu`...), as text. */
export async function redisInfo(url: string, section: string): Promise<string> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  client.on('error', () => undefined)
  try {
    return await client.info(section)
  } finally {
    client.disconnect()
  }
}

/** A running redis-server of a test. */
export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Kills the server with SIGKILL (an outage: everything in memory is lost) and waits until it is gone. */
  kill(): Promise<void>
  /** Starts it again on the same port, empty. */
  start(): Promise<void>
  /** Stops it for good and removes its folder; safe to call twice. */
  stop(): Promise<void>
}

const live = new Set<ChildProcess>()
// A test process that exits without its afterAll (a crash) still takes its servers along.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

async function waitForPing(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (const deadline = Date.now() + 20_000; ; ) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    client.on('error', () => undefined)
    try {
      await client.connect()
      if ((await client.ping()) === 'PONG') return
    } catch {
      // not up yet
    } finally {
      client.disconnect()
    }
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited before it answered PING: ${log()}`)
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within 20 s: ${log()}`)
    await sleep(20)
  }
}

/** Starts redis-server on a free loopback port (installing it first where it may). Stop it with `stop()`. */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = await ensureRedisServer()
  const dir = mkdtempSync(join(tmpdir(), 'vitune-redis-'))
  let port = await freePort()
  let child: ChildProcess | undefined
  let output = ''

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir]
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    output = ''
    proc.stdout?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000)
    })
    proc.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000)
    })
    live.add(proc)
    proc.once('exit', () => live.delete(proc))
    child = proc
    await waitForPing(port, proc, () => output)
  }

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child
    child = undefined
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve())
      proc.kill(signal)
    })
  }

  for (let attempt = 1; ; attempt++) {
    try {
      await launch()
      break
    } catch (error) {
      await halt('SIGKILL')
      // Another process took the port between freePort() and the bind: try another one.
      if (attempt >= 5 || !output.includes('Address already in use')) {
        rmSync(dir, { recursive: true, force: true })
        throw error
      }
      port = await freePort()
    }
  }

  let stopped = false
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => halt('SIGKILL'),
    start: launch,
    async stop() {
      if (stopped) return
      stopped = true
      await halt('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
