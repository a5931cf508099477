import { describe, expect, test } from 'vitest'
import { InProcessExecutor } from '../src/executors/in-process.js'
import { derivedState, deriveStream } from '../src/random.js'
import { Trial } from '../src/trial.js'

const start = (trial: Trial, seed: number, fn: (ctx: { random: () => number }) => Iterable<unknown>) =>
  new InProcessExecutor().start({
    trialId: trial.id,
    config: {},
    checkpoint: undefined,
    trainable: { fn: fn as never, module: undefined },
    randomState: trial.startStream(seed),
    signal: new AbortController().signal,
    where: `trial ${trial.id}`,
  })

describe("a trial's random stream", () => {
  test('is derived from the seed and the trial index when it first starts, not when the trial is made', () => {
    const trial = new Trial('t', 3, '3', {})
    expect(trial.randomState).toBeUndefined()
    expect(trial.startStream(11)).toEqual(derivedState(11, 'trial:3'))
    expect(trial.snapshot(11).stream).toEqual(derivedState(11, 'trial:3'))
  })

  test('a trainable that never draws leaves nothing to keep; one that draws is continued where it stopped', async () => {
    const idle = new Trial('idle', 0, '0', {})
    const handle = start(idle, 5, function* () {
      yield { v: 1 }
    })
    handle.nextSync?.()
    await handle.close()
    idle.streamClosed(handle.randomState())
    expect(idle.randomState).toBeUndefined()

    const drawing = new Trial('drawing', 1, '1', {})
    const first = start(drawing, 5, function* ({ random }) {
      for (;;) yield { v: random() }
    })
    first.nextSync?.()
    first.nextSync?.()
    await first.close()
    drawing.streamClosed(first.randomState())
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
})
