// Checkpoints through Redis (inline when small, from the job's hash when large) with a size limit
// and a coded error past it; or through a shared folder, for states too big for Redis' memory.
import { readdirSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { experiment, grid } from '@vitune/dsl'
import { deriveStream, InProcessExecutor, run } from '@vitune/runtime'
import { afterAll, describe, expect, test } from 'vitest'
import { heavy, quadratic } from './fixtures/trainables.js'
import { clock, fingerprint } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'

const fleet = useFleet()
const folders: string[] = []
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true })
})

const heavyRun = (bytes: number) =>
  experiment(`heavy ${bytes}`)
    .space({ bytes: grid([bytes]) })
    .metric('step', 'max')
    .seed(1)
    .train(heavy)

describe('checkpoints on the fleet', () => {
  test('a checkpoint of 1 MiB goes through the job hash and arrives whole', async () => {
    await fleet.worker({ queue: 'big' })
    const grid = await run(heavyRun(1024 * 1024), { clock, executor: fleet.executor({ queue: 'big' }) })
    const trial = grid.trials[0]
    expect(trial?.status).toBe('TERMINATED')
    expect(trial?.results.map((r) => r.first)).toEqual([1, 2, 3])
  })

  test('past maxCheckpointBytes the trial fails with VITUNE_CHECKPOINT_TOO_LARGE, naming the trial and the fix', async () => {
    await fleet.worker({ queue: 'limit' })
    const grid = await run(heavyRun(200_000), { clock, executor: fleet.executor({ queue: 'limit', maxCheckpointBytes: 100_000 }) })
    const trial = grid.trials[0]
    expect(trial?.status).toBe('ERROR')
    expect(trial?.error?.message).toMatch(/\[VITUNE_CHECKPOINT_TOO_LARGE\] experiment "heavy 200000", trial .*: its checkpoint is 195\.\d KiB .* checkpointDir/)
  })

  test('a checkpoint the driver sends past the limit fails the trial the same way', async () => {
    const executor = fleet.executor({ queue: 'limit-start', maxCheckpointBytes: 1000 })
    const handle = executor.start({
      trialId: 'big_start',
      config: { lr: 0.1, h0: 1, h1: 0 },
      checkpoint: { theta: [0, 0], pad: new Float64Array(1000) },
      trainable: { fn: undefined, module: { url: new URL('./fixtures/trainables.ts', import.meta.url).href, exportName: 'quadratic' } },
      randomState: deriveStream(1, 'big_start').state(),
      signal: new AbortController().signal,
      where: 'experiment "x", trial big_start',
    })
    await expect(handle.next()).rejects.toMatchObject({ code: 'VITUNE_CHECKPOINT_TOO_LARGE' })
    await handle.close()
  })

  test('through a shared folder: same results as in-process, and the folder is emptied after the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vitune-shared-checkpoints-'))
    folders.push(dir)
    await fleet.worker({ queue: 'shared' })
    const exp = experiment('shared folder')
      .space({ lr: grid([0.01, 0.05]), h0: 1, h1: 1, checkpointEvery: 2 })
      .mutate({ lr: [0.01, 0.05, 0.1] })
      .pbt({ perturbationInterval: 4, quantileFraction: 0.5, synch: true })
      .metric('Q', 'max')
      .stop({ trainingIteration: 12 })
      .seed(5)
      .train(quadratic)
    const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
    const executor = fleet.executor({ queue: 'shared', checkpointDir: dir })
    expect(fingerprint(await run(exp, { clock, executor }))).toBe(local)
    await executor.shutdown()
    expect(readdirSync(dir)).toEqual([])
  })
})
