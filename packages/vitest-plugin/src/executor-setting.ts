// Where a tune run's trials run, as the plugin's option and the environment say. Plain data: it
// crosses from the main process to the test workers through `provide`.

/** Settings of a fleet of `vitune worker` processes reached through BullMQ on Redis (@vitune/bullmq). */
export interface BullmqSetting {
  /** The Redis server the workers use: `redis://host:6379` (`rediss://` for TLS). `VITUNE_REDIS_URL` overrides it. */
  readonly redis: string
  /** The BullMQ queue the workers take trials from. Default `vitune`. */
  readonly queue?: string
  /** Largest checkpoint through Redis, in bytes. Default 32 MiB. */
  readonly maxCheckpointBytes?: number
  /** A folder every worker mounts at the same path: checkpoints go through files there instead of Redis. */
  readonly checkpointDir?: string
  /** Stop the run after this long without an answer from Redis, in ms. Default 30000. */
  readonly redisTimeoutMs?: number
}

/**
 * Where trials run: `'local'` (the runtime's choice: worker threads for a trainable named by module,
 * else this process), or `{ bullmq: {...} }` for a fleet of `vitune worker` processes.
 */
export type ExecutorSetting = 'local' | { readonly bullmq: BullmqSetting }

/**
 * The setting a run uses: `VITUNE_REDIS_URL` sends it to the fleet at that URL (with the other fleet
 * settings of the option, if any), so one tune file goes to the fleet without a config change.
 */
export function resolveExecutorSetting(option: ExecutorSetting | undefined, env: NodeJS.ProcessEnv = process.env): ExecutorSetting {
  const url = env.VITUNE_REDIS_URL
  if (url !== undefined && url !== '') return { bullmq: { ...(typeof option === 'object' ? option.bullmq : {}), redis: url } }
  return option ?? 'local'
}
