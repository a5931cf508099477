// The schedule writer on strings: where the literal goes, how it is laid out (checked with Biome
// itself under several formatter settings), and what it refuses.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TunedSchedule } from '@vitune/runtime'
import { afterAll, describe, expect, test } from 'vitest'
import { formatSettingsFor } from '../src/node/format-settings.js'
import { printLiteral } from '../src/node/literal.js'
import { type ScheduleWrite, writeSchedules } from '../src/node/schedule-edit.js'
import { biomeFormatCheck } from './helpers/biome.js'

const scratch = mkdtempSync(join(tmpdir(), 'vitune-writer-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function schedule(changes: number): TunedSchedule {
  return {
    seed: 1,
    reached: { Q: 1.1999999876, trainingIteration: 100 },
    initialConfig: { lr: 0.05, h0: 0, h1: 1, activation: "it's", layers: [8, 8] },
    changes: Array.from({ length: changes }, (_, i) => ({ trainingIteration: 4 * (i + 1), config: { h0: 0.123456789 * i, h1: 1 - 0.123456789 * i } })),
    fingerprint: { space: '1a2b3c4d', mutations: '5e6f7a8b', metric: '9c0d1e2f', stop: '3a4b5c6d', trainable: '7e8f9a0b' },
  }
}

const write = (experiment: string, line: number, changes = 3): ScheduleWrite => ({ experiment, line, column: 1, schedule: schedule(changes) })

const SOURCE = `import { tune } from '@vitune/vitest-plugin/test'
import { a, b, c } from './experiments.js'

// keep this comment
tune(a, undefined, {
  // and this one
  schedule: true,
})

tune(b, undefined, { schedule: true })

tune(c, undefined, { afterRun: () => undefined, schedule: true /* why */ })
`

/** A folder with this Biome configuration and the file as Biome formats it there; returns its path and text. */
function formattedProject(name: string, biome: object, text: string): { readonly dir: string; readonly path: string; readonly text: string } {
  const dir = join(scratch, name)
  const path = join(dir, 'x.tune.ts')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'biome.json'), JSON.stringify(biome))
  writeFileSync(path, text)
  const formatted = biomeFormatCheck(dir, ['--write', 'x.tune.ts'])
  if (formatted.code !== 0) throw new Error(formatted.output)
  return { dir, path, text: readFileSync(path, 'utf8') }
}

describe('writeSchedules', () => {
  test.each([
    [
      'spaces, 80 columns, single quotes',
      { formatter: { indentStyle: 'space', indentWidth: 2, lineWidth: 80 }, javascript: { formatter: { quoteStyle: 'single', semicolons: 'asNeeded' } } },
    ],
    [
      'spaces, 160 columns (this repository)',
      { formatter: { indentStyle: 'space', indentWidth: 2, lineWidth: 160 }, javascript: { formatter: { quoteStyle: 'single', semicolons: 'asNeeded' } } },
    ],
    ['tabs and double quotes (Biome defaults)', { javascript: { formatter: { semicolons: 'asNeeded' } } }],
    [
      '4 spaces, 60 columns, no trailing commas',
      {
        formatter: { indentStyle: 'space', indentWidth: 4, lineWidth: 60 },
        javascript: { formatter: { quoteStyle: 'single', semicolons: 'asNeeded', trailingCommas: 'none' } },
      },
    ],
  ])('%s: the written file is as Biome formats it', async (name, biome) => {
    // Start from the file as Biome formats it under these settings.
    const { dir, path, text: formatted } = formattedProject(name.replace(/\W+/g, '-'), biome, SOURCE)
    const lines = formatted.split('\n')
    const lineOf = (needle: string) => lines.findIndex((l) => l.startsWith(needle)) + 1
    const out = await writeSchedules(
      path,
      formatted,
      formatted,
      [write('a', lineOf('tune(a')), write('b', lineOf('tune(b'), 1), write('c', lineOf('tune(c'), 0)],
      formatSettingsFor(path, formatted),
    )
    writeFileSync(path, out)
    const check = biomeFormatCheck(dir, ['x.tune.ts'])
    expect(check.code, `${check.output}\n${out}`).toBe(0)
    expect(out).toContain('// keep this comment')
    expect(out).toContain('// and this one')
    expect(out).toContain('/* why */')
  })

  test('only the value is replaced when the options object already spans lines; CRLF files stay CRLF', async () => {
    const text = SOURCE.replace(/\n/g, '\r\n')
    const path = join(scratch, 'crlf.tune.ts')
    const out = await writeSchedules(path, text, text, [write('a', 5)], formatSettingsFor(path, text))
    expect(out.replace(/\r\n/g, '')).not.toContain('\n')
    const before = text.slice(0, text.indexOf('true'))
    const after = text.slice(text.indexOf('true') + 4)
    expect(out.startsWith(before)).toBe(true)
    expect(out.endsWith(after)).toBe(true)
    expect(out).toContain('  schedule: {\r\n    seed: 1,\r\n')
  })

  test('the call is found by its position among tune() calls when lines moved since the file ran', async () => {
    const moved = `// a line Vitest's own inline snapshot added\n// and another\n${SOURCE}`
    const path = join(scratch, 'moved.tune.ts')
    const out = await writeSchedules(path, SOURCE, moved, [write('b', 10, 0)], formatSettingsFor(path, moved))
    expect(out.startsWith(moved.slice(0, moved.indexOf('tune(b')))).toBe(true)
    expect(out).toMatch(/tune\(b, undefined, \{\n {2}schedule: \{\n {4}seed: 1,/)
    expect(out).toContain('tune(a, undefined, {\n  // and this one\n  schedule: true,')
  })

  test('refuses a call without `schedule:` in an inline options object, and two experiments at one call', async () => {
    const text = "import { tune } from '@vitune/vitest-plugin/test'\nconst options = { schedule: true as const }\ntune(a, undefined, options)\n"
    const path = join(scratch, 'variable.tune.ts')
    await expect(writeSchedules(path, text, text, [write('a', 3)], formatSettingsFor(path, text))).rejects.toThrow(
      /\[VITUNE_SCHEDULE_LOCATION\] experiment "a": its tune\(\) call at .*variable\.tune\.ts:3:1 has no `schedule: \.\.\.` property/,
    )
    await expect(writeSchedules(path, SOURCE, SOURCE, [write('a', 5), write('d', 5)], formatSettingsFor(path, SOURCE))).rejects.toThrow(
      /\[VITUNE_SCHEDULE_LOCATION\] experiment "d": the tune\(\) call at .* also ran experiment "a"/,
    )
    await expect(writeSchedules(path, SOURCE, SOURCE, [write('a', 3)], formatSettingsFor(path, SOURCE))).rejects.toThrow(/no tune\(\) call found at/)
  })
})

describe('printLiteral', () => {
  const settings = { lineWidth: 80, indent: '  ', tabWidth: 2, quote: "'", trailingCommas: true, eol: '\n' } as const
  const print = (value: unknown) => printLiteral(value, settings, { startColumn: 0, level: 0, forceBreak: false, experiment: 'e' })

  test('numbers, strings and keys as a formatter writes them', () => {
    expect(print({ a: -0, b: 1e21, c: Number.NaN, d: 0.1, e: Number.NEGATIVE_INFINITY })).toBe(
      '{ a: -0, b: 1e21, c: Number.NaN, d: 0.1, e: Number.NEGATIVE_INFINITY }',
    )
    expect(print({ "it's": "it's", 'two words': 'say "hi"', ok: null, yes: true })).toBe(`{ "it's": "it's", 'two words': 'say "hi"', ok: null, yes: true }`)
  })

  test('a list of several objects with more than one key always breaks; one that fits stays on one line', () => {
    expect(
      print([
        { a: 1, b: 2 },
        { a: 3, b: 4 },
      ]),
    ).toBe('[\n  { a: 1, b: 2 },\n  { a: 3, b: 4 },\n]')
    expect(print([{ a: 1 }, { a: 3 }])).toBe('[{ a: 1 }, { a: 3 }]')
  })

  test('a value that is not plain data is a coded error', () => {
    expect(() => print({ when: new Date(0) })).toThrow(/\[VITUNE_SCHEDULE_VALUE\] experiment "e": its tuned schedule holds a Date/)
  })
})
