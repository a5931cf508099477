import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, test } from 'vitest'
import { makeProject, runVitune } from './helpers/project.js'

describe('artifact paths in the summary work from where the command was typed', () => {
  const dir = makeProject('basic', 'e2e-paths')

  test('a package manager running vitune in a sub folder (INIT_CWD above it): paths relative to INIT_CWD', () => {
    // As `pnpm tune` at the repository root does: `vitune run` runs in each example's folder.
    const started = dirname(dir)
    const run = runVitune(dir, ['passing.tune.ts'], { INIT_CWD: started })
    const output = stripVTControlCharacters(run.output)
    expect(run.code, output).toBe(0)
    const index = `${basename(dir)}/out/index.html`
    expect(output).toContain(`[vitune] artifacts of 1 experiment(s): open ${index} in a browser`)
    expect(output).toContain(`[vitune]   fixture climb: ${basename(dir)}/out/fixture-climb/`)
    expect(existsSync(join(started, index))).toBe(true)
  })
})
