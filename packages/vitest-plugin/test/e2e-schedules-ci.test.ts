// Tuned schedules with nothing written yet: plain runs leave them out and say so once; in CI,
// tune mode reports them as missing and writes nothing (Vitest's rule for inline snapshots).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { makeProject, runVitest, runVitune } from './helpers/project.js'

describe('tuned schedules not written yet (real Vitest on a copy of a tune file)', () => {
  const dir = makeProject('schedules', 'schedules-ci')
  const file = join(dir, 'tuned.tune.ts')
  const fixture = readFileSync(file, 'utf8')

  test('a plain run leaves the untuned tune file out and says once how many experiments wait for tuning', () => {
    const { code, output } = runVitest(dir, ['--reporter=verbose'])
    expect(code, output).toBe(0)
    expect(output).toContain('plain.test.ts')
    expect(output).not.toContain('tuned.tune.ts')
    expect(output.match(/not tuned yet/g)).toHaveLength(1)
    expect(output).toContain('[vitune] 2 experiments not tuned yet (schedule: true, nothing written): run `vitune run` to tune them')
  })

  test('with CI set, tune mode reports each missing schedule as a failure and writes nothing', () => {
    const { code, output } = runVitune(dir, [], { CI: '1' })
    expect(code, output).toBe(1)
    expect(output).toMatch(
      /\[VITUNE_SCHEDULE_MISSING\] experiment "schedule climb": it has `schedule: true` but no tuned schedule yet, and snapshot updates are off \(CI is set/,
    )
    expect(output).toMatch(/\[VITUNE_SCHEDULE_MISSING\] experiment "schedule grid"/)
    expect(output).not.toContain('[vitune] wrote')
    expect(readFileSync(file, 'utf8')).toBe(fixture)
  })
})
