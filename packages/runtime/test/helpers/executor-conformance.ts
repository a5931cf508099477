// One conformance suite every trial executor must pass (in-process, worker threads, BullMQ...): the
// runner relies on exactly this behaviour, wherever trials run.
import { type Config, trainableModuleOf } from '@vitune/dsl'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TrialExecutor, TrialHandle, TrialStart } from '../../src/executor.js'
import { deriveStream } from '../../src/random.js'
import type { Report } from '../../src/trainable.js'
import { counting, drawing, drawingThenFailing, failing, reporting, resuming, throwingAtStart, watchingSignal } from '../fixtures/conformance-trainables.js'

const trainables = { counting, drawing, drawingThenFailing, failing, reporting, resuming, throwingAtStart, watchingSignal }

type Fixture = keyof typeof trainables

/** What a conformance run needs to know about the executor under test. */
export interface ExecutorUnderTest {
  /** Creates the executor; called once for the suite. */
  readonly create: () => TrialExecutor | Promise<TrialExecutor>
}

let nextTrial = 0

function startOf(fixture: Fixture, config: Config, extra: Partial<TrialStart> = {}): TrialStart {
  const fn = trainables[fixture]
  const module = trainableModuleOf(fn)
  if (module === undefined) throw new Error(`fixture ${fixture} has no module`)
  const trialId = `conformance_${String(nextTrial++).padStart(5, '0')}`
  return {
    trialId,
    config,
    checkpoint: undefined,
    trainable: { fn: fn as never, module },
    randomState: deriveStream(1, trialId).state(),
    signal: new AbortController().signal,
    where: `experiment "conformance", trial ${trialId} (${fixture})`,
    ...extra,
  }
}

async function drain(handle: TrialHandle, max = 100): Promise<Report[]> {
  const reports: Report[] = []
  for (let i = 0; i < max; i++) {
    const report = await handle.next()
    if (report === undefined) return reports
    reports.push(report)
  }
  throw new Error(`the trainable gave more than ${max} reports`)
}

/** Registers the conformance suite for one executor. */
export function describeExecutorConformance(name: string, subject: ExecutorUnderTest): void {
  describe(`executor conformance: ${name}`, () => {
    let executor: TrialExecutor
    beforeAll(async () => {
      executor = await subject.create()
    })
    afterAll(async () => {
      await executor?.shutdown()
    })

    test('reports arrive in order with their metrics; next() gives undefined once the trainable returns', async () => {
      const handle = executor.start(startOf('counting', { n: 3 }))
      const reports = await drain(handle)
      expect(reports.map((r) => r.metrics)).toEqual([{ value: 1 }, { value: 2 }, { value: 3 }])
      expect(reports.every((r) => !r.hasCheckpoint)).toBe(true)
      expect(await handle.next()).toBeUndefined()
      await handle.close()
    })

    test('the config and the checkpoint reach the trainable, typed arrays intact; a reported checkpoint comes back whole', async () => {
      const first = executor.start(startOf('resuming', { a: 2 }))
      const [plain, withCheckpoint] = await drain(first)
      expect(plain?.metrics).toEqual({ sum: 2, restoredWeights: -1 })
      expect(withCheckpoint?.hasCheckpoint).toBe(true)
      const saved = withCheckpoint?.checkpoint as { base: number; weights: Float64Array }
      expect(saved.base).toBe(1)
      expect(saved.weights).toBeInstanceOf(Float64Array)
      expect(saved.weights.length).toBe(1000)
      expect(saved.weights[999]).toBe(1998)
      await first.close()
      const second = executor.start(startOf('resuming', { a: 5 }, { checkpoint: saved }))
      const report = await second.next()
      expect(report?.metrics).toEqual({ sum: 6, restoredWeights: (999 * 1000 * 2) / 2 })
      await second.close()
    })

    test('the random stream continues from the state given; randomState() follows the reports, and close() runs finally blocks', async () => {
      const start = startOf('drawing', {})
      const expected = deriveStream(0, '', start.randomState)
      const handle = executor.start(start)
      const draws: number[] = []
      for (let i = 0; i < 3; i++) draws.push((await handle.next())?.metrics.r as number)
      expect(draws).toEqual([expected.next(), expected.next(), expected.next()])
      expect(handle.randomState()).toEqual(expected.state())
      await handle.close()
      // The finally block drew once more while closing.
      expected.next()
      expect(handle.randomState()).toEqual(expected.state())
    })

    test("randomState() is the start state before any report, and after a failed step it includes that step's draws (a retry continues the stream from there)", async () => {
      const start = startOf('drawingThenFailing', { at: 3 })
      const expected = deriveStream(0, '', start.randomState)
      const handle = executor.start(start)
      expect(handle.randomState()).toEqual(expected.state())
      expect((await handle.next())?.metrics.r).toBe(expected.next())
      expect((await handle.next())?.metrics.r).toBe(expected.next())
      await expect(handle.next()).rejects.toThrow('failure after drawing at step 3')
      expected.next()
      expect(handle.randomState()).toEqual(expected.state())
      // The runner closes a failed trainable before it retries the trial: that settles, and draws nothing.
      await handle.close()
      expect(handle.randomState()).toEqual(expected.state())
    })

    test('a trainable waiting between reports (paused at a barrier, or exploited) closes, and its finally block runs', async () => {
      const start = startOf('drawing', {})
      const expected = deriveStream(0, '', start.randomState)
      const handle = executor.start(start)
      await handle.next()
      expected.next()
      await handle.close()
      expected.next()
      expect(handle.randomState()).toEqual(expected.state())
    })

    test('the Ray-style report() form delivers each report and ends', async () => {
      const handle = executor.start(startOf('reporting', {}))
      expect((await drain(handle)).map((r) => r.metrics.step)).toEqual([1, 2, 3])
      await handle.close()
    })

    test("the trainable's error rejects next() with its message; a thrown non-Error keeps its value", async () => {
      const failing = executor.start(startOf('failing', { at: 3 }))
      await failing.next()
      await failing.next()
      await expect(failing.next()).rejects.toThrow('failure at step 3')
      await failing.close().catch(() => undefined)
      const plain = executor.start(startOf('failing', { at: 1, plain: true }))
      await expect(plain.next()).rejects.toSatisfy((error: unknown) => String(error instanceof Error ? error.message : error).includes('plain failure at 1'))
      await plain.close().catch(() => undefined)
    })

    test('a trainable that throws before its first report fails through next(), not from start()', async () => {
      const handle = executor.start(startOf('throwingAtStart', { why: 'no data' }))
      await expect(handle.next()).rejects.toThrow('cannot start: no data')
      await handle.close().catch(() => undefined)
    })

    test('the abort signal reaches the trainable', async () => {
      const controller = new AbortController()
      const handle = executor.start(startOf('watchingSignal', {}, { signal: controller.signal }))
      expect((await handle.next())?.metrics.aborted).toBe(0)
      controller.abort(new Error('stop'))
      // Delivery may take a message round trip: the trainable sees it within a few reports.
      let seen = 0
      for (let i = 0; i < 50 && seen === 0; i++) seen = (await handle.next())?.metrics.aborted as number
      expect(seen).toBe(1)
      await handle.close()
    })

    test('many trials run side by side, each with its own config and stream', async () => {
      const handles = Array.from({ length: 6 }, (_, i) => executor.start(startOf('counting', { n: i + 1 })))
      const all = await Promise.all(handles.map((h) => drain(h)))
      expect(all.map((reports) => reports.length)).toEqual([1, 2, 3, 4, 5, 6])
      await Promise.all(handles.map((h) => h.close()))
    })

    test('close() is safe before the first pull, after the trainable returned, and twice', async () => {
      const unstarted = executor.start(startOf('counting', { n: 2 }))
      await unstarted.close()
      await unstarted.close()
      const finished = executor.start(startOf('counting', { n: 1 }))
      await drain(finished)
      await finished.close()
    })
  })
}
