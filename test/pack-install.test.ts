// The packages as an outside user gets them: `pnpm pack` tarballs, installed with npm and with pnpm
// into a fresh project outside the workspace, then used there: tune mode, a plain `vitest run`,
// plain Node, and the types. The commands are the ones README.md and docs/guide.md §1 give.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { exec, filesUnder, importedPackage, type Manifest, type Outcome, readManifest, specifiersOf, userEnv, workspacePackages } from './helpers/packages.js'

const root = join(import.meta.dirname, '..')
const env = userEnv(root)
const PNPM = ['-y', 'pnpm@12.4.2']
/** The documented pack command, before its output pattern. */
const PACK = ['-r', '--filter', './packages/*', 'pack', '--out']
const MANAGERS = ['npm', 'pnpm'] as const
type Manager = (typeof MANAGERS)[number]

const packageDirs = workspacePackages(root).filter((dir) => dir.startsWith('packages/'))
const manifests = packageDirs.map((dir) => readManifest(join(root, dir)))
const names = manifests.map((m) => m.name)
/** `@vitune/dsl` → `vitune-dsl.tgz`, the name `pack --out '<dir>/%s.tgz'` gives. */
const tarball = (name: string) => `${name.replace(/^@/, '').replace('/', '-')}.tgz`
/** Packages another package depends on: pnpm must be told where they come from (overrides). */
const depended = names.filter((name) => manifests.some((m) => m.dependencies?.[name] !== undefined))

let work = ''
const unpacked = (name: string) => join(work, 'unpacked', tarball(name), 'package')
const project = (manager: Manager) => join(work, `${manager}-project`)
const installs = new Map<Manager, Outcome>()

/** Runs an installed bin in a project, as its user would: `npx vitune` or `pnpm exec vitune`. */
function bin(manager: Manager, args: readonly string[]): Promise<Outcome> {
  return manager === 'npm' ? exec('npx', ['--no', '--', ...args], project(manager), env) : exec('npx', [...PNPM, 'exec', ...args], project(manager), env)
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vitune-pack-'))
  const vendor = join(work, 'vendor')
  const pack = await exec('npx', [...PNPM, ...PACK, `${vendor}/%s.tgz`], root, env)
  if (pack.code !== 0) throw new Error(`packing failed:\n${pack.output}`)
  for (const name of names) {
    const dir = join(work, 'unpacked', tarball(name))
    mkdirSync(dir, { recursive: true })
    const untar = await exec('tar', ['-xzf', join(vendor, tarball(name)), '-C', dir], work, env)
    if (untar.code !== 0) throw new Error(untar.output)
  }
  const files = names.map((name) => `./vendor/${tarball(name)}`)
  for (const manager of MANAGERS) {
    cpSync(join(root, 'test', 'fixtures', 'consumer'), project(manager), { recursive: true })
    cpSync(vendor, join(project(manager), 'vendor'), { recursive: true })
    writeFileSync(join(project(manager), 'package.json'), `${JSON.stringify({ name: `consumer-${manager}`, private: true, type: 'module' }, null, 2)}\n`)
  }
  // pnpm 12 stops on a dependency's build script it was not told about. Both are optional and denied:
  // @vitune/bullmq's BullMQ brings msgpackr-extract (an accelerator, not needed; its README tells pnpm
  // users the same line), and tsx (which @vitune/runtime's worker threads load TypeScript with) brings
  // esbuild, whose binary comes as a package (denied as in this repository; docs/guide.md says so).
  writeFileSync(
    join(project('pnpm'), 'pnpm-workspace.yaml'),
    `overrides:\n${depended.map((n) => `  '${n}': file:vendor/${tarball(n)}\n`).join('')}allowBuilds:\n  msgpackr-extract: false\n  esbuild: false\n`,
  )
  // @types/node only for the type check below; the documented command is the same without it.
  const extra = ['vitest@~4.1.12', '@types/node@^20.19.0', ...files]
  const [npm, pnpm] = await Promise.all([
    exec('npm', ['install', '-D', '--prefer-offline', '--no-audit', '--no-fund', ...extra], project('npm'), env),
    exec('npx', [...PNPM, 'add', '-D', '--prefer-offline', ...extra], project('pnpm'), env),
  ])
  installs.set('npm', npm)
  installs.set('pnpm', pnpm)
}, 600_000)

// Two projects' node_modules: thousands of files, slow to delete on a busy machine.
afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true })
}, 180_000)

describe('the packed tarballs', () => {
  test('every package under packages/ is packed and publishable; the examples stay private', () => {
    expect(names.length).toBeGreaterThanOrEqual(3)
    for (const m of manifests) expect(m.private, m.name).not.toBe(true)
    for (const dir of workspacePackages(root).filter((d) => d.startsWith('examples/'))) expect(readManifest(join(root, dir)).private, dir).toBe(true)
    for (const name of names) expect(existsSync(unpacked(name)), name).toBe(true)
  })

  test.each(names)('%s: built JS, types, exports, bin, README; workspace:* rewritten; the root engines', (name) => {
    const dir = unpacked(name)
    const m = readManifest(dir)
    const files = filesUnder(dir)
    const rootEngines = readManifest(root).engines?.node
    expect(m.engines?.node).toBe(rootEngines)
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const [dep, range] of Object.entries(m[field] ?? {})) {
        expect(range, `${field}.${dep}`).not.toMatch(/^(workspace|link|file):/)
        const sibling = manifests.find((s) => s.name === dep)
        if (sibling !== undefined) expect(range, `${field}.${dep}: the packed version`).toBe(sibling.version)
      }
    }
    const entries = Object.entries(m.exports ?? {}).filter(([key]) => key !== './package.json')
    expect(entries.length).toBeGreaterThan(0)
    for (const [key, target] of entries) {
      expect(typeof target, `exports["${key}"] has conditions`).toBe('object')
      const conditions = target as Record<string, string>
      expect(Object.keys(conditions)[0], `exports["${key}"]: types first`).toBe('types')
      for (const path of Object.values(conditions)) expect(existsSync(join(dir, path)), `exports["${key}"] → ${path}`).toBe(true)
    }
    for (const [command, path] of Object.entries(m.bin ?? {}))
      expect(readFileSync(join(dir, path), 'utf8'), `bin ${command}`).toMatch(/^#!\/usr\/bin\/env node\n/)
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(`# ${name}`)
    // Built code, its sources (for source maps) and the bin; no tests, fixtures or build state.
    expect(files.filter((f) => !/^(dist|src|bin)\//.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f))).toEqual([])
    expect(files.filter((f) => /\.test(-d)?\.|(^|\/)fixtures\/|tsbuildinfo$/.test(f))).toEqual([])
    expect(files.filter((f) => f.endsWith('.d.ts')).length).toBeGreaterThan(0)
  })

  test.each(names)('%s: imports exactly what it declares (no undeclared, unused or dev-only dependency; vitest a peer)', (name) => {
    const dir = unpacked(name)
    const m: Manifest = readManifest(dir)
    const code = filesUnder(dir)
      .filter((f) => /^(dist|bin)\/.*\.(m?js|d\.ts)$/.test(f))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
    const imported = new Set(code.flatMap(specifiersOf).flatMap((s) => importedPackage(s) ?? []))
    imported.delete(name)
    const declared = new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {})])
    expect([...imported].filter((p) => !declared.has(p)).sort(), 'imported but not declared').toEqual([])
    expect(
      Object.keys(m.dependencies ?? {}).filter((p) => !imported.has(p)),
      'declared but never imported',
    ).toEqual([])
    // tsx is not among them: @vitune/runtime's worker threads load TypeScript trainables through it.
    expect(Object.keys(m.dependencies ?? {}).filter((p) => ['vitest', 'vite', 'typescript', '@biomejs/biome'].includes(p))).toEqual([])
    if (imported.has('vitest')) expect(m.peerDependencies?.vitest, 'vitest is a peer: the user’s own Vitest').toBeDefined()
  })
})

describe.each(MANAGERS)('installed with %s into a fresh project outside the workspace', (manager) => {
  const dir = () => project(manager)

  test('the install succeeds', () => {
    const install = installs.get(manager)
    expect(install?.code, install?.output).toBe(0)
    expect(realpathSync(dir()).startsWith(realpathSync(root))).toBe(false)
  })

  test('one Vitest: the plugin resolves the project’s own, and there is one copy', async () => {
    const script = [
      "const { createRequire } = require('node:module'); const { realpathSync } = require('node:fs')",
      "const own = realpathSync(require.resolve('vitest/package.json'))",
      "const plugin = realpathSync(require.resolve('@vitune/vitest-plugin/package.json'))",
      "console.log(JSON.stringify({ own, fromPlugin: realpathSync(createRequire(plugin).resolve('vitest/package.json')) }))",
    ].join('\n')
    const out = await exec(process.execPath, ['-e', script], dir(), env)
    expect(out.code, out.output).toBe(0)
    const { own, fromPlugin } = JSON.parse(out.output.split('\n').at(-2) ?? '{}') as { own: string; fromPlugin: string }
    expect(fromPlugin).toBe(own)
    expect(own.startsWith(realpathSync(dir()))).toBe(true)
    const copies = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((e) => {
        if (!e.isDirectory() || e.isSymbolicLink()) return []
        const path = join(folder, e.name)
        if (e.name === 'vitest' && existsSync(join(path, 'package.json')) && readManifest(path).name === 'vitest') return [path]
        return e.name.startsWith('.') && e.name !== '.pnpm' ? [] : copies(path)
      })
    expect(copies(join(dir(), 'node_modules'))).toHaveLength(1)
  })

  test('tune mode: `vitune run` tunes, asserts, prints the summary and writes the artifacts; exit 0', async () => {
    const run = await bin(manager, ['vitune', 'run', 'climb'])
    expect(run.code, run.output).toBe(0)
    // The summary headline: best value, trial, and the seed (the reporter's format is tested in the plugin).
    expect(run.output).toMatch(/^consumer climb: best score=-?[\d.e-]+ .*\bby\b.*, seed 7$/m)
    expect(run.output).toContain('open results/index.html in a browser')
    expect(run.output).toMatch(/Tests\s+\d+ passed/)
    expect(existsSync(join(dir(), 'results', 'consumer-climb', 'summary.json'))).toBe(true)
  })

  test('a failed assertion fails the run with exit code 1', async () => {
    const run = await bin(manager, ['vitune', 'run', 'short'])
    expect(run.code, run.output).toBe(1)
    expect(run.output).toContain('reaches the top')
  })

  test('a plain `vitest run` runs the unit test and leaves the tune files alone; exit 0', async () => {
    const run = await bin(manager, ['vitest', 'run'])
    expect(run.code, run.output).toBe(0)
    expect(run.output).toContain('plain.test.ts')
    expect(run.output).not.toMatch(/climb\.tune\.ts|short\.tune\.ts/)
    expect(run.output).toMatch(/Tests\s+1 passed \(1\)/)
  })

  test('`vitune --help` starts with vitune’s own lines', async () => {
    const help = await bin(manager, ['vitune', '--help'])
    expect(help.code, help.output).toBe(0)
    expect(help.output).toMatch(/vitune\/\d+\.\d+\.\d+: .*\n[\s\S]*--tune[\s\S]*\$ vitest \[\.\.\.filters\]/)
  })

  test('plain Node: every entry point imports (no Vite transform hides a bad import) and an experiment runs without Vitest', async () => {
    // The plugin's test-side entries need Vitest's runner; the tune run above loads them.
    const runnerOnly = new Set(['@vitune/vitest-plugin/test', '@vitune/vitest-plugin/setup'])
    const entries = manifests.flatMap((m) =>
      Object.keys(m.exports ?? {})
        .filter((k) => k !== './package.json')
        .map((k) => (k === '.' ? m.name : `${m.name}/${k.slice(2)}`))
        .filter((s) => !runnerOnly.has(s)),
    )
    expect(entries).toEqual(expect.arrayContaining(['@vitune/dsl', '@vitune/runtime', '@vitune/runtime/node', '@vitune/vitest-plugin']))
    const imports = await exec(process.execPath, ['--input-type=module', '-e', entries.map((e) => `await import('${e}')`).join('\n')], dir(), env)
    expect(imports.code, imports.output).toBe(0)
    const standalone = await exec(process.execPath, ['standalone.mjs'], dir(), env)
    expect(standalone.code, standalone.output).toBe(0)
    expect(standalone.output).toContain('STANDALONE best a=2')
  })

  test('types: the project type-checks against the shipped declarations (skipLibCheck off)', async () => {
    const tsc = await exec(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir(), env)
    expect(tsc.code, tsc.output).toBe(0)
  })
})

/** The plugin and the workspace packages it needs: what the docs install (others are optional). */
function withDependencies(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen
  seen.add(name)
  for (const dep of Object.keys(manifests.find((m) => m.name === name)?.dependencies ?? {})) if (names.includes(dep)) withDependencies(dep, seen)
  return seen
}

describe('the install-from-source docs give the commands this test runs', () => {
  const core = names.filter((n) => withDependencies('@vitune/vitest-plugin').has(n))
  const files = core.map((n) => `./vendor/${tarball(n)}`).join(' ')
  for (const page of ['README.md', 'docs/guide.md']) {
    test(page, () => {
      const text = readFileSync(join(root, page), 'utf8')
      expect(core.length).toBeGreaterThanOrEqual(3)
      expect(text).toContain(`npx -y pnpm@12.4.2 ${PACK.map((a) => (a.includes('*') ? `"${a}"` : a)).join(' ')} "$PROJECT/vendor/%s.tgz"`)
      expect(text).toContain(`npm install -D vitest@~4.1.12 ${files}`)
      expect(text).toContain(`npx -y pnpm@12.4.2 add -D vitest@~4.1.12 ${files}`)
      for (const name of depended.filter((n) => core.includes(n))) expect(text).toContain(`'${name}': file:vendor/${tarball(name)}`)
    })
  }
})
