import type { Config, Metrics } from '@vitune/dsl'

/** Where a trial is in its life, with Ray's names. */
export type TrialStatus = 'PENDING' | 'RUNNING' | 'PAUSED' | 'TERMINATED' | 'ERROR'

/** One reported result: the trainable's metrics plus the fields the runtime fills in. */
export type Result = Metrics & {
  /** Iteration counter: +1 per report, inherited from the donor on exploit, unless the trainable reports its own. */
  readonly trainingIteration: number
  /** Reports since the trial last (re)started from a checkpoint. */
  readonly iterationsSinceRestore: number
  /** Wall time of this step, in seconds. Not deterministic: excluded from reproducibility checks. */
  readonly timeThisIterS: number
  /** Wall time accumulated over the trial's history, inherited like `trainingIteration`. Not deterministic. */
  readonly timeTotalS: number
  /** The trial that reported it. */
  readonly trialId: string
  /** The trial's config when it reported this. */
  readonly config: Config
  /** Whether this report carried a checkpoint. */
  readonly checkpointed: boolean
}

/** Fields of a result that depend on wall time, not on the seed. */
export const WALL_TIME_FIELDS = ['timeThisIterS', 'timeTotalS'] as const

/** A stored checkpoint and the result it was reported with. */
export interface CheckpointRef {
  /** Unique within a run, increasing. */
  readonly id: number
  /** The trial that reported it. */
  readonly trialId: string
  /** `trainingIteration` of the report it came with. */
  readonly trainingIteration: number
  /** The result it was reported with. */
  readonly result: Result
}

/** What identifies a stored checkpoint: enough to find or delete it. */
export type CheckpointKey = Pick<CheckpointRef, 'id' | 'trialId'>

/** One exploit-and-explore step: who cloned whom, when, and what changed. */
export interface ExploitEvent {
  /** The trial that was overwritten. */
  readonly targetId: string
  /** The trial whose checkpoint it now starts from. */
  readonly donorId: string
  /** The scheduler's time (`timeAttr`) at the perturbation. */
  readonly time: number
  /** The target's `trainingIteration` before the exploit (Ray logs the target's previous result). */
  readonly targetIteration: number
  /** The donor's `trainingIteration`: where the target resumes from. */
  readonly donorIteration: number
  /** The target's config before. */
  readonly oldConfig: Config
  /** The donor's config, which explore started from. */
  readonly donorConfig: Config
  /** The explored config the target now runs with. */
  readonly newConfig: Config
  /** What explore did per mutated key: `resample`, `* 1.2`, `shift left`, ...; nested keys nest. */
  readonly operations: Readonly<Record<string, unknown>>
}

/** A line of Ray's policy log: target tag, donor tag, target iteration, donor iteration, donor config, new config. */
export type { PolicyRecord } from '@vitune/dsl'
