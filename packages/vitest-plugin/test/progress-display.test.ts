import { describe, expect, test } from 'vitest'
import type { ProgressArtifact } from '../src/meta.js'
import { ProgressDisplay, progressLine } from '../src/progress-display.js'

const progress = (experiment: string, iteration: number, done = false): ProgressArtifact => ({
  type: 'vitune:progress',
  experiment,
  iteration,
  population: 4,
  running: done ? 0 : 4,
  finished: done ? 4 : 0,
  best: iteration / 10,
  metric: 'Q',
  exploits: iteration,
  done,
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
