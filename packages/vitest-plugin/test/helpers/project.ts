import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll } from 'vitest'

const pluginRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const packagesRoot = resolve(pluginRoot, '..')

/**
 * Copies a fixture into a fresh temp project whose node_modules link to the workspace's packages,
 * and removes it after the calling suite. It lives outside the repository: inside a linked package
 * it would make a symlink loop that tools walking the tree (globs, ts-morph) follow forever. The
 * directory is unique per call (mkdtemp), so runs side by side never share or delete each other's.
 * Call it while a suite is being collected (in a `describe` body).
 */
export function makeProject(fixture: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vitune-e2e-${name}-`))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules', '@vitune'), { recursive: true })
  cpSync(join(pluginRoot, 'test', 'fixtures', fixture), dir, { recursive: true })
  for (const pkg of ['dsl', 'runtime', 'vitest-plugin']) symlinkSync(join(packagesRoot, pkg), join(dir, 'node_modules', '@vitune', pkg), 'dir')
  symlinkSync(join(pluginRoot, 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'), 'dir')
  return dir
}

/** Output and exit code of a real Vitest run. */
export interface RunOutcome {
  readonly code: number | null
  /** stdout, then stderr. */
  readonly output: string
  readonly stdout: string
  readonly stderr: string
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  // INIT_CWD: the outer `pnpm test` sets it to the repository; the child is a user in `dir`.
  const dropped = new Set(['VITUNE', 'NODE_OPTIONS', 'INIT_CWD'])
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('VITEST') && !dropped.has(key)) env[key] = value
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', ...extra }
}

/** The command, arguments and environment `runVitune` uses, for tests that need their own process handling. */
export function vituneCommand(args: readonly string[] = [], env: Record<string, string> = {}): [string, string[], NodeJS.ProcessEnv] {
  return [process.execPath, [join(pluginRoot, 'bin', 'vitune.mjs'), 'run', ...args], cleanEnv(env)]
}

/** Runs the `vitune` bin (tune mode) in `dir`. */
export function runVitune(dir: string, args: readonly string[] = [], env: Record<string, string> = {}): RunOutcome {
  return spawn(dir, [join(pluginRoot, 'bin', 'vitune.mjs'), 'run', ...args], env)
}

/** Runs stock `vitest` in `dir`. */
export function runVitest(dir: string, args: readonly string[] = [], env: Record<string, string> = {}): RunOutcome {
  return spawn(dir, [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], env)
}

function spawn(dir: string, args: readonly string[], env: Record<string, string>): RunOutcome {
  const out = spawnSync(process.execPath, args, { cwd: dir, env: cleanEnv(env), encoding: 'utf8', timeout: 120_000 })
  return { code: out.status, output: `${out.stdout}\n${out.stderr}`, stdout: out.stdout, stderr: out.stderr }
}
