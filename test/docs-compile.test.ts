// Every TypeScript block of the README, docs/ and the packages' and examples' READMEs compiles
// against the built packages, as a user would paste it (conventions: docs/writing-docs.md).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { compileBlocks, type DocBlock, markdownPages, pageBlocks } from './helpers/doc-blocks.js'

const root = join(import.meta.dirname, '..')
const pages = markdownPages(root)
const blocks = pages.flatMap((page) => pageBlocks(root, page, readFileSync(join(root, page), 'utf8')))

// A page that must fail, compiled with the real ones: proves the check can see errors, and where.
const CONTROL = [
  '# control',
  '',
  '```ts',
  '// control.ts',
  "import { experiment } from '@vitune/dsl'",
  "export const bad = experiment('control').seed('one')",
  "export const good = 'fine'",
  '```',
  '',
  '<!-- ts-prelude',
  "import { missing } from './control.js'",
  '-->',
  '',
  '```ts',
  'export {}',
  '```',
  '',
  '```ts',
  "import { good } from './control.js'",
  'const n: number = good',
  '```',
].join('\n')
const control = pageBlocks(root, 'docs/control.md', CONTROL)
const errors = compileBlocks(root, [...blocks, ...control])

describe('TypeScript blocks in the docs', () => {
  test('are found in the README, docs/ and the packages’ READMEs', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/guide.md', 'docs/search-space.md']))
    const perPage = (page: string) => blocks.filter((b) => b.page === page).length
    expect(perPage('README.md')).toBeGreaterThanOrEqual(2)
    expect(perPage('docs/guide.md')).toBeGreaterThanOrEqual(3)
    expect(blocks.length).toBeGreaterThanOrEqual(20)
  })

  test.each(blocks.filter((b) => b.skip === undefined).map((block) => [block.location, block] as const))('%s compiles', (_, block: DocBlock) => {
    expect(errors.get(block)).toEqual([])
  })

  test('a block left out says why', () => {
    for (const block of blocks.filter((b) => b.skip !== undefined)) expect(block.skip, block.location).toMatch(/\w{3,}/)
  })

  test('the check finds errors and points at the Markdown line (a page made to fail)', () => {
    const [named, prelude, user] = control
    expect(errors.get(named as DocBlock)).toEqual([expect.stringMatching(/^docs\/control\.md:6: TS2345 Argument of type 'string'/)])
    // A prelude's error is reported at the block it belongs to.
    expect(errors.get(prelude as DocBlock)).toEqual([expect.stringMatching(/^docs\/control\.md:14 \(in its ts-prelude\): TS2305 .*'missing'/)])
    // Blocks import each other by the file name in their first line.
    expect(errors.get(user as DocBlock)).toEqual([expect.stringMatching(/^docs\/control\.md:20: TS2322 Type 'string' is not assignable to type 'number'/)])
  })

  test('directives are checked: a skip needs a reason, unknown directives are refused', () => {
    expect(() => pageBlocks(root, 'x.md', '<!-- ts-skip -->\n```ts\nx\n```')).toThrow(/x\.md:2: ts-skip needs a reason/)
    expect(() => pageBlocks(root, 'x.md', '<!-- ts-nocheck -->\n```ts\nx\n```')).toThrow(/unknown directive ts-nocheck/)
    expect(pageBlocks(root, 'x.md', '<!-- ts-skip: output of a run, not code -->\n\n```ts\nx\n```')[0]?.skip).toBe('output of a run, not code')
    expect(() => pageBlocks(root, 'x.md', '<!-- ts-in: no/such/folder -->\n```ts\nx\n```')).toThrow(/ts-in names no\/such\/folder/)
  })

  test('a TypeScript fence shown inside a longer fence is text, not a block', () => {
    expect(pageBlocks(root, 'x.md', '````md\n```ts\nnot code\n```\n````\n\n~~~ts\nconst x = 1\n~~~')).toEqual([
      expect.objectContaining({ line: 7, code: 'const x = 1' }),
    ])
  })
})
