// A worker SIGKILLed mid-trial: BullMQ's stalled-job check hands its jobs to another worker, which
// resumes each trial from its last checkpoint and replays the reports since, unsent. Nothing is lost
// or counted twice: the results equal the in-process run's, byte for byte.
import { InProcessExecutor, run } from '@vitune/runtime'
import { expect, test } from 'vitest'
import { slowPbt } from './fixtures/experiments.js'
import { clock, fingerprint } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'
import { activeWorkers } from './helpers/queue-probe.js'
import { useWorkerProcesses } from './helpers/worker-processes.js'

const fleet = useFleet()
const spawnWorker = useWorkerProcesses()

test('a worker killed mid-trial: its trials continue on the other worker, with the fault-free results', async () => {
  const exp = slowPbt('worker killed', 40)
  const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
  const url = fleet.redis().url
  const workers = [await spawnWorker(url, 'alpha', ['--concurrency', '4']), await spawnWorker(url, 'beta', ['--concurrency', '4'])]
  const executor = fleet.executor()
  let results = 0
  let killed: Promise<unknown> | undefined
  const remote = await run(exp, {
    clock,
    executor,
    signal: executor.signal,
    onEvent: (event) => {
      if (event.type !== 'result' || ++results !== 20) return
      // Kill a worker that holds trials right now.
      killed = activeWorkers(url).then((held) => {
        const victim = workers.find((w) => (held.get(w.name) ?? 0) > 0)
        if (victim === undefined) throw new Error(`no worker holds a job: ${JSON.stringify([...held])}`)
        victim.kill('SIGKILL')
        return victim.exited
      })
    },
  })
  expect(await killed).toBe('SIGKILL')
  expect(fingerprint(remote)).toBe(local)
  expect(executor.stats().takeovers).toBeGreaterThan(0)
}, 180_000)
