import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { experiment, grid, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { MemoryCheckpointStore, run, type TuneEvent } from '../src/index.js'
import { CHECKPOINT_DIR, DirectoryStorage, experimentDirectory, JOURNAL_FILE, LOCK_FILE, runResumable, STATE_FILE } from '../src/node/index.js'
import { clock, interrupt, scratchDirectories } from './helpers/interrupted-runs.js'
import { comparable, noisyQuadratic } from './helpers/noisy-quadratic.js'

const scratch = scratchDirectories('persistence')

function checkpointFiles(dir: string): string[] {
  const root = join(dir, CHECKPOINT_DIR)
  if (!existsSync(root)) return []
  return readdirSync(root).flatMap((trial) => readdirSync(join(root, trial)).map((name) => join(root, trial, name)))
}

describe('the experiment directory', () => {
  test('holds the state file, the results journal and one file per checkpoint, with no temporary files left', async () => {
    const dir = scratch()
    await run(noisyQuadratic('layout'), { clock, storage: new DirectoryStorage(dir) })
    expect(readdirSync(dir).sort()).toEqual([CHECKPOINT_DIR, JOURNAL_FILE, STATE_FILE].sort())
    const files = checkpointFiles(dir)
    // 4 trials x 10 checkpoints (every 4th of 40 iterations), none deleted without retention.
    expect(files).toHaveLength(40)
    expect(files.every((f) => /checkpoint_\d{6}\.bin$/.test(f))).toBe(true)
  })

  test('a finished run in the directory is not resumed: running again starts a new run with the same results', async () => {
    const dir = scratch()
    const first = await run(noisyQuadratic('rerun'), { clock, storage: new DirectoryStorage(dir) })
    const events: TuneEvent[] = []
    const second = await run(noisyQuadratic('rerun'), { clock, storage: new DirectoryStorage(dir), onEvent: (e) => events.push(e) })
    expect(events.some((e) => e.type === 'experimentResume')).toBe(false)
    expect(comparable(second)).toBe(comparable(first))
  })

  test('resume: false discards an unfinished run and starts over', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('start over'), dir, 30)
    const events: TuneEvent[] = []
    await run(noisyQuadratic('start over'), { clock, storage: new DirectoryStorage(dir), resume: false, onEvent: (e) => events.push(e) })
    expect(events.filter((e) => e.type === 'result')).toHaveLength(160)
    expect(events.some((e) => e.type === 'experimentResume')).toBe(false)
  })

  test('an unfinished run of a changed definition is refused, naming the directory', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('changed'), dir, 30)
    const changed = noisyQuadratic('changed').seed(8)
    await expect(run(changed, { clock, storage: new DirectoryStorage(dir) })).rejects.toMatchObject({ code: 'VITUNE_STATE_MISMATCH' })
    await expect(run(changed, { clock, storage: new DirectoryStorage(dir) })).rejects.toThrow(dir)
  })

  test('a leftover temporary file from a write cut short is ignored and cleaned up', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('temporary files'), dir, 30)
    const someTrial = readdirSync(join(dir, CHECKPOINT_DIR))[0] as string
    const partial = join(dir, CHECKPOINT_DIR, someTrial, 'checkpoint_000099.bin.1234.tmp')
    writeFileSync(partial, 'half a checkpo')
    writeFileSync(join(dir, `${STATE_FILE}.1234.tmp`), 'half a state')
    const resumed = await run(noisyQuadratic('temporary files'), { clock, storage: new DirectoryStorage(dir) })
    expect(existsSync(partial)).toBe(false)
    expect(comparable(resumed)).toBe(comparable(await run(noisyQuadratic('temporary files'), { clock })))
  })
})

describe('runResumable', () => {
  test('keeps each experiment in .vitune/<slug of its name> under the project by default, or where .storage() says', () => {
    expect(experimentDirectory(noisyQuadratic('Toy quadratic, PBT: 4 trials').def, { cwd: '/project' })).toBe('/project/.vitune/toy-quadratic-pbt-4-trials')
    expect(experimentDirectory(noisyQuadratic('x').storage({ path: 'runs/x' }).def, { cwd: '/project' })).toBe('/project/runs/x')
    expect(experimentDirectory(noisyQuadratic('x').def, { cwd: '/project', directory: '/elsewhere' })).toBe('/elsewhere')
  })

  test('resumes an interrupted run found in the default directory', async () => {
    const cwd = scratch()
    const controller = new AbortController()
    let seen = 0
    await expect(
      runResumable(noisyQuadratic('resumable run'), {
        cwd,
        clock,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'result' && ++seen === 45) controller.abort('crash')
        },
      }),
    ).rejects.toMatchObject({ code: 'VITUNE_ABORTED' })
    expect(existsSync(join(cwd, '.vitune', 'resumable-run', STATE_FILE))).toBe(true)
    const events: TuneEvent[] = []
    const resumed = await runResumable(noisyQuadratic('resumable run'), { cwd, clock, onEvent: (e) => events.push(e) })
    expect(events.some((e) => e.type === 'experimentResume')).toBe(true)
    expect(comparable(resumed)).toBe(comparable(await run(noisyQuadratic('resumable run'), { clock })))
  })
})

describe('one run per directory', () => {
  test('a second run on a directory in use is refused, naming it; the claim is released when the first ends', async () => {
    const dir = scratch()
    let second: Promise<unknown> | undefined
    const first = run(noisyQuadratic('locked'), {
      clock,
      storage: new DirectoryStorage(dir),
      onEvent: (e) => {
        if (e.type === 'result' && second === undefined) {
          second = run(noisyQuadratic('locked'), { clock, storage: new DirectoryStorage(dir) })
          // Handled now: the first run yields to the event loop before the test awaits the second.
          second.catch(() => undefined)
        }
      },
    })
    await first
    await expect(second).rejects.toMatchObject({ code: 'VITUNE_STATE_LOCKED' })
    await expect(second).rejects.toThrow(`the experiment directory ${dir} is in use by another run (process ${process.pid})`)
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
  })

  test('a lock left by a process that died is taken over', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('stale lock'), dir, 30)
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number
    writeFileSync(join(dir, LOCK_FILE), `${dead} 00000000-dead`)
    const resumed = await run(noisyQuadratic('stale lock'), { clock, storage: new DirectoryStorage(dir) })
    expect(comparable(resumed)).toBe(comparable(await run(noisyQuadratic('stale lock'), { clock })))
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
  })
})

describe('corrupt or missing files are errors naming the file, never a silent fresh start', () => {
  // Only checkpoints the saved state still points to matter, so every file is damaged; the error names the one it hit.
  const anyCheckpoint = (dir: string) => new RegExp(`${join(dir, CHECKPOINT_DIR)}/\\w+/checkpoint_\\d{6}\\.bin`)

  test('a corrupted checkpoint file', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('corrupt checkpoint'), dir, 30)
    for (const file of checkpointFiles(dir)) {
      const bytes = readFileSync(file)
      bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0xff
      writeFileSync(file, bytes)
    }
    const resuming = run(noisyQuadratic('corrupt checkpoint'), { clock, storage: new DirectoryStorage(dir) })
    await expect(resuming).rejects.toMatchObject({ code: 'VITUNE_CHECKPOINT_CORRUPT' })
    await expect(resuming).rejects.toThrow(anyCheckpoint(dir))
    await expect(resuming).rejects.toThrow(/checksum does not match/)
  })

  test('a truncated checkpoint file', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('truncated checkpoint'), dir, 30)
    for (const file of checkpointFiles(dir)) writeFileSync(file, readFileSync(file).subarray(0, 10))
    const resuming = run(noisyQuadratic('truncated checkpoint'), { clock, storage: new DirectoryStorage(dir) })
    await expect(resuming).rejects.toMatchObject({ code: 'VITUNE_CHECKPOINT_CORRUPT' })
    await expect(resuming).rejects.toThrow(anyCheckpoint(dir))
    await expect(resuming).rejects.toThrow(/not a vitune file, or it is truncated/)
  })

  test('a missing checkpoint file', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('missing checkpoint'), dir, 30)
    for (const file of checkpointFiles(dir)) rmSync(file)
    const resuming = run(noisyQuadratic('missing checkpoint'), { clock, storage: new DirectoryStorage(dir) })
    await expect(resuming).rejects.toMatchObject({ code: 'VITUNE_CHECKPOINT_MISSING' })
    await expect(resuming).rejects.toThrow(anyCheckpoint(dir))
  })

  test('a corrupted state file', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('corrupt state'), dir, 30)
    const state = join(dir, STATE_FILE)
    const bytes = readFileSync(state)
    bytes[100] = (bytes[100] as number) ^ 0x01
    writeFileSync(state, bytes)
    const resuming = run(noisyQuadratic('corrupt state'), { clock, storage: new DirectoryStorage(dir) })
    await expect(resuming).rejects.toMatchObject({ code: 'VITUNE_STATE_CORRUPT' })
    await expect(resuming).rejects.toThrow(state)
  })

  test('a missing state file next to checkpoints', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('missing state'), dir, 30)
    rmSync(join(dir, STATE_FILE))
    const resuming = run(noisyQuadratic('missing state'), { clock, storage: new DirectoryStorage(dir) })
    await expect(resuming).rejects.toMatchObject({ code: 'VITUNE_STATE_MISSING' })
    await expect(resuming).rejects.toThrow(join(dir, STATE_FILE))
  })

  test('a truncated results journal', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('truncated journal'), dir, 30)
    const journal = join(dir, JOURNAL_FILE)
    writeFileSync(journal, readFileSync(journal).subarray(0, 500))
    const resuming = run(noisyQuadratic('truncated journal'), { clock, storage: new DirectoryStorage(dir) })
    await expect(resuming).rejects.toMatchObject({ code: 'VITUNE_STATE_CORRUPT' })
    await expect(resuming).rejects.toThrow(journal)
  })
})

/**
 * Asynchronous PBT over 8 trials that checkpoint every step: an upper-quantile trial keeps running
 * (and checkpointing) after its perturbation step, so donors hand out checkpoints older than their
 * newest, which keep-last-1 retention would delete (Ray's #9036).
 */
function donorsHandOutOldCheckpoints(name: string) {
  return experiment(name)
    .space({ lr: grid([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08]) })
    .mutate({ lr: uniform(0.001, 0.1) })
    .pbt({ perturbationInterval: 3, quantileFraction: 0.25 })
    .metric('score', 'max')
    .stop({ trainingIteration: 30 })
    .storage({ keepCheckpoints: 1 })
    .seed(9)
    .train(async function* ({ config, checkpoint, trialId }) {
      let score = (checkpoint as { score: number } | undefined)?.score ?? 0
      // Trials progress at different speeds, so a donor is often past its perturbation step.
      const stepsPerReport = 1 + (Number(trialId.slice(-1)) % 3)
      for (;;) {
        for (let i = 0; i < stepsPerReport; i++) score += config.lr
        yield withCheckpoint({ score }, { score })
      }
    })
}

describe('checkpoint retention', () => {
  test("testPermutationContinuation (Ray's #9036): keep-last-1 never deletes a checkpoint a donor still hands out", async () => {
    const dir = scratch()
    const events: TuneEvent[] = []
    const latest = new Map<string, number>()
    let staleDonations = 0
    const result = await run(donorsHandOutOldCheckpoints('retention, directory'), {
      clock,
      storage: new DirectoryStorage(dir),
      onEvent: (e) => {
        events.push(e)
        if (e.type === 'result') latest.set(e.trialId, e.result.trainingIteration)
        if (e.type === 'exploit' && e.event.donorIteration < (latest.get(e.event.donorId) ?? 0)) staleDonations++
      },
    })
    // The scenario matters only if donors handed out checkpoints older than their newest.
    expect(staleDonations).toBeGreaterThan(0)
    expect(result.trials.every((t) => t.status === 'TERMINATED')).toBe(true)
    const saved = result.trials.flatMap((t) => t.results).filter((r) => r.checkpointed).length
    const kept = checkpointFiles(dir).length
    expect(kept).toBeLessThan(saved / 4)
    // Retention changes nothing but disk use.
    const unlimited = await run(donorsHandOutOldCheckpoints('retention, directory').storage({ keepCheckpoints: 1000 }), { clock })
    expect(comparable(result)).toBe(comparable(unlimited))
  })

  test('retention applies to the memory store too, with the same protection', async () => {
    const store = new MemoryCheckpointStore()
    const result = await run(donorsHandOutOldCheckpoints('retention, memory'), { clock, checkpointStore: store })
    expect(result.trials.every((t) => t.status === 'TERMINATED')).toBe(true)
    // At the end each trial keeps its newest checkpoint, plus those donors still offer.
    expect(store.size).toBeLessThanOrEqual(16)
    expect(store.size).toBeGreaterThanOrEqual(8)
  })

  test('keepCheckpoints is validated', () => {
    expect(() => experiment('bad retention').storage({ keepCheckpoints: 0 })).toThrow(/storage.keepCheckpoints.*whole number >= 1/)
  })
})
