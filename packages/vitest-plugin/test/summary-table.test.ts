import { describe, expect, test } from 'vitest'
import type { ExperimentSummary, TrialSummary } from '../src/meta.js'
import { stdoutIsTaken } from '../src/reporter.js'
import { experimentTable } from '../src/summary-table.js'

const trial = (
  id: string,
  initial: Record<string, unknown>,
  final: Record<string, unknown>,
  last: number | undefined,
  exploits: number,
  status = 'TERMINATED',
  extra: Partial<TrialSummary> = {},
): TrialSummary => ({
  trialId: id,
  tag: `${id}-tag`,
  label: `${id}-label`,
  status,
  initialConfig: initial,
  finalConfig: final,
  last,
  best: last,
  nonFinite: 0,
  lastNonFinite: false,
  iterations: 10,
  exploits,
  failures: 0,
  error: undefined,
  ...extra,
})

const summary: ExperimentSummary = {
  experiment: 'demo',
  file: 'demo.tune.ts',
  metric: 'Q',
  mode: 'max',
  scheduler: 'pbt',
  schedulerLabel: 'PBT synchronous (perturbationInterval 4)',
  seed: 0,
  best: { scope: 'last', trialId: 't1', tag: 't1-tag', label: '1_h0=1', value: 1.2, trainingIteration: 10, config: {} },
  bestEver: { scope: 'all', trialId: 't0', tag: 't0-tag', label: '0_h0=0', value: 1.21, trainingIteration: 8, config: {} },
  noBest: undefined,
  stopReason: undefined,
  trials: [
    trial('t0', { lr: 0.05, h0: 0, n: 100 }, { lr: 0.0655, h0: 0.9082, n: 100 }, 1.19, 3, 'TERMINATED', { best: 1.21 }),
    trial('t1', { lr: 0.05, h0: 1, n: 100 }, { lr: 0.1, h0: 1, n: 100 }, 1.2, 2),
  ],
  exploits: 5,
  durationMs: 1234,
  artifactsDir: undefined,
}

describe('end-of-run table', () => {
  test('one row per trial: initial and final config (keys that vary), last and best-ever metric, exploits; the best trial starred', () => {
    const text = experimentTable(summary)
    expect(text.split('\n')[0]).toBe('demo: best Q=1.2 (max, last result) by ★ t1 (1_h0=1), 5 exploits, 1.23s, seed 0')
    expect(text.split('\n')[1]).toBe('  best ever: Q=1.21 by t0 at iteration 8')
    expect(text).toContain('same in every trial: n=100')
    expect(text).toContain('\n  scheduler: PBT synchronous (perturbationInterval 4)\n')
    expect(text).toMatch(/│ trial\s+│ initial config\s+│ final config\s+│ Q \(last result\) │ Q \(best ever\) │ exploits │/)
    expect(text).toMatch(/│ {3}t0 +│ lr=0\.05 h0=0 +│ lr=0\.0655 h0=0\.9082 │ 1\.19 +│ 1\.21 +│ 3 +│/)
    expect(text).toMatch(/│ ★ t1 +│ lr=0\.05 h0=1 +│ lr=0\.1 h0=1 +│ 1\.2 +│ 1\.2 +│ 2 +│/)
    expect(text).not.toContain('status')
    expect(text).not.toContain('stopped')
  })

  test('the best-ever line appears only when some trial peaked above its last result', () => {
    const same = { ...summary, bestEver: { ...(summary.best as NonNullable<ExperimentSummary['best']>), scope: 'all' as const } }
    expect(experimentTable(same)).not.toContain('best ever:')
  })

  test('a status column appears when a trial did not terminate normally', () => {
    const failed = { ...summary, trials: [...summary.trials, trial('t2', { lr: 0.05, h0: 2, n: 100 }, { lr: 0.05, h0: 2, n: 100 }, 0, 0, 'ERROR')] }
    expect(experimentTable(failed)).toMatch(/│ {3}t2 +│ ERROR +│/)
  })

  test('a run stopped all at once says what stopped it', () => {
    expect(experimentTable({ ...summary, stopReason: 'timeBudget' })).toContain(
      '  stopped: every trial was stopped at once by the time budget (.timeBudget()), not by .stop()',
    )
    expect(experimentTable({ ...summary, stopReason: 'stopExperiment' })).toContain('by .stopExperiment()')
  })

  test('NaN and "-" cells are explained below the table', () => {
    const nan = trial('t2', { lr: 0.05, h0: 2, n: 100 }, { lr: 0.05, h0: 2, n: 100 }, undefined, 0, 'TERMINATED', {
      best: undefined,
      nonFinite: 10,
      lastNonFinite: true,
    })
    const silent = trial('t3', { lr: 0.05, h0: 3, n: 100 }, { lr: 0.05, h0: 3, n: 100 }, undefined, 0, 'TERMINATED', { best: undefined })
    const text = experimentTable({ ...summary, trials: [...summary.trials, nan, silent] })
    expect(text).toMatch(/│ {3}t2 +│ lr=0\.05 h0=2 +│ lr=0\.05 h0=2 +│ NaN +│ - +│ 0 +│/)
    expect(text).toMatch(/│ {3}t3 +│ lr=0\.05 h0=3 +│ lr=0\.05 h0=3 +│ - +│ - +│ 0 +│/)
    expect(text).toContain("  NaN: the last result's Q was NaN or infinite; such values never rank a trial (t2: 10 of 10 results)")
    expect(text).toContain('  -: no finite Q in any result of the trial (t2: every value NaN or infinite; t3: no result has Q)')
  })

  test('without a best trial the headline says why', () => {
    const none = { ...summary, best: undefined, bestEver: undefined, noBest: 'no result has the metric `Q`; the trainable reported only `acc`.' }
    const lines = experimentTable(none).split('\n')
    expect(lines[0]).toBe('demo: no best trial, 5 exploits, 1.23s, seed 0')
    expect(lines[1]).toBe('  why: no result has the metric `Q`; the trainable reported only `acc`.')
  })

  test('huge metric values and small config values are readable', () => {
    const text = experimentTable({
      ...summary,
      trials: [trial('t0', { lr: 3.5e-5 }, { lr: 3.5e-5 }, 422141156576653800000, 0), trial('t1', { lr: 1e-4 }, { lr: 1e-4 }, 5.536541718894742e197, 0)],
    })
    expect(text).toContain('lr=3.5e-5')
    expect(text).toContain('4.22141e+20')
    expect(text).toContain('5.53654e+197')
    expect(text).not.toContain('422141156576653800000')
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
