import { describe, expect, test } from 'vitest'
import { makeProject, runVitest, runVitune } from './helpers/project.js'

describe('tune mode end to end (real Vitest on fixture files)', () => {
  const dir = makeProject('basic', 'e2e-basic')

  test('a passing experiment exits 0 and the reporter names the best trial', () => {
    const { code, output } = runVitune(dir, ['passing.tune.ts', '--reporter=verbose'])
    expect(output).toContain('fixture climb')
    expect(output).toMatch(/run \(2 trials, PBT synchronous\)/)
    expect(output).toMatch(/fixture climb: best score=-?[\d.e+-]+ \(max, last result\) by ★ \w{5}_\d{5}/)
    // The summary names the seed the run used (the fixture's .seed(7)).
    expect(output).toMatch(/^fixture climb: best .*, seed 7$/m)
    expect(code, output).toBe(0)
  })

  test('a failing assertion exits 1 with a message a person can read', () => {
    const { code, output } = runVitune(dir, ['failing.tune.ts'])
    expect(code, output).toBe(1)
    expect(output).toContain('reaches an impossible score')
    expect(output).toMatch(/expected the best score \(last result\) to reach at least 1; best is trial \w{5}_\d{5} .* ended at score=-?\d/)
  })

  test('`vitest --mode tune` and VITUNE=1 switch tune mode on too', () => {
    const byMode = runVitest(dir, ['--mode', 'tune', 'passing.tune.ts'])
    expect(byMode.code, byMode.output).toBe(0)
    expect(byMode.output).toContain('fixture climb')
    const byEnv = runVitest(dir, ['passing.tune.ts'], { VITUNE: '1' })
    expect(byEnv.code, byEnv.output).toBe(0)
    expect(byEnv.output).toContain('fixture climb')
  })

  test('a plain `vitest run` leaves tune files alone', () => {
    const { code, output } = runVitest(dir)
    expect(code, output).toBe(0)
    expect(output).toContain('plain.test.ts')
    expect(output).not.toContain('passing.tune.ts')
    expect(output).not.toContain('fixture climb')
  })

  test('the bin passes Vitest flags through (-t filters tests)', () => {
    const { code, output } = runVitune(dir, ['--tune', 'failing.tune.ts', '-t', 'run'])
    expect(code, output).toBe(0)
    expect(output).toMatch(/skipped/)
  })
})
