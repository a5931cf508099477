import { describe, expect, test, vi } from 'vitest'
import { InProcessExecutor } from '../src/executors/in-process.js'
import { derivedState, deriveStream } from '../src/random.js'
import { StartRequest } from '../src/start-request.js'
import { Trial } from '../src/trial.js'

const request = (trial: Trial, seed: number, fn: (ctx: { random: () => number }) => Iterable<unknown>) =>
  new StartRequest('e', trial, undefined, { fn: fn as never, module: undefined }, seed, new AbortController().signal)

const start = (trial: Trial, seed: number, fn: (ctx: { random: () => number }) => Iterable<unknown>) => new InProcessExecutor().start(request(trial, seed, fn))

describe("a trial's random stream", () => {
  test('is derived from the seed and the trial index when an executor reads it, not when the trial is made', () => {
    const trial = new Trial('t', 3, '3', {})
    expect(trial.randomState).toBeUndefined()
    const started = request(trial, 11, function* () {})
    expect(started.randomState).toEqual(derivedState(11, 'trial:3'))
    // Read once: the same object at every read.
    expect(started.randomState).toBe(started.randomState)
    expect(trial.snapshot(11).stream).toEqual(derivedState(11, 'trial:3'))
  })

  test('an in-process trainable that never draws derives no state and leaves nothing to keep', async () => {
    const idle = new Trial('idle', 0, '0', {})
    const derive = vi.spyOn(idle, 'streamStart')
    const handle = start(idle, 5, function* () {
      yield { v: 1 }
    })
    handle.nextSync?.()
    await handle.close()
    idle.streamClosed(handle)
    expect(derive).not.toHaveBeenCalled()
    expect(idle.randomState).toBeUndefined()
    // A snapshot still holds the state the seed gives.
    expect(idle.snapshot(5).stream).toEqual(derivedState(5, 'trial:0'))
  })

  test('one that draws is continued where it stopped', async () => {
    const drawing = new Trial('drawing', 1, '1', {})
    const first = start(drawing, 5, function* ({ random }) {
      for (;;) yield { v: random() }
    })
    first.nextSync?.()
    first.nextSync?.()
    await first.close()
    drawing.streamClosed(first)
    const expected = deriveStream(5, 'trial:1')
    expected.next()
    expected.next()
    expect(drawing.randomState).toEqual(expected.state())
    // The next start continues the same sequence.
    const second = start(drawing, 5, function* ({ random }) {
      yield { v: random() }
    })
    expect(second.nextSync?.()?.metrics.v).toBe(expected.next())
  })

  test('an executor that reads the state at start (threads, BullMQ) and whose trainable never draws changes nothing', async () => {
    const trial = new Trial('read', 2, '2', {})
    const started = request(trial, 9, function* () {})
    const state = started.randomState
    const handle = { next: async () => undefined, nextSync: undefined, close: async () => {}, randomState: () => state }
    trial.streamClosed(handle)
    expect(trial.randomState).toBeUndefined()
    expect(trial.snapshot(9).stream).toEqual(derivedState(9, 'trial:2'))
  })
})
