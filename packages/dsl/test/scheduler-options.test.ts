// .asha(), .hyperband(), .medianStopping() and .pb2(): Ray's options in camelCase, resolved with
// Ray's defaults, and every bad value refused with a code naming the experiment and the key.
import { describe, expect, test } from 'vitest'
import { choice, type DefinitionErrorCode, ExperimentDefinitionError, experiment, randint, uniform, validateExperiment } from '../src/index.js'

const NAME = 'schedulers'
const e = () => experiment(NAME)
const bad = (value: unknown) => value as never
const trainable = async function* () {
  yield { loss: 1 }
}

interface BadInput {
  readonly input: string
  readonly code: DefinitionErrorCode
  readonly key: string
  readonly build: () => unknown
}
const rows = (code: DefinitionErrorCode, key: string, cases: Record<string, () => unknown>): BadInput[] =>
  Object.entries(cases).map(([input, build]) => ({ input, code, key, build }))

const asha = (o: unknown) => () => e().asha(bad(o))
const hyperband = (o: unknown) => () => e().hyperband(bad(o))
const median = (o: unknown) => () => e().medianStopping(bad(o))
const pb2 = (o: object) => () => e().pb2(bad({ perturbationInterval: 4, ...o }))

const cases: BadInput[] = [
  ...rows('VITUNE_MAX_T', 'asha.maxT', {
    '0': asha({ maxT: 0 }),
    NaN: asha({ maxT: Number.NaN }),
    'below the grace period': asha({ maxT: 5, gracePeriod: 10 }),
  }),
  ...rows('VITUNE_GRACE_PERIOD', 'asha.gracePeriod', { '0': asha({ gracePeriod: 0 }), '-1': asha({ gracePeriod: -1 }) }),
  ...rows('VITUNE_REDUCTION_FACTOR', 'asha.reductionFactor', { '1': asha({ reductionFactor: 1 }), '0.5': asha({ reductionFactor: 0.5 }) }),
  ...rows('VITUNE_BRACKETS', 'asha.brackets', { '0': asha({ brackets: 0 }), '1.5': asha({ brackets: 1.5 }) }),
  ...rows('VITUNE_ASHA_OPTION', 'asha.max_t', { "Ray's snake_case": asha({ max_t: 10 }) }),
  ...rows('VITUNE_ASHA_OPTION', 'asha.timeAttr', { '""': asha({ timeAttr: '' }) }),
  ...rows('VITUNE_ASHA_OPTION', 'asha.stopLastTrials', { '"no"': asha({ stopLastTrials: 'no' }) }),
  ...rows('VITUNE_ASHA_OPTION', 'asha', { null: asha(null) }),
  ...rows('VITUNE_MAX_T', 'hyperband.maxT', { '-81': hyperband({ maxT: -81 }), Infinity: hyperband({ maxT: Number.POSITIVE_INFINITY }) }),
  ...rows('VITUNE_REDUCTION_FACTOR', 'hyperband.reductionFactor', { "1 (Ray's OverflowError)": hyperband({ reductionFactor: 1 }) }),
  ...rows('VITUNE_HYPERBAND_OPTION', 'hyperband.eta', { 'an unknown option': hyperband({ eta: 3 }) }),
  ...rows('VITUNE_HYPERBAND_OPTION', 'hyperband.stopLastTrials', { '0': hyperband({ stopLastTrials: 0 }) }),
  ...rows('VITUNE_GRACE_PERIOD', 'medianStopping.gracePeriod', { '-1': median({ gracePeriod: -1 }) }),
  ...rows('VITUNE_MIN_SAMPLES', 'medianStopping.minSamplesRequired', { '0': median({ minSamplesRequired: 0 }), '2.5': median({ minSamplesRequired: 2.5 }) }),
  ...rows('VITUNE_MEDIAN_STOPPING_OPTION', 'medianStopping.min_samples_required', { "Ray's snake_case": median({ min_samples_required: 3 }) }),
  ...rows('VITUNE_MEDIAN_STOPPING_OPTION', 'medianStopping.minTimeSlice', { '-1': median({ minTimeSlice: -1 }) }),
  ...rows('VITUNE_MEDIAN_STOPPING_OPTION', 'medianStopping.hardStop', { '"yes"': median({ hardStop: 'yes' }) }),
  ...rows('VITUNE_PB2_BOUNDS', 'pb2.hyperparamBounds', { missing: pb2({}), '{}': pb2({ hyperparamBounds: {} }), '[]': pb2({ hyperparamBounds: [] }) }),
  ...rows('VITUNE_PB2_BOUNDS', 'pb2.hyperparamBounds.b.c', {
    // test_pb2_hyperparam_bounds_validation
    '[2, 4, 6]': pb2({ hyperparamBounds: { a: [1, 2], b: { c: [2, 4, 6] } } }),
    '[4, 2]': pb2({ hyperparamBounds: { a: [1, 2], b: { c: [4, 2] } } }),
    'uniform(2, 4) (ray#20923)': pb2({ hyperparamBounds: { b: { c: uniform(2, 4) } } }),
    '[2, NaN]': pb2({ hyperparamBounds: { b: { c: [2, Number.NaN] } } }),
    '"2..4"': pb2({ hyperparamBounds: { b: { c: '2..4' } } }),
  }),
  ...rows('VITUNE_PB2_BOUNDS', 'pb2.hyperparamBounds.a/b', { 'a key with /': pb2({ hyperparamBounds: { 'a/b': [0, 1] } }) }),
  ...rows('VITUNE_PB2_BOUNDS', 'pb2.hyperparamBounds.optimizer', {
    'a string in the space': () =>
      e()
        .space({ optimizer: 'adam' })
        .pb2(bad({ perturbationInterval: 4, hyperparamBounds: { optimizer: [0, 1] } })),
    'a choice of strings, before the space is known': () =>
      validateExperiment(
        e()
          .pb2(bad({ perturbationInterval: 4, hyperparamBounds: { optimizer: [0, 1] } }))
          .space({ optimizer: choice(['adam', 'sgd']) })
          .metric('loss', 'min')
          .train(trainable).def,
      ),
  }),
  ...rows('VITUNE_PERTURBATION_INTERVAL', 'pb2.perturbationInterval', {
    '0': pb2({ perturbationInterval: 0, hyperparamBounds: { lr: [0, 1] } }),
    // The same rule as .pbt(): PB2 runs PBT's scheduler, so the interval is checked alike.
    '2.5 on trainingIteration': pb2({ perturbationInterval: 2.5, hyperparamBounds: { lr: [0, 1] } }),
  }),
  ...rows('VITUNE_QUANTILE_FRACTION', 'pb2.quantileFraction', { '0.75': pb2({ quantileFraction: 0.75, hyperparamBounds: { lr: [0, 1] } }) }),
  ...rows('VITUNE_PB2_OPTION', 'pb2.hyperparam_bounds', { "Ray's snake_case": pb2({ hyperparam_bounds: { lr: [0, 1] }, hyperparamBounds: { lr: [0, 1] } }) }),
  ...rows('VITUNE_PB2_OPTION', 'pb2.synch', { '"true"': pb2({ synch: 'true', hyperparamBounds: { lr: [0, 1] } }) }),
  ...rows('VITUNE_PB2_WITH_MUTATIONS', 'mutate', {
    'pb2() and mutate()': () =>
      validateExperiment(
        e()
          .space({ lr: 0.1 })
          .mutate({ lr: uniform(0, 1) })
          .pb2({ perturbationInterval: 4, hyperparamBounds: { lr: [0, 1] } })
          .metric('loss', 'min')
          .train(trainable).def,
      ),
  }),
  ...rows('VITUNE_SCHEDULER_WITHOUT_METRIC', 'metric', {
    'asha() without metric()': () => validateExperiment(e().asha().train(trainable).def),
    'hyperband() without metric()': () => validateExperiment(e().hyperband().train(trainable).def),
    'medianStopping() without metric()': () => validateExperiment(e().medianStopping().train(trainable).def),
    'pb2() without metric()': () =>
      validateExperiment(
        e()
          .pb2({ perturbationInterval: 4, hyperparamBounds: { lr: [0, 1] } })
          .train(trainable).def,
      ),
  }),
]

describe('scheduler options: every bad input raises its code, naming the experiment and the key', () => {
  test.each(cases)('$code at $key: $input', ({ code, key, build }) => {
    let caught: unknown
    try {
      build()
    } catch (error) {
      caught = error
    }
    expect(caught, 'the input was accepted').toBeInstanceOf(ExperimentDefinitionError)
    const error = caught as ExperimentDefinitionError
    expect([error.code, error.experiment, error.key]).toEqual([code, NAME, key])
    expect(error.message).toContain(`\`${key}\``)
    expect(error.message.split(': ').slice(1).join(': ')).toMatch(/\S.*\. \S.*[.)]$/)
  })
})

describe('scheduler options: resolved with Ray defaults, as plain data', () => {
  test("asha() takes Ray's defaults (ASHAScheduler)", () => {
    expect(e().asha().def.scheduler).toEqual({
      kind: 'asha',
      timeAttr: 'trainingIteration',
      maxT: 100,
      gracePeriod: 1,
      reductionFactor: 4,
      brackets: 1,
      stopLastTrials: true,
    })
    expect(e().asha({ maxT: 40, gracePeriod: 4, reductionFactor: 3 }).def.scheduler).toMatchObject({ maxT: 40, gracePeriod: 4, reductionFactor: 3 })
  })

  test("hyperband() takes Ray's defaults (HyperBandScheduler)", () => {
    expect(e().hyperband().def.scheduler).toEqual({ kind: 'hyperband', timeAttr: 'trainingIteration', maxT: 81, reductionFactor: 3, stopLastTrials: true })
  })

  test("medianStopping() takes Ray's defaults, with time in iterations", () => {
    expect(e().medianStopping().def.scheduler).toEqual({
      kind: 'medianStopping',
      timeAttr: 'trainingIteration',
      gracePeriod: 60,
      minSamplesRequired: 3,
      minTimeSlice: 0,
      hardStop: true,
    })
  })

  test('pb2() keeps its bounds as plain data, copied from what was passed', () => {
    const bounds = { lr: [0.005, 0.1] as const, model: { dropout: [0, 0.5] as const } }
    const x = e()
      .space({ lr: 0.05, model: { dropout: 0.1, width: randint(8, 64) } })
      .pb2({ perturbationInterval: 4, hyperparamBounds: bounds })
    expect(x.def.scheduler).toEqual({
      kind: 'pb2',
      timeAttr: 'trainingIteration',
      quantileFraction: 0.25,
      synch: false,
      requireAttrs: true,
      perturbationInterval: 4,
      hyperparamBounds: { lr: [0.005, 0.1], model: { dropout: [0, 0.5] } },
    })
    expect(JSON.parse(JSON.stringify(x.def.scheduler))).toEqual(x.def.scheduler)
    ;(bounds.model as { dropout: unknown }).dropout = [9, 10]
    expect(x.def.scheduler).toMatchObject({ hyperparamBounds: { model: { dropout: [0, 0.5] } } })
  })

  test('equal bounds are allowed, as in Ray', () => {
    expect(() => e().pb2({ perturbationInterval: 4, hyperparamBounds: { lr: [0.1, 0.1] } })).not.toThrow()
  })
})
