// The tutorial gives the same results in the runner's thread, on one worker thread and on two:
// every result (wall time aside), config history, lineage and policy log, bit for bit. It runs
// in-process by default (.workers(0): its steps take microseconds); an executor passed to run()
// puts it on threads.
import { trainableModuleOf } from '@vitune/dsl'
import { InProcessExecutor, type ResultGrid, run, type TrialExecutor, type TuneEvent, WALL_TIME_FIELDS } from '@vitune/runtime'
import { ThreadExecutor } from '@vitune/runtime/node'
import { afterAll, describe, expect, test } from 'vitest'
import { gridSearch, pbt2, pbt4 } from '../src/experiments.js'

const withoutWallTime = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => !(WALL_TIME_FIELDS as readonly string[]).includes(k)))

/** Every result, config history, lineage and policy log of a run, and its events, without wall time. */
function comparable(grid: ResultGrid, events: readonly TuneEvent[]): string {
  return JSON.stringify({
    trials: grid.trials.map((t) => ({ ...t, results: t.results.map(withoutWallTime), metrics: t.metrics && withoutWallTime(t.metrics) })),
    lineage: grid.lineage,
    policy: grid.policyLog,
    stats: grid.schedulerStats,
    events: events.map((e) => (e.type === 'result' ? { ...e, result: withoutWallTime(e.result) } : e)),
  })
}

async function runOn(experiment: typeof pbt2, executor: TrialExecutor): Promise<string> {
  const events: TuneEvent[] = []
  const grid = await run(experiment, { executor, onEvent: (e) => events.push(e) })
  return comparable(grid as unknown as ResultGrid, events)
}

const inProcess = new InProcessExecutor()
const oneThread = new ThreadExecutor({ threads: 1 })
const twoThreads = new ThreadExecutor({ threads: 2 })
afterAll(() => Promise.all([oneThread.shutdown(), twoThreads.shutdown()]))

describe('the tutorial on worker threads', () => {
  test('its trainable is named by module; the experiments keep to the runner thread unless given an executor', () => {
    expect(trainableModuleOf(pbt2.def.trainable)?.exportName).toBe('trainQuadratic')
    for (const { def } of [pbt2, gridSearch, pbt4]) expect(def.workers).toEqual({ threads: 0 })
  })

  for (const experiment of [pbt2, gridSearch, pbt4]) {
    test(`${experiment.name}: the same results in this thread, on one thread and on two`, async () => {
      const here = await runOn(experiment, inProcess)
      expect(await runOn(experiment, oneThread)).toBe(here)
      expect(await runOn(experiment, twoThreads)).toBe(here)
    })
  }
})
