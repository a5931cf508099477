import { VituneError } from '@vitune/dsl'

/** Stable codes of errors raised by the distributed executor and `vitune worker`. */
export type FleetErrorCode =
  | 'VITUNE_REDIS_URL'
  | 'VITUNE_REDIS_UNAVAILABLE'
  | 'VITUNE_CHECKPOINT_TOO_LARGE'
  | 'VITUNE_CHECKPOINT_DIR'
  | 'VITUNE_TRAINABLE_NOT_MODULE'
  | 'VITUNE_WORKER_LOST'
  | 'VITUNE_TAKEOVER_DIVERGED'
  | 'VITUNE_EXECUTOR_CLOSED'
  | 'VITUNE_WORKER_OPTIONS'
  | 'VITUNE_WORKER_MODULE'

/** An error of the fleet: the message names the experiment and trial (or the setting) and says what to do. */
export class FleetError extends VituneError {
  declare readonly code: FleetErrorCode
  constructor(code: FleetErrorCode, message: string, options?: ErrorOptions) {
    super(code, `[${code}] ${message}`, options)
    this.name = 'FleetError'
  }
}
