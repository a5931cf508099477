// Workers that come late and go early: trials wait in the queue for the first worker, and a worker
// stopped with SIGTERM hands its trials back (each after its current report); they continue on
// another worker from their last checkpoint. The results equal the in-process run's.
import { InProcessExecutor, run } from '@vitune/runtime'
import { expect, test } from 'vitest'
import { slowPbt } from './fixtures/experiments.js'
import { clock, fingerprint } from './helpers/fingerprint.js'
import { useFleet } from './helpers/fleet.js'
import { activeWorkers, waitingJobs } from './helpers/queue-probe.js'
import { useWorkerProcesses } from './helpers/worker-processes.js'

const fleet = useFleet()
const spawnWorker = useWorkerProcesses()

const until = async (condition: () => Promise<boolean>, what: string): Promise<void> => {
  for (const deadline = Date.now() + 60_000; !(await condition()); ) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('a worker started after the run: the trials wait for it in the queue, and the driver says how to start one', async () => {
  const exp = slowPbt('late worker', 5, 16)
  const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
  const url = fleet.redis().url
  const notices: string[] = []
  const executor = fleet.executor({ queue: 'late', onNotice: (message) => notices.push(message) })
  // A listener, so the runtime does not print its "waiting for the step" notices for the wait that is the point here.
  const remote = run(exp, { clock, executor, signal: executor.signal, onEvent: () => undefined })
  await until(async () => (await waitingJobs(url, 'late')) === 4, 'the four trials to wait in the queue')
  // After 10 s without a worker the driver prints the command that starts one.
  await until(async () => notices.length > 0, 'the no-worker notice')
  expect(notices[0]).toContain(`no worker is connected to queue "late" on ${url}. Start one: npx vitune worker --redis ${url} --queue late`)
  await spawnWorker(url, 'late', ['--queue', 'late', '--concurrency', '4'])
  expect(fingerprint(await remote)).toBe(local)
}, 120_000)

test('a worker stopped with SIGTERM hands its trials back; another worker continues them', async () => {
  const exp = slowPbt('sigterm', 30)
  const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
  const url = fleet.redis().url
  const workers = [
    await spawnWorker(url, 'gamma', ['--queue', 'term', '--concurrency', '4']),
    await spawnWorker(url, 'delta', ['--queue', 'term', '--concurrency', '4']),
  ]
  const executor = fleet.executor({ queue: 'term' })
  let results = 0
  let stopped: Promise<{ code: number | NodeJS.Signals; output: string }> | undefined
  const remote = await run(exp, {
    clock,
    executor,
    signal: executor.signal,
    onEvent: (event) => {
      if (event.type !== 'result' || ++results !== 20) return
      stopped = activeWorkers(url, 'term').then(async (held) => {
        const victim = workers.find((w) => (held.get(w.name) ?? 0) > 0)
        if (victim === undefined) throw new Error(`no worker holds a job: ${JSON.stringify([...held])}`)
        victim.kill('SIGTERM')
        return { code: await victim.exited, output: victim.output() }
      })
    },
  })
  const { code, output } = await (stopped as NonNullable<typeof stopped>)
  expect(code, output).toBe(0)
  expect(output).toContain('handed back job')
  expect(fingerprint(remote)).toBe(local)
  expect(executor.stats().resumes).toBeGreaterThan(0)
  expect(executor.stats().takeovers).toBe(0)
}, 180_000)

test('the only worker stopped mid-run, a new one started later: the run finishes where it was', async () => {
  const exp = slowPbt('replaced worker', 10, 20)
  const local = fingerprint(await run(exp, { clock, executor: new InProcessExecutor() }))
  const url = fleet.redis().url
  const first = await spawnWorker(url, 'first', ['--queue', 'alone', '--concurrency', '4'])
  const executor = fleet.executor({ queue: 'alone' })
  let results = 0
  let replaced: Promise<unknown> | undefined
  const remote = await run(exp, {
    clock,
    executor,
    signal: executor.signal,
    onEvent: (event) => {
      if (event.type !== 'result' || ++results !== 30) return
      first.kill('SIGTERM')
      replaced = first.exited.then(() => spawnWorker(url, 'second', ['--queue', 'alone', '--concurrency', '4']))
    },
  })
  await replaced
  expect(await first.exited).toBe(0)
  expect(fingerprint(remote)).toBe(local)
}, 180_000)
