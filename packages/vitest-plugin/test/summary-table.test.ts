import { describe, expect, test } from 'vitest'
import type { ExperimentSummary, TrialSummary } from '../src/meta.js'
import { stdoutIsTaken } from '../src/reporter.js'
import { experimentTable } from '../src/summary-table.js'

const trial = (
  id: string,
  initial: Record<string, unknown>,
  final: Record<string, unknown>,
  best: number,
  exploits: number,
  status = 'TERMINATED',
): TrialSummary => ({
  trialId: id,
  tag: `${id}-tag`,
  status,
  initialConfig: initial,
  finalConfig: final,
  last: best,
  best,
  iterations: 10,
  exploits,
  failures: 0,
  error: undefined,
})

const summary: ExperimentSummary = {
  experiment: 'demo',
  file: 'demo.tune.ts',
  metric: 'Q',
  mode: 'max',
  scheduler: 'pbt',
  seed: 0,
  best: { trialId: 't1', tag: 't1-tag', value: 1.2, config: {} },
  trials: [
    trial('t0', { lr: 0.05, h0: 0, n: 100 }, { lr: 0.0655, h0: 0.9082, n: 100 }, 1.19, 3),
    trial('t1', { lr: 0.05, h0: 1, n: 100 }, { lr: 0.1, h0: 1, n: 100 }, 1.2, 2),
  ],
  exploits: 5,
  durationMs: 1234,
  artifactsDir: undefined,
}

describe('end-of-run table', () => {
  test('one row per trial: initial and final config (keys that vary), best metric, exploits; the best trial starred', () => {
    const text = experimentTable(summary)
    expect(text.split('\n')[0]).toBe('demo: best Q=1.20000 (max) by t1 (t1-tag), 5 exploits, 1.23s, seed 0')
    expect(text).toContain('same in every trial: n=100')
    expect(text).toMatch(/│ trial\s+│ initial config\s+│ final config\s+│ best Q\s+│ exploits │/)
    expect(text).toMatch(/│ {3}t0 +│ lr=0\.05 h0=0 +│ lr=0\.0655 h0=0\.9082 │ 1\.19000 │ 3 +│/)
    expect(text).toMatch(/│ ★ t1 +│ lr=0\.05 h0=1 +│ lr=0\.1 h0=1 +│ 1\.20000 │ 2 +│/)
    expect(text).not.toContain('status')
  })

  test('a status column appears when a trial did not terminate normally', () => {
    const failed = { ...summary, trials: [...summary.trials, trial('t2', { lr: 0.05, h0: 2, n: 100 }, { lr: 0.05, h0: 2, n: 100 }, 0, 0, 'ERROR')] }
    expect(experimentTable(failed)).toMatch(/│ {3}t2 +│ ERROR +│/)
  })
})

describe('which stream the reporter writes to', () => {
  test('stdout belongs to a json, junit or tap reporter that has no output file', () => {
    expect(stdoutIsTaken({ reporters: [['default', {}]] })).toBe(false)
    expect(stdoutIsTaken({ reporters: [['json', {}]] })).toBe(true)
    expect(stdoutIsTaken({ reporters: [['json', {}]], outputFile: { json: 'out.json' } })).toBe(false)
    expect(stdoutIsTaken({ reporters: [['junit', { outputFile: 'j.xml' }]] })).toBe(false)
    expect(stdoutIsTaken({ reporters: [['junit', {}]], outputFile: 'all.xml' })).toBe(false)
    expect(stdoutIsTaken({ reporters: [['tap', {}]], outputFile: 'x' })).toBe(true)
  })
})
