// The iris example trains on worker threads by default (its trainable is named by module); the
// results are the same as in the runner's own thread, bit for bit (wall time aside).
import { trainableModuleOf } from '@vitune/dsl'
import { InProcessExecutor, type ResultGrid, run, type TuneEvent, WALL_TIME_FIELDS } from '@vitune/runtime'
import { ThreadExecutor } from '@vitune/runtime/node'
import { afterAll, describe, expect, test } from 'vitest'
import { irisPbt, irisRandom } from '../src/experiments.js'

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

async function runWith(experiment: typeof irisPbt, executor?: ThreadExecutor | InProcessExecutor): Promise<string> {
  const events: TuneEvent[] = []
  const grid = await run(experiment, { ...(executor === undefined ? {} : { executor }), onEvent: (e) => events.push(e) })
  return comparable(grid as unknown as ResultGrid, events)
}

const twoThreads = new ThreadExecutor({ threads: 2 })
afterAll(() => twoThreads.shutdown())

describe('iris on worker threads', () => {
  test('the trainable is named by module and no .workers() is set: runs use one worker thread per core', () => {
    for (const { def } of [irisPbt, irisRandom]) {
      expect(trainableModuleOf(def.trainable)?.exportName).toBe('trainIris')
      expect(def.workers).toBeUndefined()
    }
  })

  for (const experiment of [irisPbt, irisRandom]) {
    test(`${experiment.name}: the same results on worker threads (the default, and two threads) as in this thread`, async () => {
      const here = await runWith(experiment, new InProcessExecutor())
      expect(await runWith(experiment)).toBe(here)
      expect(await runWith(experiment, twoThreads)).toBe(here)
    })
  }
})
