import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { CHECKPOINT_DIR, DirectoryStorage, JOURNAL_FILE, LOCK_FILE, STATE_FILE } from '../src/node/index.js'
import { seal, unseal } from '../src/node/sealed-file.js'
import { clock, interrupt, scratchDirectories } from './helpers/interrupted-runs.js'
import { comparable, noisyQuadratic, type QuadraticCheckpoint } from './helpers/noisy-quadratic.js'

// Every file of a run is bound to that run (issue 13 item 12): a stray file, a journal or a
// checkpoint of another run, a lock that is a directory, or a state re-sealed around a scheduler
// state that is not this run's is a coded error naming the file, never a raw error or wrong results.
const scratch = scratchDirectories('binding')
/** Magic number and SHA-256 digest in front of a sealed file's payload (sealed-file.ts). */
const SEAL_HEADER = 4 + 32
const resume = (exp: Parameters<typeof run>[0], dir: string) => run(exp, { clock, storage: new DirectoryStorage(dir) })

/** The same experiment, with a trainable whose values differ slightly: its files have the same layout and sizes. */
function shifted(name: string) {
  return noisyQuadratic(name).train(async function* ({ config, checkpoint, random }) {
    const saved = checkpoint as QuadraticCheckpoint | undefined
    let [t0, t1] = saved?.theta ?? [0.8, 0.8]
    let step = saved === undefined ? 1 : saved.step + 1
    for (;;) {
      t0 += config.lr * -2 * config.h0 * t0 * 0.75 + 0.01 * (random() - 0.5)
      t1 += config.lr * -2 * config.h1 * t1 + 0.01 * (random() - 0.5)
      const metrics = { Q: 1.2 - (0.75 * t0 ** 2 + t1 ** 2), theta0: t0, theta1: t1, step }
      if (step % 4 === 0) yield withCheckpoint(metrics, { theta: [t0, t1], step } satisfies QuadraticCheckpoint)
      else yield metrics
      step++
    }
  })
}

/** Rewrites the state file around a changed snapshot, with a valid checksum: damage that a checksum cannot see. */
function reseal(dir: string, change: (snapshot: Record<string, unknown>) => void): void {
  const state = unseal(readFileSync(join(dir, STATE_FILE))) as { snapshot: Record<string, unknown> }
  change(state.snapshot)
  writeFileSync(join(dir, STATE_FILE), seal(state))
}

/**
 * A journal of the same size from another run: every record whole and sealed, the first one naming
 * another trial. (Made from this run's journal, not by a second run: two runs' journals differ in
 * size whenever V8 keeps a number as a double in one and as a small integer in the other, which
 * v8.serialize writes in more bytes, and that depends on which code V8 has optimised by then.)
 */
function otherRunsJournal(journal: Buffer): Buffer {
  const copy = Buffer.from(journal)
  const record = copy.subarray(4, 4 + copy.readUInt32LE(0))
  const payload = record.subarray(SEAL_HEADER)
  const trialNumber = payload.indexOf('_0000')
  expect(trialNumber).toBeGreaterThan(0)
  payload[trialNumber + 1] = '9'.charCodeAt(0)
  createHash('sha256')
    .update(payload)
    .digest()
    .copy(record, SEAL_HEADER - 32)
  expect(() => unseal(record)).not.toThrow()
  return copy
}

describe('every file of a run is bound to that run', () => {
  test('a stray file in checkpoints/ (.DS_Store) is ignored, not a raw ENOTDIR', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('stray'), dir, 30)
    writeFileSync(join(dir, CHECKPOINT_DIR, '.DS_Store'), 'finder')
    writeFileSync(join(dir, CHECKPOINT_DIR, 'notes.txt'), 'mine')
    const resumed = await resume(noisyQuadratic('stray'), dir)
    expect(comparable(resumed)).toBe(comparable(await run(noisyQuadratic('stray'), { clock })))
    expect(readFileSync(join(dir, CHECKPOINT_DIR, 'notes.txt'), 'utf8')).toBe('mine')
  })

  test('a results.journal of another run, of the same size, is VITUNE_STATE_CORRUPT naming the journal', async () => {
    const mine = scratch()
    await interrupt(noisyQuadratic('journal'), mine, 30)
    const journal = readFileSync(join(mine, JOURNAL_FILE))
    const other = otherRunsJournal(journal)
    expect(other.length).toBe(journal.length)
    writeFileSync(join(mine, JOURNAL_FILE), other)
    await expect(resume(noisyQuadratic('journal'), mine)).rejects.toMatchObject({
      code: 'VITUNE_STATE_CORRUPT',
      message: expect.stringContaining(JOURNAL_FILE),
    })
  })

  test('a checkpoint file of another run, same trial and number, is VITUNE_CHECKPOINT_CORRUPT', async () => {
    const [mine, other] = [scratch(), scratch()]
    await interrupt(noisyQuadratic('checkpoint'), mine, 30)
    await interrupt(shifted('checkpoint'), other, 30)
    for (const trial of readdirSync(join(mine, CHECKPOINT_DIR))) {
      for (const file of readdirSync(join(mine, CHECKPOINT_DIR, trial))) {
        copyFileSync(join(other, CHECKPOINT_DIR, trial, file), join(mine, CHECKPOINT_DIR, trial, file))
      }
    }
    await expect(resume(noisyQuadratic('checkpoint'), mine)).rejects.toMatchObject({
      code: 'VITUNE_CHECKPOINT_CORRUPT',
      message: expect.stringMatching(/another run/),
    })
  })

  test('a lock that is a directory is VITUNE_STATE_LOCKED naming it, not a raw EISDIR', async () => {
    const dir = scratch()
    mkdirSync(join(dir, LOCK_FILE))
    await expect(resume(noisyQuadratic('lock dir'), dir)).rejects.toMatchObject({
      code: 'VITUNE_STATE_LOCKED',
      message: expect.stringContaining('is a directory'),
    })
  })

  const scheduler = (s: Record<string, unknown>) => s.scheduler as Record<string, unknown>
  test.each<[string, (snapshot: Record<string, unknown>) => void]>([
    ['the scheduler state removed', (s) => void (s.scheduler = null)],
    ['an empty scheduler state', (s) => void (s.scheduler = {})],
    ['a barrier that is not a number', (s) => void (scheduler(s).nextPerturbationSync = 'soon')],
    ['a trial the run does not have', (s) => void ((scheduler(s).trials as unknown[][])[0] = ['ffff_00000', (scheduler(s).trials as unknown[][])[0]?.[1]])],
    [
      'a donor checkpoint the run never stored',
      (s) => {
        const entry = (scheduler(s).trials as [string, Record<string, unknown>][]).find(([, t]) => t.lastCheckpoint !== undefined)
        if (entry === undefined) throw new Error('no donor checkpoint in the saved state')
        entry[1].lastCheckpoint = { ...(entry[1].lastCheckpoint as object), id: 99_999 }
      },
    ],
    ['trials that are not a list', (s) => void (s.trials = { length: 4 })],
    ['an order that names other trials', (s) => void (s.order = ['a', 'b'])],
  ])('a state re-sealed with %s is VITUNE_STATE_CORRUPT naming the state file', async (_what, change) => {
    const dir = scratch()
    await interrupt(noisyQuadratic('resealed'), dir, 30)
    reseal(dir, change)
    await expect(resume(noisyQuadratic('resealed'), dir)).rejects.toMatchObject({
      code: 'VITUNE_STATE_CORRUPT',
      message: expect.stringContaining(dir),
    })
  })

  test('a state re-sealed around the scheduler state of another experiment is VITUNE_STATE_CORRUPT', async () => {
    const [mine, other] = [scratch(), scratch()]
    await interrupt(noisyQuadratic('mine'), mine, 30)
    await interrupt(noisyQuadratic('other'), other, 30)
    const foreign = (unseal(readFileSync(join(other, STATE_FILE))) as { snapshot: { scheduler: unknown } }).snapshot.scheduler
    reseal(mine, (s) => void (s.scheduler = foreign))
    await expect(resume(noisyQuadratic('mine'), mine)).rejects.toMatchObject({ code: 'VITUNE_STATE_CORRUPT' })
  })

  test('an untouched interrupted run still resumes to the uninterrupted results', async () => {
    const dir = scratch()
    await interrupt(noisyQuadratic('untouched'), dir, 45)
    expect(comparable(await resume(noisyQuadratic('untouched'), dir))).toBe(comparable(await run(noisyQuadratic('untouched'), { clock })))
  })
})
