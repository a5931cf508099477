import type { Config } from '@vitune/dsl'
import type { ExploitEvent, Result, TrialStatus } from './types.js'

/** Typed events a run emits, for reporters and progress displays. */
export type TuneEvent =
  | {
      readonly type: 'experimentStart'
      readonly experiment: string
      readonly trials: number
      readonly metric: string | undefined
      readonly mode: 'min' | 'max' | undefined
    }
  | { readonly type: 'trialStart'; readonly trialId: string; readonly config: Config; readonly restoredFrom: number | undefined }
  | { readonly type: 'result'; readonly trialId: string; readonly result: Result }
  | { readonly type: 'exploit'; readonly event: ExploitEvent }
  | { readonly type: 'trialEnd'; readonly trialId: string; readonly status: TrialStatus }
  | { readonly type: 'trialError'; readonly trialId: string; readonly error: unknown; readonly willRetry: boolean }
  | { readonly type: 'experimentEnd'; readonly experiment: string }
  /** A run carried on from saved state; `results` were reported before the interruption. */
  | { readonly type: 'experimentResume'; readonly experiment: string; readonly results: number }
  /**
   * A trial's trainable has kept the run waiting: in its step (`phase: 'step'`) or while it closes
   * (`'close'`, its `finally` block). Sent every so often while it waits; `gaveUp` when the runner
   * stopped waiting for a closing trainable and went on without it.
   */
  | {
      readonly type: 'trialWaiting'
      readonly trialId: string
      readonly phase: 'step' | 'close'
      readonly waitedS: number
      /** The step timeout or the close grace, in seconds; undefined when the step has no limit. */
      readonly limitS: number | undefined
      readonly gaveUp: boolean
    }
  /** Every trial was stopped at once: by `.stopExperiment()` or the time budget. */
  | { readonly type: 'experimentStop'; readonly experiment: string; readonly reason: 'stopExperiment' | 'timeBudget' }
