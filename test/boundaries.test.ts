// Module boundaries are part of the design (docs: design.md): this test keeps them, reading every
// import with ts-morph.
import { readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Node, Project, SyntaxKind } from 'ts-morph'
import { describe, expect, test } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true })
const SKIP = new Set(['node_modules', 'dist', '.tmp', 'results', 'fixtures'])

/** TypeScript files below `dir`, without following links or entering build and temp folders. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name) || entry.isSymbolicLink()) return []
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return walk(path)
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

for (const dir of ['packages/dsl/src', 'packages/runtime/src', 'packages/vitest-plugin/src', 'packages/bullmq/src', 'examples']) {
  for (const file of walk(join(root, dir))) project.addSourceFileAtPath(file)
}

/** Every module a file imports or re-exports, statically or with import(). */
function importsOf(path: string): string[] {
  const file = project.getSourceFileOrThrow(path)
  const specifiers = [
    ...file.getImportDeclarations().map((d) => d.getModuleSpecifierValue()),
    ...file.getExportDeclarations().flatMap((d) => d.getModuleSpecifierValue() ?? []),
  ]
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const [arg] = call.getArguments()
    if (call.getExpression().getKind() === SyntaxKind.ImportKeyword && arg !== undefined && Node.isStringLiteral(arg)) specifiers.push(arg.getLiteralValue())
  }
  return specifiers
}

function filesUnder(dir: string): string[] {
  return project
    .getSourceFiles()
    .map((f) => f.getFilePath() as string)
    .filter((p) => p.startsWith(join(root, dir)))
}

function violations(dir: string, allowed: (specifier: string, file: string) => boolean): string[] {
  return filesUnder(dir).flatMap((file) =>
    importsOf(file)
      .filter((s) => !allowed(s, file))
      .map((s) => `${relative(root, file)} imports ${s}`),
  )
}

const NODE_ONLY = ['@resvg/', 'linkedom', '@observablehq/plot', 'gifenc', 'dejavu-fonts-ttf']

describe('module boundaries', () => {
  test('the files exist (the test reads real code)', () => {
    expect(filesUnder('packages/dsl/src').length).toBeGreaterThan(3)
    expect(filesUnder('packages/runtime/src').length).toBeGreaterThan(5)
    expect(filesUnder('examples').length).toBeGreaterThan(2)
  })

  test('@vitune/dsl imports nothing but its own files: no packages, no node:*', () => {
    expect(violations('packages/dsl/src', (s) => s.startsWith('./') || s.startsWith('../'))).toEqual([])
  })

  test('@vitune/runtime never imports Vitest or the plugin', () => {
    expect(violations('packages/runtime/src', (s) => !s.startsWith('vitest') && !s.startsWith('@vitune/vitest-plugin'))).toEqual([])
  })

  test('node-only code of the runtime stays behind its ./node subpath', () => {
    const core = violations(
      'packages/runtime/src',
      (s, file) => file.includes('/src/node/') || (!s.startsWith('node:') && !NODE_ONLY.some((n) => s.startsWith(n))),
    )
    expect(core).toEqual([])
  })

  test('only @vitune/bullmq imports BullMQ and ioredis; nothing imports @vitune/bullmq (the plugin looks it up by name, it is optional)', () => {
    const fleet = (s: string) => s === 'bullmq' || s.startsWith('bullmq/') || s === 'ioredis' || s.startsWith('@vitune/bullmq')
    for (const dir of ['packages/dsl/src', 'packages/runtime/src', 'packages/vitest-plugin/src', 'examples'])
      expect(violations(dir, (s) => !fleet(s))).toEqual([])
    expect(filesUnder('packages/bullmq/src').some((file) => importsOf(file).includes('bullmq'))).toBe(true)
  })

  test("the runtime's main entry reaches node-only code only through a dynamic import() (the default thread executor)", () => {
    const core = filesUnder('packages/runtime/src').filter((file) => !file.includes('/src/node/'))
    const staticImports = core.flatMap((path) => {
      const file = project.getSourceFileOrThrow(path)
      const specifiers = [
        ...file.getImportDeclarations().map((d) => d.getModuleSpecifierValue()),
        ...file.getExportDeclarations().flatMap((d) => d.getModuleSpecifierValue() ?? []),
      ]
      return specifiers.filter((s) => /(^|\/)node\//.test(s)).map((s) => `${relative(root, path)} imports ${s}`)
    })
    expect(staticImports).toEqual([])
    // The test sees the one dynamic import it allows.
    expect(importsOf(join(root, 'packages/runtime/src/executor-choice.ts'))).toContain('./node/executors/thread-executor.js')
  })

  test('examples import only public entry points of vitune', () => {
    const publicEntries = ['@vitune/dsl', '@vitune/runtime', '@vitune/runtime/node', '@vitune/vitest-plugin', '@vitune/vitest-plugin/test']
    const bad = violations('examples', (s) => {
      if (s.startsWith('@vitune/')) return publicEntries.includes(s)
      return !s.includes('packages/')
    })
    expect(bad).toEqual([])
  })
})
