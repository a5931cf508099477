import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, test } from 'vitest'
import { makeProject, runVitune } from './helpers/project.js'

const plain = (text: string) => stripVTControlCharacters(text)
const count = (text: string, part: string) => text.split(part).length - 1

describe('what the reports say about stops, odd metrics and errors (real Vitest runs)', () => {
  const dir = makeProject('reports', 'e2e-run-reports')
  const run = runVitune(dir, [
    'stops.tune.ts',
    'odd-metrics.tune.ts',
    'errors.tune.ts',
    '--reporter=verbose',
    '--reporter=json',
    '--outputFile.json=out/report.json',
    '--reporter=junit',
    '--outputFile.junit=out/junit.xml',
  ])
  const output = plain(run.output)

  test('the run fails because of the failing tests, and only those', () => {
    expect(run.code, output).toBe(1)
    expect(output).toContain('FAIL  errors.tune.ts > errored trial fails > trial 1_id=1')
    expect(output).toContain('FAIL  odd-metrics.tune.ts > misnamed FIFO > best result')
    expect(output).toContain('FAIL  odd-metrics.tune.ts > misnamed PBT > run (4 trials, PBT asynchronous)')
    expect(output).not.toContain('FAIL  errors.tune.ts > errored trial allowed')
  })

  test('a run ended by stopExperiment or the time budget says what stopped it, not "finished"', () => {
    expect(output).toContain('[vitune] ■ stopped by rule: stopped by .stopExperiment() at iteration 3')
    expect(output).toMatch(/\[vitune\] ■ stopped by budget: stopped by the time budget \(\.timeBudget\(\)\) at iteration \d+/)
    expect(output).not.toMatch(/✔ stopped by (rule|budget)/)
    expect(output).toContain('  stopped: every trial was stopped at once by .stopExperiment(), not by .stop()')
    expect(output).toContain('  stopped: every trial was stopped at once by the time budget (.timeBudget()), not by .stop()')
  })

  test('a run with no stop rule and no budget says at its start that it ends only when the trainables return', () => {
    const warning = '[vitune] ⚠ no stop rule: it has no .stop(), .timeBudget() or .stopExperiment(), so it ends only when every trainable returns'
    expect(output).toContain(warning)
    expect(output.indexOf(warning)).toBeLessThan(output.indexOf('[vitune] ✔ no stop rule'))
    expect(output).not.toContain('⚠ stopped by rule: it has no')
  })

  test('FIFO whose trainable never reports the metric: the keys it did report, at once and in the failure', () => {
    expect(output).toMatch(/\[vitune\] ⚠ misnamed FIFO: trial \w+ reported a result without `accuracy` \(the metric\); it reported `acc`, `loss`/)
    expect(output).toContain(
      'experiment "misnamed FIFO": expected the best accuracy (last result) to reach at least -0.01; no trial can be ranked: no result has the metric `accuracy`; the trainable reported only `acc`, `loss`.',
    )
    expect(output).toContain('  why: no result has the metric `accuracy`; the trainable reported only `acc`, `loss`.')
    expect(output).not.toContain('best no trial reported')
  })

  test('PBT whose trainable never reports the metric: a failed progress line and the error once, not once per test', () => {
    expect(output).toMatch(/\[vitune\] ✘ misnamed PBT: failed at iteration 1, 0\/4 trials finished: \[VITUNE_MISSING_RESULT_KEY\]/)
    expect(output).not.toMatch(/✔ misnamed PBT/)
    expect(count(output, 'RunError: [VITUNE_MISSING_RESULT_KEY]')).toBe(1)
    expect(output).toContain('[experiment "misnamed PBT" did not finish: see the error of its test "run (4 trials, PBT asynchronous)"]')
  })

  test('NaN results: one warning per trial, and the table explains its NaN cell; huge values are readable', () => {
    expect(count(output, 'reported loss=NaN')).toBe(1)
    expect(output).toMatch(/\[vitune\] ⚠ nan and huge: trial \w+ reported loss=NaN at iteration 2 \(warned once per trial\)/)
    expect(output).toMatch(/│ {3}\w{5}_00000 │ which=0 +│ which=0 +│ NaN +│ 1 +│ 0 +│/)
    expect(output).toMatch(/ NaN: the last result's loss was NaN or infinite; such values never rank a trial \(\w+_00000: 4 of 5 results\)/)
    expect(output).toContain('best loss=1e+200 (min, last result)')
    expect(output).not.toContain('00000000000000000000')
  })

  test('a trial error names the attempt and the iteration, and says how to retry or allow it', () => {
    expect(output).toMatch(
      /trial \w+_00001 \(1_id=1\) failed on its 2nd attempt \(of 2\) at iteration 5: the loss exploded\. Earlier attempts failed at iteration 5\. Every retry was used \(\.failures\(\{ maxFailures: 1 \}\)\)/,
    )
    expect(output).toContain('to let errored trials pass CI, pass { raiseOnFailedTrial: false } to tune() and assert on result.errors.')
    expect(output).toMatch(
      /↓ errors\.tune\.ts > errored trial allowed > trial 1_id=1 .*\[trial \w+_00001 \(1_id=1\) failed on its 1st attempt \(of 1\) at iteration 5: the loss exploded\..*\(allowed: raiseOnFailedTrial is false\)\]/,
    )
  })

  test('the JSON report carries each experiment summary (best value and config, with its scope) and each trial', () => {
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as {
      testResults: { assertionResults: { title: string; meta: Record<string, unknown> }[] }[]
    }
    const results = report.testResults.flatMap((r) => r.assertionResults)
    const summaries = results.flatMap((a) => (a.meta.vitune === undefined ? [] : [a.meta.vitune as Record<string, unknown>]))
    const rule = summaries.find((s) => s.experiment === 'stopped by rule') as { best: Record<string, unknown>; stopReason: string; seed: number }
    expect(rule.best).toMatchObject({ scope: 'last', value: 2, trainingIteration: 3, config: {} })
    expect(rule.stopReason).toBe('stopExperiment')
    const trials = results.flatMap((a) => (a.meta.vituneTrial === undefined ? [] : [a.meta.vituneTrial]))
    expect(trials).toContainEqual(expect.objectContaining({ label: '1_id=1', status: 'ERROR' }))
  })

  test('JUnit shows the best result, what stopped the run and the figures as properties of the run test', () => {
    const junit = readFileSync(join(dir, 'out', 'junit.xml'), 'utf8')
    expect(junit).toMatch(/<property name="vitune:best" value="step=2 \(last result\) by trial \w+ \(0\) at iteration 3, config \{\}; seed 0">/)
    expect(junit).toContain('<property name="vitune:stopped" value="every trial was stopped by the time budget (.timeBudget())">')
    expect(junit).toMatch(/<property name="vitune:figure" value="plots\/metric\.png">/)
  })

  test('Vitest keeps each figure as an attachment of the run test (for its UI and HTML reporter), beside the artifacts', () => {
    const attachments = readdirSync(join(dir, 'out', '.attachments'))
    expect(attachments.some((f) => /^plots-metric-png-[0-9a-f]+\.png$/.test(f))).toBe(true)
    expect(existsSync(join(dir, '.vitest-attachments'))).toBe(false)
    expect(readFileSync(join(dir, 'out', 'index.html'), 'utf8')).not.toContain('.attachments')
  })
})

describe('-t selects experiments by their tests (real Vitest runs)', () => {
  const dir = makeProject('reports', 'e2e-select')

  test("-t on an assertion's name runs its experiment, and only that one", () => {
    const run = runVitune(dir, ['select.tune.ts', '-t', 'converges somewhere', '--reporter=verbose'])
    const output = plain(run.output)
    expect(run.code, output).toBe(0)
    expect(output).toContain('✓ select.tune.ts > selected climb > converges somewhere')
    expect(output).toContain('↓ select.tune.ts > selected climb > run (2 trials, PBT synchronous)')
    expect(output).toContain('[vitune] ✔ selected climb')
    expect(output).not.toContain('other climb:')
    expect(existsSync(join(dir, 'out', 'selected-climb', 'summary.json'))).toBe(true)
    expect(existsSync(join(dir, 'out', 'other-climb'))).toBe(false)
  })

  test('-t that selects nothing of a suite does not run its experiment', () => {
    const run = runVitune(dir, ['select.tune.ts', '-t', 'no test has this name'])
    const output = plain(run.output)
    expect(output).not.toContain('[vitune] …')
    expect(output).not.toContain('[vitune] ✔')
    expect(existsSync(join(dir, 'out', 'other-climb'))).toBe(false)
  })
})
