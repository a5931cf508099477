import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = join(import.meta.dirname, '..', '..', '..')

/** Every error code the packages' sources mention. */
function codesInSource(): Set<string> {
  const codes = new Set<string>()
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src')
    for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue
      for (const match of readFileSync(join(src, file), 'utf8').matchAll(/'(VITUNE_[A-Z_]+)'/g)) codes.add(match[1] as string)
    }
  }
  return codes
}

/** The code of every row of docs/errors.md, in order. */
function rowsInDocs(): string[] {
  const text = readFileSync(join(root, 'docs', 'errors.md'), 'utf8')
  return [...text.matchAll(/^\| `(VITUNE_[A-Z_]+)` *\|/gm)].map((m) => m[1] as string)
}

/** Codes that have a row in docs/errors.md. */
function codesInDocs(): Set<string> {
  return new Set(rowsInDocs())
}

describe('docs/errors.md', () => {
  test('has a row for every error code in the sources, and none that no longer exists', () => {
    const source = codesInSource()
    const docs = codesInDocs()
    expect([...source].filter((c) => !docs.has(c)).sort(), 'codes missing from docs/errors.md').toEqual([])
    expect([...docs].filter((c) => !source.has(c)).sort(), 'codes in docs/errors.md that no source raises').toEqual([])
    expect(source.size).toBeGreaterThan(50)
  })

  test('has one row per code, so a reader never finds two answers', () => {
    const rows = rowsInDocs()
    expect(rows.filter((code, i) => rows.indexOf(code) !== i)).toEqual([])
  })
})
