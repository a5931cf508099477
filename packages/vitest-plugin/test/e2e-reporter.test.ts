import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, test } from 'vitest'
import { makeProject, runVitune } from './helpers/project.js'

/** Output without ANSI colours. */
const plain = (text: string) => stripVTControlCharacters(text)

describe('the tune reporter and artifacts in a real Vitest run', () => {
  const dir = makeProject('basic', 'e2e-reporter')
  const run = runVitune(dir, ['passing.tune.ts'])
  const output = plain(run.output)
  const out = join(dir, 'out', 'fixture-climb')

  test('prints plain progress lines (not a terminal) and a table of the trials', () => {
    expect(run.code, output).toBe(0)
    expect(output).toMatch(/\[vitune\] … fixture climb: iteration \d+, 0\/2 trials finished/)
    expect(output).toMatch(/\[vitune\] ✔ fixture climb: iteration 30, 2\/2 trials finished, best score=-?[\d.e+-]+ \(last result\), \d+ exploits/)
    // Not a terminal: no cursor movement, only plain lines.
    expect(run.output).not.toContain('\u001b[0J')
    expect(output).toMatch(/│ trial\s+│ initial config\s+│ final config\s+│ score \(last result\) │ score \(best ever\) │ exploits │/)
    expect(output).toMatch(/│ ★ \w{5}_\d{5} │ lr=0\.\d+ +│ lr=0\.\d+ +│ -?[\d.e+-]+ +│ -?[\d.e+-]+ +│ \d+ +│/)
    expect(output).toContain('[vitune] artifacts of 1 experiment(s): open out/index.html in a browser')
    expect(output).toContain('[vitune]   fixture climb: out/fixture-climb/')
  })

  test('writes every artifact where the reporter says, each one parseable', () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      experiment: string
      files: string[]
      trials: { trialId: string; results: number }[]
    }
    expect(summary.experiment).toBe('fixture climb')
    for (const file of summary.files) expect(existsSync(join(out, file)), file).toBe(true)
    for (const trial of summary.trials) {
      const lines = readFileSync(join(out, 'trials', trial.trialId, 'result.json'), 'utf8')
        .trimEnd()
        .split('\n')
      expect(lines).toHaveLength(trial.results)
      expect(trial.results).toBeGreaterThan(0)
      const last = JSON.parse(lines.at(-1) as string) as Record<string, unknown>
      expect(last.training_iteration).toBe(30)
      expect(last.done).toBe(true)
    }
    expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\n')[0]).toContain('training_iteration')
    for (const line of readFileSync(join(out, 'pbt_global.txt'), 'utf8').trimEnd().split('\n')) expect(JSON.parse(line)).toHaveLength(6)
    const plots = readdirSync(join(out, 'plots'))
    expect(plots).toEqual(expect.arrayContaining(['metric.svg', 'metric.png', 'hyperparameters.png', 'lineage.png']))
    const png = readFileSync(join(out, 'plots', 'metric.png'))
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(readFileSync(join(dir, 'out', 'index.html'), 'utf8')).toContain('href="fixture-climb/index.html"')
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('src="plots/lineage.svg"')
  })

  test('works beside the default, verbose, json and junit reporters', () => {
    const beside = runVitune(dir, [
      'passing.tune.ts',
      '--reporter=default',
      '--reporter=verbose',
      '--reporter=json',
      '--reporter=junit',
      '--outputFile.json=out/report.json',
      '--outputFile.junit=out/junit.xml',
    ])
    const text = plain(beside.output)
    expect(beside.code, text).toBe(0)
    expect(text).toMatch(/✓ passing\.tune\.ts > fixture climb > run \(2 trials, PBT synchronous\)/)
    expect(text).toContain('fixture climb: best score=')
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { numPassedTests: number }
    expect(report.numPassedTests).toBeGreaterThan(0)
    expect(readFileSync(join(dir, 'out', 'junit.xml'), 'utf8')).toMatch(/<testsuites [^>]*tests="\d+" failures="0"/)
  })

  test('moves to stderr when the json reporter prints to stdout, so stdout stays valid JSON', () => {
    const json = runVitune(dir, ['passing.tune.ts', '--reporter=json'])
    expect(json.code, json.output).toBe(0)
    const parsed = JSON.parse(json.stdout) as { testResults: { assertionResults: { meta?: { vitune?: { experiment: string } } }[] }[] }
    const metas = parsed.testResults.flatMap((r) => r.assertionResults.map((a) => a.meta?.vitune?.experiment)).filter(Boolean)
    expect(metas).toEqual(['fixture climb'])
    expect(plain(json.stderr)).toContain('fixture climb: best score=')
  })
})
