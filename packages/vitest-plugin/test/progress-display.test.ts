import { describe, expect, test } from 'vitest'
import type { ProgressArtifact } from '../src/meta.js'
import { interruptedLine, ProgressDisplay, progressLine } from '../src/progress-display.js'

const progress = (experiment: string, iteration: number, done = false, extra: Partial<ProgressArtifact> = {}): ProgressArtifact => ({
  type: 'vitune:progress',
  experiment,
  iteration,
  population: 4,
  running: done ? 0 : 4,
  finished: done ? 4 : 0,
  errored: 0,
  best: iteration / 10,
  metric: 'Q',
  mode: 'max',
  exploits: iteration,
  state: done ? 'finished' : 'running',
  stopReason: undefined,
  error: undefined,
  artifactsDir: undefined,
  resumable: false,
  ...extra,
})

function display(tty: boolean) {
  let now = 0
  const out: string[] = []
  const d = new ProgressDisplay({ write: (t) => out.push(t), tty, intervalMs: 1000, plainIntervalMs: 10_000, now: () => now })
  return { d, out, advance: (ms: number) => (now += ms) }
}

describe('progress in a terminal', () => {
  test('redraws one block in place, one line per experiment, at most once per interval', () => {
    const { d, out, advance } = display(true)
    d.update(progress('a', 1))
    d.update(progress('b', 1))
    expect(out).toEqual([`${progressLine(progress('a', 1))}\n`])
    advance(1000)
    d.update(progress('a', 5))
    expect(out[1]).toBe(`\x1b[1A\x1b[0J${progressLine(progress('a', 5))}\n${progressLine(progress('b', 1))}\n`)
    advance(10)
    d.update(progress('b', 8, true))
    // A finished experiment is drawn at once, whatever the throttle says; the block had two lines.
    expect(out[2]).toBe(`\x1b[2A\x1b[0J${progressLine(progress('a', 5))}\n${progressLine(progress('b', 8, true))}\n`)
  })

  test('after other output, starts a new block without the experiments already shown as finished', () => {
    const { d, out, advance } = display(true)
    d.update(progress('a', 1))
    d.update(progress('b', 9, true))
    d.interrupt()
    advance(1000)
    d.update(progress('a', 2))
    expect(out.at(-1)).toBe(`${progressLine(progress('a', 2))}\n`)
  })
})

describe('progress without a terminal', () => {
  test('prints plain lines: at start, then at most every plain interval, and once when done', () => {
    const { d, out, advance } = display(false)
    d.update(progress('a', 1))
    advance(5000)
    d.update(progress('a', 2))
    advance(5000)
    d.update(progress('a', 3))
    d.update(progress('a', 9, true))
    d.update(progress('a', 9, true))
    expect(out).toEqual([progressLine(progress('a', 1)), progressLine(progress('a', 3)), progressLine(progress('a', 9, true))].map((l) => `${l}\n`))
    expect(out.join('')).not.toContain('\x1b[')
  })

  test('reset forgets earlier runs, so a rerun in watch mode prints its first line again', () => {
    const { d, out } = display(false)
    d.update(progress('a', 9, true))
    d.reset()
    d.update(progress('a', 9, true))
    expect(out).toHaveLength(2)
  })
})

describe('each line says how the run stands, and the scope of its best value', () => {
  test('running and finished lines name the scope of "best": the best of the trials\' last results', () => {
    expect(progressLine(progress('a', 12))).toBe('[vitune] … a: iteration 12, 0/4 trials finished, 4 running, best Q=1.2 (last result), 12 exploits')
    expect(progressLine(progress('a', 40, true))).toBe('[vitune] ✔ a: iteration 40, 4/4 trials finished, best Q=4 (last result), 40 exploits')
    expect(progressLine(progress('a', 40, true, { finished: 3, errored: 1 }))).toContain('3/4 trials finished, 1 errored')
  })

  test('a run stopped by the time budget or stopExperiment says what stopped it, not "finished"', () => {
    const budget = progressLine(progress('a', 7, true, { state: 'stopped', stopReason: 'timeBudget' }))
    expect(budget).toBe('[vitune] ■ a: stopped by the time budget (.timeBudget()) at iteration 7, best Q=0.7 (last result), 7 exploits')
    expect(progressLine(progress('a', 7, true, { state: 'stopped', stopReason: 'stopExperiment' }))).toContain('stopped by .stopExperiment() at iteration 7')
    expect(budget).not.toContain('finished')
  })

  test('a failed run says so with its error, instead of leaving "0/4 trials finished, 4 running"', () => {
    const line = progressLine(progress('a', 1, false, { state: 'failed', error: '[VITUNE_MISSING_RESULT_KEY] no accuracy' }))
    expect(line).toBe('[vitune] ✘ a: failed at iteration 1, 0/4 trials finished: [VITUNE_MISSING_RESULT_KEY] no accuracy')
    expect(line).not.toContain('running')
  })

  test('huge values print in exponent form', () => {
    expect(progressLine(progress('a', 1, false, { best: 5.536541718894742e197 }))).toContain('best Q=5.53654e+197 (last result)')
  })
})

describe('an interrupted experiment', () => {
  test('says how far it got, where the artifacts of what ran are, and whether the next run resumes it', () => {
    const p = progress('a', 23, false, { state: 'interrupted', artifactsDir: `${process.cwd()}/results/a` })
    expect(interruptedLine(p)).toBe(
      'a: interrupted at iteration 23; artifacts of what ran in results/a/; it starts over next time; add .storage() to resume instead (docs/fault-tolerance.md)',
    )
    expect(interruptedLine({ ...p, resumable: true })).toContain('; run it again to resume where it stopped (it has .storage())')
    expect(progressLine(p)).toBe(`[vitune] ✘ ${interruptedLine(p)}`)
  })
})
