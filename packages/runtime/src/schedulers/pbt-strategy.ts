import type { Config, MutationSpecShape } from '@vitune/dsl'
import type { RandomStream } from '../random.js'
import { type Explored, type ExploreOptions, explore, fillMissing } from './pbt-explore.js'
import type { RunnerView, TrialView } from './types.js'

/**
 * PBT's explore step as a strategy, as Ray layers it: PB2 (`pb2.py`) keeps all of PBT and replaces
 * only how a new config is found (`_get_new_config`) and what is recorded when a trial is scored
 * (`_save_trial_state`). The random stream is PBT's, passed in, so every draw stays in one sequence.
 */
export interface ExploreStrategy {
  /** Completes a new trial's config before it first runs (keys to mutate that the space lacks); undefined keeps it. */
  fill(config: Config, stream: RandomStream): Config | undefined
  /** Called when PBT records a trial's score at a perturbation-eligible result (Ray's `_save_trial_state`). */
  scored(trial: TrialView, time: number, score: number): void
  /** The config `target` continues with after cloning `donor` (Ray's `_get_new_config`). */
  explore(runner: RunnerView, target: TrialView, donor: TrialView, stream: RandomStream): Explored
  /** The strategy's own state for a persisted experiment (structured-cloneable). */
  snapshot(): unknown
  /** Puts back what `snapshot()` returned. */
  restore(state: unknown): void
}

/** PBT's own explore: resample or perturb each mutated key of the donor's config (Ray's `_explore`). */
export class PerturbationExplore implements ExploreStrategy {
  readonly #mutations: MutationSpecShape
  readonly #options: ExploreOptions

  constructor(mutations: MutationSpecShape, options: ExploreOptions) {
    this.#mutations = mutations
    this.#options = options
  }

  fill(config: Config, stream: RandomStream): Config | undefined {
    return fillMissing(config, this.#mutations, stream)
  }

  scored(): void {}

  explore(_runner: RunnerView, _target: TrialView, donor: TrialView, stream: RandomStream): Explored {
    return explore(donor.config, this.#mutations, this.#options, stream)
  }

  snapshot(): undefined {
    return undefined
  }

  restore(): void {}
}
