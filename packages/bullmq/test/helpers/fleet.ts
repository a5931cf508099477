// A fleet for a test file: its own redis-server, workers in this process (with the module executor)
// or in child processes, and executors; everything stopped after the file, also when a test fails.
import { afterAll, beforeAll } from 'vitest'
import { type BullmqExecutor, type BullmqExecutorOptions, bullmqExecutor, startWorker, type VituneWorker, type WorkerOptions } from '../../src/index.js'
import { threadsAvailable } from './local-executor.js'
import { ModuleExecutor } from './module-executor.js'
import { type RedisServer, startRedisServer } from './redis-server.js'

/** Fast takeover for tests (reference: snapshots-and-distribution.md B2, 3-5 s). */
export const FAST_LOCKS = { lockDurationMs: 5000, stalledIntervalMs: 1000 } as const

/** Installing redis-server on a fresh machine takes a while; starting it takes milliseconds. */
const REDIS_SETUP_TIMEOUT_MS = 300_000

/** The file's Redis and what was started on it. */
export interface TestFleet {
  /** The file's redis-server (available from beforeAll on). */
  readonly redis: () => RedisServer
  /** A worker in this process (trials on worker threads, as in production); stopped after the file. */
  worker(options?: Partial<WorkerOptions>): Promise<VituneWorker>
  /** An executor on the file's Redis; shut down after the file. */
  executor(options?: Partial<BullmqExecutorOptions>): BullmqExecutor
}

/** Registers the file's Redis (started in beforeAll) and the cleanup of everything started on it. */
export function useFleet(): TestFleet {
  let server: RedisServer | undefined
  const workers: VituneWorker[] = []
  const executors: BullmqExecutor[] = []
  beforeAll(async () => {
    server = await startRedisServer()
  }, REDIS_SETUP_TIMEOUT_MS)
  afterAll(async () => {
    await Promise.allSettled(executors.map((e) => e.shutdown()))
    await Promise.allSettled(workers.map((w) => w.close()))
    await server?.stop()
  }, 60_000)
  const redis = () => {
    if (server === undefined) throw new Error('the test Redis is not started yet: use it from a test or a beforeAll')
    return server
  }
  return {
    redis,
    async worker(options = {}) {
      // Trials on worker threads, as in production, once the runtime has them.
      const local = threadsAvailable ? {} : { executor: new ModuleExecutor() }
      const worker = await startWorker({ redis: redis().url, ...local, concurrency: 4, ...FAST_LOCKS, ...options })
      workers.push(worker)
      await worker.ready
      return worker
    },
    executor(options = {}) {
      const executor = bullmqExecutor({ redis: redis().url, onNotice: () => undefined, ...options })
      executors.push(executor)
      return executor
    },
  }
}
