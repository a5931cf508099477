// Defaults and names in one place: the keys both sides use, and the timings of the protocol.
import { FleetError } from './errors.js'

/** BullMQ queue that drivers add trials to and `vitune worker` takes them from, unless told otherwise. */
export const DEFAULT_QUEUE = 'vitune'

/** Largest checkpoint that travels through Redis (bytes of its serialized form). */
export const DEFAULT_MAX_CHECKPOINT_BYTES = 32 * 1024 * 1024

/** Checkpoints up to this size also ride inside the report message, saving the driver a round trip. */
export const INLINE_CHECKPOINT_BYTES = 64 * 1024

/** The driver proves it is alive by refreshing a key this often... */
export const HEARTBEAT_EVERY_MS = 1000
/** ...that expires after this long: a worker drops the jobs of a driver it has not heard from for that long. */
export const HEARTBEAT_TTL_MS = 10_000

/** A run gives up on Redis (VITUNE_REDIS_UNAVAILABLE) after this long without an answer. */
export const DEFAULT_REDIS_TIMEOUT_MS = 30_000

/** The driver looks at the BullMQ job of a trial that has been quiet for this long (lost? failed? waiting?). */
export const QUIET_CHECK_MS = 2000

/** A trial left waiting this long with no worker connected gets a notice (then at most every 30 s). */
export const NO_WORKER_NOTICE_MS = 10_000

/** Every key of a run expires this long after its last write, so a run killed with its driver leaves nothing for good. */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000

/** How long one blocking read waits before the loop looks around (shutdown, a lost driver, a lost job). */
export const BLOCK_MS = 500

/**
 * A worker parks a trial idle this long while other trials wait for a worker (and it has no free
 * slot). Short: in the runner's lockstep rounds a trial that has answered waits for the rest of its
 * round, which cannot finish while other trials wait for its slot. Long enough that a free slot on
 * another worker takes a new job first (BullMQ wakes idle workers at once).
 */
export const DEFAULT_PARK_AFTER_MS = 100
/** A parked job waits (delayed) this long at most for the driver to pull it again. */
export const PARK_DELAY_MS = 7 * 24 * 60 * 60 * 1000

/** Worker defaults: a killed worker's trial is taken over after about lockDuration + 2 stalledInterval. */
export const DEFAULT_LOCK_DURATION_MS = 10_000
export const DEFAULT_STALLED_INTERVAL_MS = 2000
/** A trial whose workers die more often than this fails (VITUNE_WORKER_LOST): a trainable that kills its worker does not take the fleet down. */
export const DEFAULT_MAX_STALLED_COUNT = 2

/** Names of every Redis key of one queue (BullMQ's own keys are `<prefix>:<queue>:...`). */
export class FleetKeys {
  readonly #base: string
  constructor(prefix: string, queue: string) {
    this.#base = `${prefix}:${queue}:vitune`
  }
  /** The driver's heartbeat. */
  alive(runId: string): string {
    return `${this.#base}:run:${runId}:alive`
  }
  /** Stream of the workers' messages to the driver of a run. */
  out(runId: string): string {
    return `${this.#base}:run:${runId}:out`
  }
  /** Hash of one trial job: its spec, resume point (checkpoint, random state) and digests of what it sent. */
  job(jobId: string): string {
    return `${this.#base}:job:${jobId}`
  }
  /** Stream the drivers write to when they add or promote a job: it wakes idle jobs on the workers to make room. */
  wake(): string {
    return `${this.#base}:wake`
  }
  /** Stream of the driver's commands to one trial job (pull, close, abort). */
  commands(jobId: string): string {
    return `${this.#base}:job:${jobId}:cmd`
  }
}

/** Checks a Redis URL early, so a typo fails with the setting named rather than as a connection error later. */
export function checkRedisUrl(url: unknown, where: string): string {
  if (typeof url !== 'string' || !/^rediss?:\/\/[^/]/.test(url)) {
    throw new FleetError(
      'VITUNE_REDIS_URL',
      `${where}: ${JSON.stringify(url)} is not a Redis URL. Write redis://host:6379 (redis://:password@host:6379 with a password, rediss://... for TLS).`,
    )
  }
  return url
}

/** A Redis URL without its password, for messages. */
export function displayUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`)
}
