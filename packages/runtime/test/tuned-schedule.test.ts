// Tuned schedules: the best trial's lineage as a readable literal, replayed as one trial. For a
// deterministic trainable the replay reaches exactly what the tuned best trial reached.
import { experiment, grid, qloguniform, sampleFrom, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { replayDefinition, run, ScheduleError, scheduleOf, scheduleToPolicy, type TunedSchedule } from '../src/index.js'
import { policyChain } from '../src/schedulers/pbt-replay.js'
import { checkSchedule, describeScheduleDifference } from '../src/tuned/schedule.js'

/** The tutorial's toy quadratic: deterministic, a function of its config and checkpoint only. */
async function* quadratic({
  config,
  checkpoint,
}: {
  config: { lr: number; h0: number; h1: number }
  checkpoint: { theta: number[]; step: number } | undefined
}) {
  let [t0, t1] = (checkpoint?.theta ?? [0.9, 0.9]) as [number, number]
  for (let step = (checkpoint?.step ?? 0) + 1; ; step++) {
    t0 += config.lr * -2 * config.h0 * t0 * 0.75
    t1 += config.lr * -2 * config.h1 * t1
    const metrics = { Q: 1.2 - (0.75 * t0 ** 2 + t1 ** 2) }
    yield step % 4 === 0 ? withCheckpoint(metrics, { theta: [t0, t1], step }) : metrics
  }
}

function pbt(name = 'quadratic PBT', h0 = [0, 1, 0.01, 0.99]) {
  return experiment(name)
    .space({ lr: 0.05, h0: grid(h0), h1: sampleFrom((c: { h0: number }) => 1 - c.h0) })
    .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.5, resampleProbability: 0.5, synch: true })
    .metric('Q', 'max')
    .stop({ trainingIteration: 40 })
    .seed(3)
    .train(quadratic)
}

describe('tuned schedules', () => {
  test('the best PBT trial: its lineage as changes of only the keys that changed, and the replay reaches the same Q bit for bit', async () => {
    const experimentPbt = pbt()
    const tuned = await run(experimentPbt)
    const schedule = scheduleOf(tuned, experimentPbt.def)
    expect(schedule.changes.length).toBeGreaterThan(2)
    expect(schedule.reached).toEqual({ Q: tuned.best.metrics?.Q, trainingIteration: 40 })
    for (const change of schedule.changes) {
      expect(Object.keys(change.config).length).toBeLessThanOrEqual(3)
      expect(change.trainingIteration % 4).toBe(0)
    }
    const replay = await run(replayDefinition(experimentPbt.def, schedule))
    expect(replay.trials).toHaveLength(1)
    expect(replay.experiment).toBe('quadratic PBT (replay)')
    expect(replay.best.metrics?.Q).toBe(tuned.best.metrics?.Q)
    expect(replay.best.results).toHaveLength(40)
    // The replay's own config history is the tuned trial's schedule, step for step.
    expect(replay.best.configHistory.map((c) => c.trainingIteration)).toEqual([0, ...schedule.changes.map((c) => c.trainingIteration)])
  })

  test('the schedule converts to policy records that policyChain reads back to the same chain', async () => {
    const experimentPbt = pbt()
    const tuned = await run(experimentPbt)
    const schedule = scheduleOf(tuned, experimentPbt.def)
    const original = policyChain(tuned.best.policy)
    const back = policyChain(scheduleToPolicy(schedule))
    expect(back?.initialConfig).toEqual(original?.initialConfig)
    expect(back?.changes).toEqual(original?.changes)
  })

  test('a FIFO run: the best trial with no changes, replayed as one trial with its config', async () => {
    const search = experiment('quadratic grid')
      .space({ lr: grid([0.01, 0.05]), h0: 1, h1: 1 })
      .metric('Q', 'max')
      .stop({ trainingIteration: 12 })
      .seed(1)
      .train(quadratic)
    const tuned = await run(search)
    const schedule = scheduleOf(tuned, search.def)
    expect(schedule.changes).toEqual([])
    expect(schedule.initialConfig).toEqual({ lr: 0.05, h0: 1, h1: 1 })
    const replay = await run(replayDefinition(search.def, schedule))
    expect(replay.best.metrics?.Q).toBe(tuned.best.metrics?.Q)
  })

  test('checkSchedule: a changed space, a removed key and a broken literal are coded errors that say to re-tune', async () => {
    const experimentPbt = pbt()
    const schedule = scheduleOf(await run(experimentPbt), experimentPbt.def)
    expect(checkSchedule(schedule, experimentPbt.def)).toBe(schedule)
    // The seed, the number of samples, PBT's settings and the name are how the search ran, not what the schedule means.
    const searchedOtherwise = pbt('renamed').seed(9).samples(2).pbt({ perturbationInterval: 8, quantileFraction: 0.25, synch: false })
    expect(() => checkSchedule(schedule, searchedOtherwise.def)).not.toThrow()
    // Grid values are part of the space: they are where schedules may start.
    expect(() => checkSchedule(schedule, pbt('fewer', [0, 1]).def)).toThrow(/VITUNE_SCHEDULE_STALE.*space changed/)

    const moved = pbt().space({ lr: 0.05, h0: grid([0, 1]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0), extra: 2 })
    expect(() => checkSchedule(schedule, moved.def)).toThrow(/VITUNE_SCHEDULE_KEY.*`extra`, which its tuned schedule's initialConfig lacks/)
    const withGone: TunedSchedule = { ...schedule, initialConfig: { ...schedule.initialConfig, gone: 1 } }
    expect(() => checkSchedule(withGone, experimentPbt.def)).toThrow(/VITUNE_SCHEDULE_KEY.*sets `gone`, which the experiment no longer has/)

    const widened = pbt().mutate({ lr: qloguniform(5e-3, 2e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    expect(() => checkSchedule(schedule, widened.def)).toThrow(ScheduleError)
    expect(() => checkSchedule(schedule, widened.def)).toThrow(/VITUNE_SCHEDULE_STALE.*experiment's mutations changed.*vitune run -u/)
    const retrained = pbt().train(async function* ({ config }) {
      yield { Q: config.lr }
    })
    expect(() => checkSchedule(schedule, retrained.def)).toThrow(/VITUNE_SCHEDULE_STALE.*trainable changed/)
    const longer = pbt().stop({ trainingIteration: 80 })
    expect(() => checkSchedule(schedule, longer.def)).toThrow(/VITUNE_SCHEDULE_STALE.*stop changed/)

    expect(() => checkSchedule({ ...schedule, changes: 'none' }, experimentPbt.def)).toThrow(/VITUNE_SCHEDULE_INVALID.*no `changes` list/)
    expect(() => checkSchedule({ ...schedule, changes: [...schedule.changes].reverse() }, experimentPbt.def)).toThrow(/VITUNE_SCHEDULE_INVALID.*out of order/)
  })

  test('describeScheduleDifference names what differs, and nothing for equal schedules', async () => {
    const experimentPbt = pbt()
    const schedule = scheduleOf(await run(experimentPbt), experimentPbt.def)
    expect(describeScheduleDifference(schedule, structuredClone(schedule))).toBeUndefined()
    const other = scheduleOf(await run(pbt().seed(4)), pbt().seed(4).def)
    expect(describeScheduleDifference(schedule, other)).toMatch(/the seed is 4, the stored schedule was tuned with 3/)
  })
})

describe('definition fingerprint', () => {
  test("a trainable's comments, layout and Vite's import numbering do not change it; its code does", async () => {
    const { normalizeSource } = await import('../src/tuned/fingerprint.js')
    const a = 'async function* ({ config }) {\n\t// step size\n\tyield { Q: config.lr * __vite_ssr_import_1__.k };\n}'
    const b = 'async function* ({ config }) { /* renamed comment */ yield { Q: config.lr * __vite_ssr_import_3__.k }; }'
    const c = "async function* ({ config }) { yield { Q: config.lr * __vite_ssr_import_1__.k, url: '//not a comment' } }"
    expect(normalizeSource(a)).toBe(normalizeSource(b))
    expect(normalizeSource(c)).toContain("'//not a comment'")
    expect(normalizeSource(a)).not.toBe(normalizeSource(a.replace('config.lr', 'config.lr * 2')))
  })

  test('a module trainable: its export name counts, the checkout it lives in does not', async () => {
    const { trainableIdentity } = await import('../src/tuned/fingerprint.js')
    const fn = async function* () {
      yield { Q: 1 }
    }
    const here = trainableIdentity(fn, { url: 'file:///home/me/repo/src/train.ts', exportName: 'train' })
    expect(trainableIdentity(fn, { url: 'file:///ci/build/checkout/src/train.ts', exportName: 'train' })).toBe(here)
    expect(trainableIdentity(fn, { url: 'file:///home/me/repo/src/train.ts', exportName: 'trainFast' })).not.toBe(here)
    expect(trainableIdentity(fn)).not.toBe(here)
  })
})
