// `vitune worker --redis redis://host:6379`: the command the vitune bin hands over to.
import { parseArgs } from 'node:util'
import { FleetError } from './errors.js'
import { checkRedisUrl, DEFAULT_QUEUE } from './settings.js'
import { startWorker, type VituneWorker, type WorkerOptions } from './worker/start-worker.js'

/** Usage of `vitune worker`, for --help and mistakes. */
export const WORKER_USAGE = `Usage:
  $ vitune worker --redis redis://host:6379 [options]

Runs vitune trials for drivers (vitune runs with a BullMQ executor) that use the same Redis server
and queue. Trainables are imported by module, so the project must be at the same path as on the
driver, with its dependencies installed. SIGTERM or Ctrl-C hands the running trials back (they
continue on other workers from their last checkpoint); a second one exits at once.

Options:
  --redis <url>             Redis server (default: $VITUNE_REDIS_URL); redis://:password@host:6379,
                            rediss://... for TLS
  --queue <name>            BullMQ queue to take trials from (default: ${DEFAULT_QUEUE})
  --prefix <prefix>         BullMQ key prefix (default: bull)
  --concurrency <n>         trials at once (default: one per core)
  --threads <n>             worker threads they run on (default: one per trial slot; fewer for
                            trainables that mostly wait)
  --name <name>             this worker's name in messages (default: <host>:<pid>)
  --module-root <path>      import trainables only from below this folder (default: the current
                            folder; run the worker in the project)
  --checkpoint-dir <path>   where this machine mounts the drivers' shared checkpoint folder
  --lock-duration <ms>      BullMQ job lock (default: 10000)
  --stalled-interval <ms>   BullMQ stalled-job check (default: 2000); a killed worker's trials are
                            taken over after about lock-duration + 2 x stalled-interval
  --max-stalled <n>         worker losses a trial survives (default: 2)
  --park-after <ms>         an idle trial makes room after this long when others wait (default: 100)
  -h, --help                this text
`

/** Where `workerCommand` writes and what it reads; the process's by default. */
export interface VituneWorkerCommand {
  readonly env?: NodeJS.ProcessEnv
  readonly stdout?: (text: string) => void
  readonly stderr?: (text: string) => void
  /** Stop on SIGTERM and SIGINT (default true). */
  readonly signals?: boolean
  /** Options no flag sets (a local executor in tests). */
  readonly extra?: Partial<WorkerOptions>
  /** Called with the worker once it runs. */
  readonly onStart?: (worker: VituneWorker) => void
}

const whole = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!(Number.isInteger(n) && n > 0)) throw new FleetError('VITUNE_WORKER_OPTIONS', `vitune worker ${flag} ${value}: expected a positive whole number.`)
  return n
}

/** Parses `vitune worker`'s arguments into worker options; throws VITUNE_WORKER_OPTIONS on a mistake. */
export function parseWorkerArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): WorkerOptions | 'help' {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      options: {
        redis: { type: 'string' },
        queue: { type: 'string' },
        prefix: { type: 'string' },
        concurrency: { type: 'string' },
        threads: { type: 'string' },
        name: { type: 'string' },
        'checkpoint-dir': { type: 'string' },
        'lock-duration': { type: 'string' },
        'stalled-interval': { type: 'string' },
        'max-stalled': { type: 'string' },
        'park-after': { type: 'string' },
        'module-root': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    throw new FleetError('VITUNE_WORKER_OPTIONS', `vitune worker: ${error instanceof Error ? error.message : String(error)}. See vitune worker --help.`)
  }
  if (values.help === true) return 'help'
  const redis = (values.redis as string | undefined) ?? env.VITUNE_REDIS_URL
  if (redis === undefined || redis === '') {
    throw new FleetError(
      'VITUNE_WORKER_OPTIONS',
      'vitune worker needs the Redis server of the drivers: vitune worker --redis redis://host:6379 (or set VITUNE_REDIS_URL).',
    )
  }
  const str = (name: string) => values[name] as string | undefined
  const options: Record<string, unknown> = {
    redis: checkRedisUrl(redis, values.redis === undefined ? 'vitune worker (VITUNE_REDIS_URL)' : 'vitune worker --redis'),
    queue: str('queue'),
    prefix: str('prefix'),
    concurrency: whole(str('concurrency'), '--concurrency'),
    threads: whole(str('threads'), '--threads'),
    name: str('name'),
    checkpointDir: str('checkpoint-dir'),
    lockDurationMs: whole(str('lock-duration'), '--lock-duration'),
    stalledIntervalMs: whole(str('stalled-interval'), '--stalled-interval'),
    maxStalledCount: whole(str('max-stalled'), '--max-stalled'),
    parkAfterMs: whole(str('park-after'), '--park-after'),
    moduleRoot: str('module-root'),
  }
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key]
  return options as unknown as WorkerOptions
}

/**
 * Runs `vitune worker` with these arguments until it is stopped; resolves with the exit code
 * (0 after a clean stop, 2 for wrong arguments).
 */
export async function workerCommand(argv: readonly string[], io: VituneWorkerCommand = {}): Promise<number> {
  const stdout = io.stdout ?? ((text) => process.stdout.write(text))
  const stderr = io.stderr ?? ((text) => process.stderr.write(text))
  let options: WorkerOptions | 'help'
  try {
    options = parseWorkerArgs(argv, io.env ?? process.env)
  } catch (error) {
    stderr(`${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  }
  if (options === 'help') {
    stdout(WORKER_USAGE)
    return 0
  }
  // The same BullMQ error repeats every second while Redis is down: say it once until it changes.
  let last = ''
  const log = (line: string) => {
    if (line === last) return
    last = line
    stderr(`vitune worker: ${line}\n`)
  }
  let worker: VituneWorker
  try {
    worker = await startWorker({ ...options, ...io.extra, onLog: log })
    io.onStart?.(worker)
    await worker.ready
  } catch (error) {
    stderr(`vitune worker: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
  if (io.signals === false) return 0
  return new Promise<number>((resolve) => {
    let signalled = false
    const stop = (signal: NodeJS.Signals) => {
      if (signalled) {
        log(`${signal} again: exiting now; the running trials are taken over by other workers once their locks expire`)
        process.exit(1)
      }
      signalled = true
      log(`${signal}: handing back the running trials after their current report, then stopping (${signal} again exits at once)`)
      worker.close().then(
        () => resolve(0),
        (error: unknown) => {
          log(`stopping failed: ${error instanceof Error ? error.message : String(error)}`)
          resolve(1)
        },
      )
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
}
