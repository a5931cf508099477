// Facts the docs state that code or manifests also state: each pair must agree.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = join(import.meta.dirname, '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const manifest = (path: string) => JSON.parse(read(path)) as { engines?: { node?: string }; private?: boolean }

const rootEngines = manifest('package.json').engines?.node ?? ''

describe('Node versions', () => {
  test('every package states the root engines range', () => {
    expect(rootEngines).not.toBe('')
    for (const pkg of readdirSync(join(root, 'packages'))) {
      expect(manifest(`packages/${pkg}/package.json`).engines?.node, `packages/${pkg}/package.json engines.node`).toBe(rootEngines)
    }
  })

  test('the README names the lowest version of each supported Node line the engines range allows', () => {
    // `^20.19.0 || >=22.12.0` reads as "Node 20.19+ or 22.12+".
    const minimums = [...rootEngines.matchAll(/(?:\^|>=)(\d+)\.(\d+)\.\d+/g)].map((m) => `${m[1]}.${m[2]}+`)
    expect(minimums.length).toBeGreaterThan(0)
    const readme = read('README.md')
    const sentence = /Node (\d[^\n]*?) and npm/.exec(readme)?.[1] ?? ''
    for (const minimum of minimums) expect(sentence, 'README: "Node … and npm"').toContain(minimum)
    expect(readme).not.toMatch(/Node \d+\+/)
  })
})

describe('docs/guide.md set-up', () => {
  test('the package.json it shows is an ES module package (Vite warns under CommonJS)', () => {
    const guide = read('docs/guide.md')
    const packageJson = /```jsonc\n\s*\/\/ package\.json[^\n]*\n([\s\S]*?)```/.exec(guide)?.[1] ?? ''
    expect(JSON.parse(packageJson)).toMatchObject({ type: 'module' })
  })
})
