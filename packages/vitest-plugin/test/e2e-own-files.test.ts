import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { makeProject, runVitune } from './helpers/project.js'

// With outDir '.' the experiment "Data" writes to ./data, where the user keeps their own files:
// vitune refuses before tuning, and with allowOtherFiles never deletes them (issue 13 item 2).
describe('artifacts beside the user’s own files (real Vitest)', () => {
  const dir = makeProject('own-files', 'e2e-own-files')
  const data = join(dir, 'data')
  mkdirSync(data)
  writeFileSync(join(data, 'train.csv'), 'x,y\n1,2\n')
  writeFileSync(join(data, 'README.md'), '# my data\n')
  const intact = () => {
    expect(readFileSync(join(data, 'train.csv'), 'utf8')).toBe('x,y\n1,2\n')
    expect(readFileSync(join(data, 'README.md'), 'utf8')).toBe('# my data\n')
  }

  test('a directory holding the user’s files fails the experiment before it tunes, with VITUNE_ARTIFACT_OTHER_FILES', () => {
    const { code, output } = runVitune(dir)
    expect(code, output).toBe(1)
    expect(output).toContain('VITUNE_ARTIFACT_OTHER_FILES')
    expect(output).toContain('allowOtherFiles')
    expect(output).not.toContain('TUNING')
    intact()
  })

  test('with vitune({ allowOtherFiles: true }) two runs write next to them and delete none', () => {
    for (let i = 0; i < 2; i++) {
      const { code, output } = runVitune(dir, [], { ALLOW_OTHER_FILES: '1' })
      expect(code, output).toBe(0)
      intact()
    }
    expect(readFileSync(join(data, 'results.csv'), 'utf8')).toContain('score')
  })
})
