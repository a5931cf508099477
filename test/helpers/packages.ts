// The workspace's packages, their packed tarballs, and commands run as a user would run them.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'

/** The fields of a package.json these checks read. */
export interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly engines?: { readonly node?: string }
  readonly exports?: Readonly<Record<string, string | Readonly<Record<string, string>>>>
  readonly bin?: Readonly<Record<string, string>>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
}

export const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest

/** Every package folder the workspace file names (`packages/*`, `examples/*`), relative to the root. */
export function workspacePackages(root: string): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')
  const section = /^packages:\n((?:[ \t]+-[^\n]*\n?)+)/m.exec(yaml)?.[1] ?? ''
  const globs = [...section.matchAll(/-\s*['"]?([^'"\n]+?)['"]?\s*$/gm)].map((m) => m[1] as string)
  return globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return existsSync(join(root, glob, 'package.json')) ? [glob] : []
    const parent = glob.slice(0, -2)
    return readdirSync(join(root, parent))
      .map((name) => `${parent}/${name}`)
      .filter((dir) => existsSync(join(root, dir, 'package.json')))
      .sort()
  })
}

/** Every file below `dir`, relative to it. */
export function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path, base) : [relative(base, path)]
  })
}

const BUILTINS = new Set(builtinModules)

/** The package a bare import specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative and builtin ones. */
export function importedPackage(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string)
  return BUILTINS.has(name) ? undefined : name
}

/** Module specifiers of a built JS or declaration file: imports, re-exports, import() and require.resolve(). */
export function specifiersOf(code: string): string[] {
  const patterns = [
    /(?:^|[\s;}])(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire(?:\.resolve)?\(\s*[`'"]([^`'"$]+)/g,
  ]
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1] as string))
}

/** Output and exit code of a command. */
export interface Outcome {
  readonly code: number | null
  readonly output: string
}

/**
 * The environment a user's shell would have: without the variables the outer `pnpm test` and
 * Vitest set (npm_config_*, INIT_CWD, VITEST*), and without the repository's own bin folders on
 * PATH, so every tool comes from the fresh project or the system.
 */
export function userEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    const k = key.toLowerCase()
    if (k.startsWith('npm_') || k.startsWith('pnpm_') || k.startsWith('vitest') || k === 'vitune' || k === 'init_cwd' || k === 'node_options') continue
    env[key] = value
  }
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.startsWith(root))
    .join(':')
  return { ...env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' }
}

/** Runs a command to its end; never rejects, so a failure shows up in an assertion with its output. */
export function exec(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on('error', (error) => done({ code: null, output: `${output}\n${error.message}` }))
    child.on('close', (code) => done({ code, output: `$ ${command} ${args.join(' ')}  (in ${cwd})\n${output}` }))
  })
}
