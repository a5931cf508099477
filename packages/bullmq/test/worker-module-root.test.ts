// Whoever can write to Redis names the module a worker imports: a worker imports only from below
// its module root (the folder it runs in by default), and says so through the trial's error.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { experiment } from '@vitune/dsl'
import { run } from '@vitune/runtime'
import { afterAll, expect, test } from 'vitest'
import { quadratic } from './fixtures/trainables.js'
import { clock } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'

const fleet = useFleet()
const elsewhere = mkdtempSync(join(tmpdir(), 'vitune-module-root-'))
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }))

test('a trainable outside the module root fails its trial with VITUNE_WORKER_MODULE', async () => {
  await fleet.worker({ moduleRoot: elsewhere })
  const exp = experiment('outside').space({ lr: 0.1, h0: 1, h1: 1 }).metric('Q', 'max').stop({ trainingIteration: 2 }).train(quadratic)
  const grid = await run(exp, { clock, executor: fleet.executor() })
  expect(grid.trials[0]?.status).toBe('ERROR')
  expect(grid.trials[0]?.error?.message).toContain('[VITUNE_WORKER_MODULE]')
  expect(grid.trials[0]?.error?.message).toContain(`outside its module root file://${elsewhere}/`)
})
