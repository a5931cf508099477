// Synchronous PBT on 1, 2 and 4 `vitune worker` processes (one slot each) gives the in-process
// results byte for byte: results, lineage and policy logs. With fewer slots than trials, idle
// trials are parked and resumed from their checkpoints; that changes nothing either.
import { InProcessExecutor, run } from '@vitune/runtime'
import { expect, test } from 'vitest'
import { slowPbt } from './fixtures/experiments.js'
import { clock, fingerprint } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'
import { useWorkerProcesses } from './helpers/worker-processes.js'

const fleet = useFleet()
const spawnWorker = useWorkerProcesses()

test('synchronous PBT on 1, 2 and 4 worker processes equals the in-process run', async () => {
  const exp = slowPbt('processes', 0, 12)
  const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
  const url = fleet.redis().url
  for (const count of [1, 2, 4]) {
    const queue = `processes-${count}`
    for (let i = 0; i < count; i++) await spawnWorker(url, `${queue}-${i}`, ['--queue', queue, '--concurrency', '1'])
    const executor = fleet.executor({ queue })
    expect(fingerprint(await run(exp, { clock, executor, signal: executor.signal })), `${count} worker process(es)`).toBe(local)
    await executor.shutdown()
  }
  expect(JSON.parse(local).lineage.length).toBeGreaterThan(0)
}, 300_000)
