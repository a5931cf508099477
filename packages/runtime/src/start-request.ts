import type { Config } from '@vitune/dsl'
import type { TrainableSource, TrialStart } from './executor.js'

/** How messages name a trial: `experiment "x", trial y (tag)`. */
export function trialWhere(experiment: string, trialId: string, tag: string): string {
  return `experiment "${experiment}", trial ${trialId} (${tag})`
}

/**
 * The runner's `TrialStart`. Its `where` is built when read, not at every start: the in-process
 * executor reads it only for an error message, and a run may start a million trials. It names the
 * trial by the tag it started with.
 */
export class StartRequest implements TrialStart {
  readonly #experiment: string
  readonly #tag: string

  constructor(
    experiment: string,
    tag: string,
    readonly trialId: string,
    readonly config: Config,
    readonly checkpoint: unknown,
    readonly trainable: TrainableSource,
    readonly randomState: object,
    readonly signal: AbortSignal,
  ) {
    this.#experiment = experiment
    this.#tag = tag
  }

  get where(): string {
    return trialWhere(this.#experiment, this.trialId, this.#tag)
  }
}
