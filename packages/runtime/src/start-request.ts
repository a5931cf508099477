import type { Config } from '@vitune/dsl'
import type { TrainableSource, TrialStart } from './executor.js'
import type { Trial } from './trial.js'

/** How messages name a trial: `experiment "x", trial y (tag)`. */
export function trialWhere(experiment: string, trialId: string, tag: string): string {
  return `experiment "${experiment}", trial ${trialId} (${tag})`
}

/**
 * The runner's `TrialStart`. Its `where` and `randomState` are built when read, not at every
 * start: the in-process executor reads `where` only for an error message and `randomState` only
 * at the trainable's first draw, and a run may start a million trials. It names the trial by the
 * tag it started with.
 */
export class StartRequest implements TrialStart {
  readonly #experiment: string
  readonly #tag: string
  readonly #trial: Trial
  readonly #seed: number
  #randomState: object | undefined
  readonly trialId: string
  readonly config: Config

  constructor(
    experiment: string,
    trial: Trial,
    readonly checkpoint: unknown,
    readonly trainable: TrainableSource,
    seed: number,
    readonly signal: AbortSignal,
  ) {
    this.#experiment = experiment
    this.#tag = trial.tag
    this.#trial = trial
    this.#seed = seed
    this.trialId = trial.id
    this.config = trial.config
  }

  get where(): string {
    return trialWhere(this.#experiment, this.trialId, this.#tag)
  }

  /** The trial's stream state at this start (`Trial.streamStart`), derived from the seed at the first read if it must be. */
  get randomState(): object {
    this.#randomState ??= this.#trial.streamStart(this.#seed)
    return this.#randomState
  }
}
