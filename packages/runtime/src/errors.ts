import { VituneError } from '@vitune/dsl'
import type { ResultGrid } from './result-grid.js'

/** Stable codes of errors raised while an experiment runs. */
export type RunErrorCode =
  | 'VITUNE_SAMPLE_FROM_CYCLE'
  | 'VITUNE_SAMPLE_FROM_FAILED'
  | 'VITUNE_MISSING_RESULT_KEY'
  | 'VITUNE_STOP_KEY_MISSING'
  | 'VITUNE_STOP_RESULT'
  | 'VITUNE_BAD_REPORT'
  | 'VITUNE_MIXED_REPORTING'
  | 'VITUNE_TRIAL_FAILED'
  | 'VITUNE_SCHEDULER_STALLED'
  | 'VITUNE_NO_BEST_TRIAL'
  | 'VITUNE_ABORTED'
  | 'VITUNE_CHECKPOINT_MISSING'
  | 'VITUNE_CHECKPOINT_CORRUPT'
  | 'VITUNE_STATE_CORRUPT'
  | 'VITUNE_STATE_MISSING'
  | 'VITUNE_STATE_MISMATCH'
  | 'VITUNE_STATE_LOCKED'
  | 'VITUNE_STATE_DIR'
  | 'VITUNE_REPLAY'
  | 'VITUNE_TRAINABLE_MISSING'
  | 'VITUNE_STEP_TIMEOUT'
  | 'VITUNE_REPORT_NOT_AWAITED'
  | 'VITUNE_TRAINABLE_IMPORT'
  | 'VITUNE_THREAD_LOST'
  | 'VITUNE_WORKERS'

/** An error raised while an experiment runs; the message names the experiment and trial. */
export class RunError extends VituneError {
  declare readonly code: RunErrorCode
  /**
   * What ran before the error ended the run (results, lineage, policy logs), when it ended a run
   * under way: reports and artifacts keep it, so nothing that ran is lost.
   */
  partial: ResultGrid | undefined
  constructor(code: RunErrorCode, message: string, options?: ErrorOptions) {
    super(code, `[${code}] ${message}`, options)
    this.name = 'RunError'
  }
}
