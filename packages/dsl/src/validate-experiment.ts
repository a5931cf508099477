import type { ExperimentDef } from './definition.js'
import { failFor } from './validate.js'
import { validateMutationsAgainstSpace } from './validate-mutations.js'
import { validatePb2BoundsAgainstSpace } from './validate-schedulers.js'
import { validateShape, validateTrialCount } from './validate-shape.js'
import { checkWorkersTrainable } from './workers.js'

/** Checks what single builder steps cannot: the combination of steps. Called by the runtime before a run. */
export function validateExperiment(def: ExperimentDef): void {
  const fail = failFor(def.name)
  if (def.trainable === undefined)
    fail('VITUNE_NO_TRAINABLE', 'train', 'no trainable is given', 'Call .train(async function* ({ config }) { ... yield { ... } }) before running.')
  checkWorkersTrainable(fail, def.workers, def.trainable, def.trainableModule !== undefined)
  if (def.scheduler.kind === 'pbt') {
    if (def.metric === undefined || def.mode === undefined)
      fail('VITUNE_PBT_WITHOUT_METRIC', 'metric', 'PBT needs a metric and a mode to rank trials', 'Add .metric("Q", "max").')
    const hasMutations = def.mutations !== undefined && Object.keys(def.mutations).length > 0
    if (!hasMutations && def.scheduler.customExplore === undefined)
      fail('VITUNE_MUTATION_EMPTY', 'mutate', 'PBT has nothing to explore', 'Add .mutate({ lr: loguniform(1e-4, 1e-1) }) or pass customExplore to .pbt().')
  }
  // Definitions may be built by hand or parsed from JSON, not only by the builder: check their shape first.
  validateShape(fail, def.space, 'space')
  if (def.mutations !== undefined) validateShape(fail, def.mutations, 'mutate')
  const kind = def.scheduler.kind
  if ((kind === 'asha' || kind === 'hyperband' || kind === 'medianStopping' || kind === 'pb2') && (def.metric === undefined || def.mode === undefined)) {
    const name = { asha: 'ASHA', hyperband: 'HyperBand', medianStopping: 'The median stopping rule', pb2: 'PB2' }[kind]
    fail('VITUNE_SCHEDULER_WITHOUT_METRIC', 'metric', `${name} needs a metric and a mode to compare trials`, 'Add .metric("valLoss", "min").')
  }
  if (def.scheduler.kind === 'pb2') {
    if (def.mutations !== undefined && Object.keys(def.mutations).length > 0)
      fail(
        'VITUNE_PB2_WITH_MUTATIONS',
        'mutate',
        'PB2 explores the keys of its hyperparamBounds; .mutate() is for PBT and would be ignored',
        'Move the ranges into .pb2({ hyperparamBounds: { ... } }) and drop .mutate().',
      )
    validatePb2BoundsAgainstSpace(fail, def.space, def.scheduler.hyperparamBounds)
  }
  if (def.mutations !== undefined) validateMutationsAgainstSpace(fail, def.space, def.mutations, def.newMutationKeys)
  validateTrialCount(fail, def)
  if (def.failFast && def.maxFailures !== 0)
    fail('VITUNE_MAX_FAILURES', 'failures', 'failFast cannot be combined with retries (Ray rejects it too)', 'Set maxFailures to 0, or drop failFast.')
}
