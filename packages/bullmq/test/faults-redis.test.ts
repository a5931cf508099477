// Redis restarted mid-run (no persistence: every job, stream and checkpoint in it is gone): the
// driver notices (its heartbeat key vanished), submits its trials again from the resume points it
// holds, and the run ends with the fault-free results. Redis gone for good: the run stops with
// VITUNE_REDIS_UNAVAILABLE after redisTimeoutMs, never a hang.
import { InProcessExecutor, run } from '@vitune/runtime'
import { expect, test } from 'vitest'
import { slowPbt } from './fixtures/experiments.js'
import { clock, fingerprint } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'
import { useWorkerProcesses } from './helpers/worker-processes.js'

const fleet = useFleet()
const spawnWorker = useWorkerProcesses()

test('Redis restarted empty mid-run: lost jobs are submitted again and the results equal the fault-free run', async () => {
  const exp = slowPbt('redis restart', 30)
  const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
  const redis = fleet.redis()
  await spawnWorker(redis.url, 'one', ['--concurrency', '4'])
  await spawnWorker(redis.url, 'two', ['--concurrency', '4'])
  const executor = fleet.executor()
  let results = 0
  let restarted: Promise<void> | undefined
  const remote = await run(exp, {
    clock,
    executor,
    signal: executor.signal,
    onEvent: (event) => {
      if (event.type !== 'result' || ++results !== 20) return
      restarted = redis
        .kill()
        .then(() => new Promise((resolve) => setTimeout(resolve, 1000)))
        .then(() => redis.start())
    },
  })
  await restarted
  expect(fingerprint(remote)).toBe(local)
  expect(executor.stats().resubmitted).toBeGreaterThan(0)
}, 180_000)

test('Redis gone for good: the run stops with VITUNE_REDIS_UNAVAILABLE', async () => {
  const exp = slowPbt('redis gone', 30)
  const redis = fleet.redis()
  await spawnWorker(redis.url, 'three', ['--concurrency', '4'])
  const executor = fleet.executor({ redisTimeoutMs: 3000 })
  let results = 0
  let killed: Promise<void> | undefined
  const outcome = run(exp, {
    clock,
    executor,
    signal: executor.signal,
    onEvent: (event) => {
      if (event.type === 'result' && ++results === 10) killed = redis.kill()
    },
  })
  await expect(outcome).rejects.toMatchObject({ code: 'VITUNE_ABORTED', cause: { code: 'VITUNE_REDIS_UNAVAILABLE' } })
  await killed
  await redis.start()
}, 120_000)
