// A step that never ends: the runner's step timeout fails the trial (VITUNE_STEP_TIMEOUT) and closes
// it without waiting; the close reaches the worker mid-step, which stops the trainable (its thread)
// and frees the slot for the next trial.
import { experiment, grid } from '@vitune/dsl'
import { run } from '@vitune/runtime'
import { expect, test } from 'vitest'
import { hanging } from './fixtures/trainables.js'
import { clock } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'
import { activeWorkers } from './helpers/queue-probe.js'

const fleet = useFleet()

test('a hung step times out on the driver and its worker slot is freed', async () => {
  await fleet.worker({ concurrency: 2, queue: 'hang' })
  const exp = experiment('hanging')
    .space({ hangAt: grid([3, 1000]) })
    .metric('step', 'max')
    .stop({ trainingIteration: 5 })
    .stepTimeout(2)
    .seed(1)
    .train(hanging)
  const grid_ = await run(exp, { clock, executor: fleet.executor({ queue: 'hang' }), onEvent: () => undefined })
  expect(grid_.trials.map((t) => t.status)).toEqual(['ERROR', 'TERMINATED'])
  expect(grid_.trials[0]?.error?.message).toContain('VITUNE_STEP_TIMEOUT')
  expect(grid_.trials[1]?.results).toHaveLength(5)
  // The hung trial's job ends too (its close reached the worker mid-step): no slot stays taken.
  for (const deadline = Date.now() + 60_000; (await activeWorkers(fleet.redis().url, 'hang')).size > 0; ) {
    if (Date.now() > deadline) throw new Error('the hung trial still holds its worker slot after 60 s')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
})
