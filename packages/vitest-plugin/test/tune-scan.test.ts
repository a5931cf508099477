// The lexical scan plain runs use to find tuned files, against tricky text and against ts-morph's
// parse of the real tune files.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseTuneFile } from '../src/node/tune-calls.js'
import { codeOnly, countSchedules } from '../src/node/tune-scan.js'

const repo = join(import.meta.dirname, '..', '..', '..')

describe('countSchedules', () => {
  test('counts written and waiting schedules of tune() options only', () => {
    const text = `
// tune(a, check, { schedule: { seed: 1 } }) in a comment
/* tune(b, undefined, { schedule: true }) */
const note = "tune(c, undefined, { schedule: true })"
tune(experiment('x').space({ schedule: { warmup: 5 } }), (r) => {
  expect(String(r)).toMatch(/\\(schedule: {[(]/)
  const schedule = { schedule: true }
}, { schedule: true })
tune(y, undefined, {
  afterRun,
  schedule: {
    seed: 1,
    changes: [{ trainingIteration: 2, config: { lr: 0.1 } }],
  },
})
vt.tune(z, undefined, { scheduled: true, schedule: trueish })
untune(w, undefined, { schedule: true })
`
    expect(countSchedules(text)).toEqual({ written: 1, pending: 1 })
  })

  test('blanks comments, strings, templates and regular expressions, keeping lengths and lines', () => {
    const text = "a = 'x(' + `y{` // z\nb = /[/(]/.test(c) / 2 /* d */"
    const code = codeOnly(text)
    expect(code).toHaveLength(text.length)
    expect(code.split('\n')).toHaveLength(2)
    expect(code.replace(/ +/g, ' ')).toBe('a = + \nb = .test(c) / 2 ')
  })

  test.each([
    'examples/pbt-visualization/pbt-visualization.tune.ts',
    'examples/iris-mlp/iris.tune.ts',
    'packages/vitest-plugin/test/fixtures/schedules/tuned.tune.ts',
  ])('agrees with ts-morph on %s', async (path) => {
    const text = readFileSync(join(repo, path), 'utf8')
    const calls = (await parseTuneFile(path, text)).calls
    expect(countSchedules(text)).toEqual({
      written: calls.filter((c) => c.schedule === 'written').length,
      pending: calls.filter((c) => c.schedule === 'pending').length,
    })
  })
})
