import type { TunedSchedule } from '@vitune/runtime'

/** How the worker runs a tune file: tune it (tune mode), or replay its tuned schedules (a plain run). */
export type ScheduleRunMode = 'tune' | 'replay'

/** A request from a tune-mode worker to write a schedule into its tune file; the main process writes it. */
export interface ScheduleWriteRequest {
  readonly experiment: string
  /** Absolute path of the tune file. */
  readonly file: string
  /** 1-based line and column of the `tune` call, from a stack frame of the run (source-mapped). */
  readonly line: number
  readonly column: number
  readonly schedule: TunedSchedule
  /** Whether a schedule was stored before (an update with -u) or not (a first write). */
  readonly replaces: boolean
}

declare module 'vitest' {
  interface TaskMeta {
    vituneScheduleWrite?: ScheduleWriteRequest
  }
  interface ProvidedContext {
    'vitune:run': ScheduleRunMode
  }
}
