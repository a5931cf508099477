// A trainable whose state is not all in its checkpoint cannot be resumed on another worker: the
// replayed reports differ from the ones sent, and the trial fails with VITUNE_TAKEOVER_DIVERGED
// instead of silently continuing with different numbers.
import { experiment, grid } from '@vitune/dsl'
import { run } from '@vitune/runtime'
import { expect, test } from 'vitest'
import { forgetful } from './fixtures/trainables.js'
import { clock } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'

const fleet = useFleet()

test('a resumed trial whose replay differs fails with VITUNE_TAKEOVER_DIVERGED', async () => {
  // Two trials on one slot: each is parked while the other runs, and resumed from its checkpoint.
  await fleet.worker({ concurrency: 1, parkAfterMs: 1 })
  const exp = experiment('forgetful')
    .space({ id: grid([0, 1]), delayMs: 1 })
    .metric('step', 'max')
    .stop({ trainingIteration: 12 })
    .seed(1)
    .train(forgetful)
  const grid_ = await run(exp, { clock, executor: fleet.executor() })
  const errors = grid_.trials.map((t) => t.error?.message ?? '')
  expect(
    errors.some((m) => m.includes('[VITUNE_TAKEOVER_DIVERGED]')),
    errors.join('\n'),
  ).toBe(true)
})
