import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const pluginRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(pluginRoot, 'bin', 'vitune.mjs')
const { version } = JSON.parse(readFileSync(join(pluginRoot, 'package.json'), 'utf8')) as { version: string }

function vitune(...args: string[]) {
  const out = spawnSync(process.execPath, [bin, ...args], { cwd: pluginRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  return { code: out.status, stdout: out.stdout, output: `${out.stdout}\n${out.stderr}` }
}

/** The keys of `VituneOptions`, read from the source so that a new option cannot miss the help. */
function pluginOptionKeys(): string[] {
  const source = readFileSync(join(pluginRoot, 'src', 'plugin.ts'), 'utf8')
  const body = /export interface VituneOptions \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? ''
  return [...body.matchAll(/^\s*readonly (\w+)\?:/gm)].map((m) => m[1] as string)
}

describe('vitune --help', () => {
  const help = vitune('--help')

  test('prints vitune’s own lines, then Vitest’s help, and exits 0', () => {
    expect(help.code, help.output).toBe(0)
    const own = help.stdout.indexOf(`vitune/${version}`)
    const vitest = help.stdout.indexOf('$ vitest [...filters]')
    expect(own).toBe(0)
    expect(vitest, help.stdout).toBeGreaterThan(own)
    const vitunePart = help.stdout.slice(0, vitest)
    expect(vitunePart).toContain('--tune')
    expect(vitunePart).toContain('--mode tune')
    expect(vitunePart).toContain('VITUNE=1')
    expect(vitunePart).toContain('*.tune.ts')
  })

  test('lists every option of the vitune() plugin', () => {
    const keys = pluginOptionKeys()
    expect(keys).toContain('outDir')
    for (const key of keys) expect(help.stdout, `help misses the plugin option ${key}`).toMatch(new RegExp(`^ +${key} `, 'm'))
  })

  test('works after a command too (vitune run --help), without running anything', () => {
    const { code, stdout, output } = vitune('run', '--help')
    expect(code, output).toBe(0)
    expect(stdout.startsWith(`vitune/${version}`)).toBe(true)
    expect(stdout).not.toContain('Test Files')
  })

  test('--version names vitune’s version before Vitest’s', () => {
    const { code, stdout, output } = vitune('--version')
    expect(code, output).toBe(0)
    expect(stdout).toMatch(new RegExp(`^vitune/${version.replaceAll('.', '\\.')}\\nvitest/\\d`))
  })
})
