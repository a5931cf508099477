import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ExperimentDef, experiment, grid, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run, type TuneEvent } from '../src/index.js'
import { DirectoryStorage } from '../src/node/index.js'
import { clock, interrupt, scratchDirectories } from './helpers/interrupted-runs.js'
import { comparable, noisyQuadratic } from './helpers/noisy-quadratic.js'

const scratch = scratchDirectories('resume')

type Definition = { readonly def: ExperimentDef }

async function resume(exp: Definition, dir: string) {
  const events: TuneEvent[] = []
  const result = await run(exp.def, { clock, storage: new DirectoryStorage(dir), onEvent: (e) => events.push(e) })
  return { result, events }
}

/** Asynchronous PBT, 12 trials on 3 slots, random failures retried from checkpoints taken every 2 steps. */
function asyncFlaky(name: string) {
  return experiment(name)
    .space({ lr: grid([0.01, 0.02, 0.03, 0.04, 0.05, 0.06]), bias: uniform(0, 1) })
    .mutate({ lr: uniform(0.001, 0.1), bias: uniform(0, 1) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.25 })
    .metric('score', 'max')
    .stop({ trainingIteration: 24 })
    .samples(2)
    .concurrency(3)
    .failures({ maxFailures: -1 })
    .seed(21)
    .train(async function* ({ config, checkpoint, random }) {
      const saved = checkpoint as { score: number; step: number } | undefined
      let score = saved?.score ?? 0
      let step = (saved?.step ?? 0) + 1
      for (;;) {
        if (random() < 0.03) throw new Error(`injected failure at step ${step}`)
        score += config.lr * (1 + config.bias) + 0.01 * random()
        if (step % 2 === 0) yield withCheckpoint({ score }, { score, step })
        else yield { score }
        step++
      }
    })
}

describe('resume after an interruption gives the results of an uninterrupted run', () => {
  test.each([1, 5, 17, 30, 33, 64, 101, 150])('synchronous PBT interrupted after %i results', async (at) => {
    const uninterrupted = await run(noisyQuadratic('sync PBT resume'), { clock })
    const dir = scratch()
    await interrupt(noisyQuadratic('sync PBT resume'), dir, at)
    const { result, events } = await resume(noisyQuadratic('sync PBT resume'), dir)
    const resumedFrom = events.find((e) => e.type === 'experimentResume')
    expect(resumedFrom).toBeDefined()
    expect(comparable(result)).toBe(comparable(uninterrupted))
  })

  test.each([3, 40, 111, 200])('asynchronous PBT with concurrency 3 and random failures, interrupted after %i results', async (at) => {
    const uninterrupted = await run(asyncFlaky('async PBT resume'), { clock })
    expect(uninterrupted.trials.some((t) => t.numFailures > 0)).toBe(true)
    expect(uninterrupted.schedulerStats.perturbations).toBeGreaterThan(0)
    const dir = scratch()
    await interrupt(asyncFlaky('async PBT resume'), dir, at)
    const { result } = await resume(asyncFlaky('async PBT resume'), dir)
    expect(comparable(result)).toBe(comparable(uninterrupted))
  })

  test('interrupted twice, then resumed', async () => {
    const uninterrupted = await run(asyncFlaky('twice'), { clock })
    const dir = scratch()
    await interrupt(asyncFlaky('twice'), dir, 50)
    await interrupt(asyncFlaky('twice'), dir, 60)
    const { result, events } = await resume(asyncFlaky('twice'), dir)
    const resumed = events.find((e) => e.type === 'experimentResume')
    expect(resumed?.type === 'experimentResume' && resumed.results).toBeGreaterThan(100)
    expect(comparable(result)).toBe(comparable(uninterrupted))
  })

  test('a trainable that never checkpoints resumes from the last point every trial can restart from: its start', async () => {
    const plain = () =>
      experiment('no checkpoints')
        .space({ k: grid([1, 2, 3]) })
        .stop({ trainingIteration: 10 })
        .train(async function* ({ config, random }) {
          for (let v = 0; ; ) yield { v: (v += config.k * random()) }
        })
    const uninterrupted = await run(plain(), { clock })
    const dir = scratch()
    await interrupt(plain(), dir, 12)
    const { result, events } = await resume(plain(), dir)
    expect(events.find((e) => e.type === 'experimentResume')).toEqual({ type: 'experimentResume', experiment: 'no checkpoints', results: 0 })
    expect(comparable(result)).toBe(comparable(uninterrupted))
  })

  test('the time budget counts the time of every session', async () => {
    let now = 0
    const budgeted = () =>
      experiment('budget over sessions')
        .space({ k: grid([1, 2]) })
        .timeBudget(40)
        .train(async function* ({ config }) {
          for (let step = 1; ; step++) {
            now += 1
            yield withCheckpoint({ v: step * config.k }, step)
          }
        })
    const dir = scratch()
    const controller = new AbortController()
    let seen = 0
    await expect(
      run(budgeted(), {
        clock: () => now,
        storage: new DirectoryStorage(dir),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'result' && ++seen === 10) controller.abort('crash')
        },
      }),
    ).rejects.toMatchObject({ code: 'VITUNE_ABORTED' })
    // The clock jumps while the process is down; only time spent running counts.
    now += 1000
    const result = await run(budgeted(), { clock: () => now, storage: new DirectoryStorage(dir) })
    expect(result.trials.map((t) => t.results.length)).toEqual([20, 20])
  })
})

const child = fileURLToPath(new URL('./fixtures/resumable-child.mjs', import.meta.url))

/** Runs the child to completion (or until it freezes and is killed); resolves with its exit signal and code. */
function runChild(dir: string, output: string, freezeAfter?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const args = [child, dir, output, ...(freezeAfter === undefined ? [] : [String(freezeAfter)])]
  const proc: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr?.on('data', (chunk) => {
    stderr += String(chunk)
  })
  const poll =
    freezeAfter === undefined
      ? undefined
      : setInterval(() => {
          // The child froze right after its N-th result: kill it there, as a crash would.
          if (existsSync(`${output}.frozen`)) proc.kill('SIGKILL')
        }, 10)
  return new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      if (poll !== undefined) clearInterval(poll)
      resolve({ code, signal, stderr })
    })
  })
}

describe('a process killed with SIGKILL mid-run', () => {
  test('is resumed by running it again, with results byte-identical to an uninterrupted run', async () => {
    const dir = scratch()
    const uninterrupted = await runChild(join(dir, 'uninterrupted'), join(dir, 'uninterrupted.json'))
    expect(uninterrupted.stderr).toBe('')
    expect(uninterrupted.code).toBe(0)

    const killedFirst = await runChild(join(dir, 'killed'), join(dir, 'first.json'), 75)
    expect(killedFirst.signal).toBe('SIGKILL')
    expect(readFileSync(join(dir, 'first.json.frozen'), 'utf8')).toBe('75')
    expect(existsSync(join(dir, 'first.json'))).toBe(false)
    // Killed again, in the middle of the resumed run.
    const killedSecond = await runChild(join(dir, 'killed'), join(dir, 'second.json'), 50)
    expect(killedSecond.signal).toBe('SIGKILL')
    const resumed = await runChild(join(dir, 'killed'), join(dir, 'resumed.json'))
    expect(resumed.stderr).toBe('')
    expect(resumed.code).toBe(0)

    const expected = readFileSync(join(dir, 'uninterrupted.json'))
    const actual = readFileSync(join(dir, 'resumed.json'))
    const parsed = JSON.parse(expected.toString()) as { trials: { results: { trainingIteration: number }[]; failures: unknown[] }[]; lineage: unknown[] }
    // The run is long enough to matter: 4 trials to iteration 60, with exploits and injected failures.
    expect(parsed.trials.map((t) => t.results.at(-1)?.trainingIteration)).toEqual([60, 60, 60, 60])
    expect(parsed.lineage.length).toBeGreaterThan(0)
    expect(parsed.trials.flatMap((t) => t.failures).length).toBeGreaterThan(0)
    expect(actual.equals(expected)).toBe(true)
  })
})
