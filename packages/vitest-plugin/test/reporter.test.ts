import { describe, expect, test } from 'vitest'
import type { TestCase, Vitest } from 'vitest/node'
import type { ExperimentSummary, ProgressArtifact } from '../src/meta.js'
import { TuneReporter } from '../src/reporter.js'

function fakeVitest(reporters: unknown[] = [['default', {}]]) {
  const out: string[] = []
  const err: string[] = []
  const vitest = {
    logger: { outputStream: { write: (t: string) => out.push(t) }, errorStream: { write: (t: string) => err.push(t) } },
    config: { reporters, root: '/project' },
    onClose: () => undefined,
  }
  return { vitest: vitest as unknown as Vitest, out, err }
}

const summary = (experiment: string): ExperimentSummary => ({
  experiment,
  file: 'x.tune.ts',
  metric: 'score',
  mode: 'max',
  scheduler: 'fifo',
  schedulerLabel: 'FIFO',
  seed: 1,
  best: { scope: 'last', trialId: 'a_00000', tag: '0_x=1', label: '0_x=1', value: 3, trainingIteration: 3, config: { x: 1 } },
  bestEver: { scope: 'all', trialId: 'a_00000', tag: '0_x=1', label: '0_x=1', value: 3, trainingIteration: 3, config: { x: 1 } },
  noBest: undefined,
  stopReason: undefined,
  trials: [
    {
      trialId: 'a_00000',
      tag: '0_x=1',
      label: '0_x=1',
      status: 'TERMINATED',
      initialConfig: { x: 1 },
      finalConfig: { x: 1 },
      last: 3,
      best: 3,
      nonFinite: 0,
      lastNonFinite: false,
      iterations: 3,
      exploits: 0,
      failures: 0,
      error: undefined,
    },
  ],
  exploits: 0,
  durationMs: 10,
  artifactsDir: undefined,
})

const testCase = (s: ExperimentSummary) => ({ meta: () => ({ vitune: s }) }) as unknown as TestCase
const done: ProgressArtifact = {
  type: 'vitune:progress',
  experiment: 'first',
  iteration: 3,
  population: 1,
  running: 0,
  finished: 1,
  errored: 0,
  best: 3,
  metric: 'score',
  mode: 'max',
  exploits: 0,
  state: 'finished',
  stopReason: undefined,
  error: undefined,
  artifactsDir: undefined,
  resumable: false,
}

describe('TuneReporter', () => {
  test('prints progress and a table per experiment; a rerun in watch mode starts from scratch', async () => {
    const { vitest, out } = fakeVitest()
    const reporter = new TuneReporter({ tty: false })
    reporter.onInit(vitest)
    reporter.onTestRunStart()
    reporter.onTestCaseArtifactRecord(testCase(summary('first')), done)
    reporter.onTestCaseResult(testCase(summary('first')))
    await reporter.onTestRunEnd([], [], 'passed')
    const first = out.join('')
    expect(first).toContain('[vitune] ✔ first: iteration 3, 1/1 trials finished')
    expect(first).toContain('first: best score=3 (max, last result) by ★ a_00000 (0_x=1)')

    out.length = 0
    reporter.onWatcherRerun()
    reporter.onTestRunStart()
    reporter.onTestCaseArtifactRecord(testCase(summary('first')), done)
    reporter.onTestCaseResult(testCase(summary('second')))
    await reporter.onTestRunEnd([], [], 'passed')
    const second = out.join('')
    expect(second).toContain('[vitune] ✔ first')
    expect(second).toContain('second: best score=3')
    expect(second).not.toContain('first: best')
  })

  test('writes to stderr when a json reporter prints to stdout', async () => {
    const { vitest, out, err } = fakeVitest([['json', {}]])
    const reporter = new TuneReporter({ tty: false })
    reporter.onInit(vitest)
    reporter.onTestRunStart()
    reporter.onTestCaseResult(testCase(summary('first')))
    await reporter.onTestRunEnd([], [], 'passed')
    expect(out).toEqual([])
    expect(err.join('')).toContain('first: best score=3')
  })

  test('prints a notice at once, on its own line, below the progress', () => {
    const { vitest, out } = fakeVitest()
    const reporter = new TuneReporter({ tty: false })
    reporter.onInit(vitest)
    reporter.onTestRunStart()
    reporter.onTestCaseArtifactRecord(testCase(summary('first')), { type: 'vitune:notice', experiment: 'first', message: 'it has no .stop()' } as never)
    expect(out.join('')).toBe('[vitune] ⚠ first: it has no .stop()\n')
  })

  test('prints nothing when no experiment ran', async () => {
    const { vitest, out } = fakeVitest()
    const reporter = new TuneReporter({ tty: false })
    reporter.onInit(vitest)
    reporter.onTestRunStart()
    await reporter.onTestRunEnd([], [], 'passed')
    expect(out).toEqual([])
  })
})
