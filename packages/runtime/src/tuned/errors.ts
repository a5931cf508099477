import { VituneError } from '@vitune/dsl'

/** Stable codes of tuned-schedule errors: writing, checking and replaying a schedule snapshot. */
export type ScheduleErrorCode =
  | 'VITUNE_SCHEDULE_INVALID'
  | 'VITUNE_SCHEDULE_KEY'
  | 'VITUNE_SCHEDULE_STALE'
  | 'VITUNE_SCHEDULE_MISSING'
  | 'VITUNE_SCHEDULE_MISMATCH'
  | 'VITUNE_SCHEDULE_LOCATION'
  | 'VITUNE_SCHEDULE_VALUE'
  | 'VITUNE_REPLAY_DIVERGED'

/** A tuned schedule that cannot be written, trusted or replayed; the message names the experiment and says what to do. */
export class ScheduleError extends VituneError {
  declare readonly code: ScheduleErrorCode
  /** The experiment whose schedule it is. */
  readonly experiment: string
  constructor(code: ScheduleErrorCode, experiment: string, message: string, options?: ErrorOptions) {
    super(code, `[${code}] experiment "${experiment}": ${message}`, options)
    this.name = 'ScheduleError'
    this.experiment = experiment
  }
}
