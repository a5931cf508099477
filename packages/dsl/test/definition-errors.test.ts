import { describe, expect, test } from 'vitest'
import {
  choice,
  type DefinitionErrorCode,
  ExperimentDefinitionError,
  experiment,
  grid,
  lograndint,
  loguniform,
  trainable as namedTrainable,
  qlograndint,
  qloguniform,
  qrandint,
  qrandn,
  quniform,
  randint,
  randn,
  sampleFrom,
  uniform,
  VituneError,
  validateExperiment,
} from '../src/index.js'

const NAME = 'bad inputs'

/** One bad input: what the user wrote, the code it must raise and the key the message must name. */
interface BadInput {
  readonly input: string
  readonly code: DefinitionErrorCode
  readonly key: string
  readonly build: () => unknown
}

const e = () => experiment(NAME)
/** Bad values bypass the types on purpose: JavaScript users and JSON get no compiler. */
const bad = (value: unknown) => value as never
const space = (x: unknown) => () => e().space({ x: bad(x) })
const mutate = (x: unknown) => () => e().mutate({ x: bad(x) })
const pbt = (options: object) => () => e().pbt(bad(options))
const trainable = async function* () {
  yield { Q: 1 }
}
/** The same generator, named by a module, as worker threads need. */
const trainableModuleAware = (fn: typeof trainable) =>
  namedTrainable('file:///project/train.js', 'train', async function* () {
    yield* fn()
  })
const runnable = () =>
  e()
    .space({ lr: 0.1 })
    .mutate({ lr: uniform(0, 1) })
    .train(trainable)

const rows = (code: DefinitionErrorCode, key: string, cases: Record<string, () => unknown>): BadInput[] =>
  Object.entries(cases).map(([input, build]) => ({ input, code, key, build }))

const cases: BadInput[] = [
  ...rows('VITUNE_BOUNDS_ORDER', 'space.x', {
    'uniform(1, 0)': space(uniform(1, 0)),
    'uniform(1, 1)': space(uniform(1, 1)),
    'quniform(1, 0.5, 0.5)': space(quniform(1, 0.5, 0.5)),
    'loguniform(1, 0.1)': space(loguniform(1, 0.1)),
    'qloguniform(0.1, 0.01, 0.01)': space(qloguniform(0.1, 0.01, 0.01)),
    'randint(5, 5)': space(randint(5, 5)),
    'randint(5, 1)': space(randint(5, 1)),
    'qrandint(10, 0, 5)': space(qrandint(10, 0, 5)),
    'lograndint(100, 10)': space(lograndint(100, 10)),
    'qlograndint(100, 10, 5)': space(qlograndint(100, 10, 5)),
  }),
  ...rows('VITUNE_BOUNDS_NOT_FINITE', 'space.x', {
    'uniform(0, Infinity)': space(uniform(0, Number.POSITIVE_INFINITY)),
    'uniform(-Infinity, 0)': space(uniform(Number.NEGATIVE_INFINITY, 0)),
    'uniform(NaN, 1)': space(uniform(Number.NaN, 1)),
    'loguniform(1e-3, Infinity)': space(loguniform(1e-3, Number.POSITIVE_INFINITY)),
    'randint(0, Infinity)': space(randint(0, Number.POSITIVE_INFINITY)),
    'quniform(0, NaN, 0.1)': space(quniform(0, Number.NaN, 0.1)),
    'uniform("0", 1)': space(uniform(bad('0'), 1)),
  }),
  ...rows('VITUNE_LOG_BOUND', 'space.x', {
    'loguniform(0, 1)': space(loguniform(0, 1)),
    'loguniform(-1, 1)': space(loguniform(-1, 1)),
    'loguniform(-1e-3, -1e-4)': space(loguniform(-1e-3, -1e-4)),
    'qloguniform(0, 1, 0.1)': space(qloguniform(0, 1, 0.1)),
    'lograndint(0, 10)': space(lograndint(0, 10)),
    'qlograndint(0, 10, 2)': space(qlograndint(0, 10, 2)),
  }),
  ...rows('VITUNE_LOG_BASE', 'space.x', {
    'loguniform(1e-3, 1, 1)': space(loguniform(1e-3, 1, 1)),
    'loguniform(1e-3, 1, 0)': space(loguniform(1e-3, 1, 0)),
    'loguniform(1e-3, 1, -10)': space(loguniform(1e-3, 1, -10)),
    'lograndint(1, 100, 1)': space(lograndint(1, 100, 1)),
    'qloguniform(0.01, 1, 0.01, Infinity)': space(qloguniform(0.01, 1, 0.01, Number.POSITIVE_INFINITY)),
  }),
  ...rows('VITUNE_QUANTIZATION', 'space.x', {
    'quniform(1e-4, 1e-1, 5e-4) (Ray testQuantized)': space(quniform(1e-4, 1e-1, 5e-4)),
    'quniform(-1e-1, -1e-4, 5e-4) (Ray testQuantized)': space(quniform(-1e-1, -1e-4, 5e-4)),
    'quniform(0, 32, 3) (Ray testQuantized)': space(quniform(0, 32, 3)),
    'quniform(0.05, 1, 0.1)': space(quniform(0.05, 1, 0.1)),
    'qloguniform(1e-4, 1e-1, 5e-4)': space(qloguniform(1e-4, 1e-1, 5e-4)),
    'qloguniform(0.005, 0.1, 0.003)': space(qloguniform(0.005, 0.1, 0.003)),
    'qrandint(1, 4, 5)': space(qrandint(1, 4, 5)),
    'qlograndint(1, 4, 5)': space(qlograndint(1, 4, 5)),
  }),
  ...rows('VITUNE_QUANTUM', 'space.x', {
    'quniform(0, 1, 0)': space(quniform(0, 1, 0)),
    'quniform(0, 1, -0.1)': space(quniform(0, 1, -0.1)),
    'quniform(0, 1, NaN)': space(quniform(0, 1, Number.NaN)),
    'qrandn(0, 1, 0)': space(qrandn(0, 1, 0)),
    'qrandint(0, 10, 2.5)': space(qrandint(0, 10, 2.5)),
    'qlograndint(1, 10, 0.5)': space(qlograndint(1, 10, 0.5)),
    'qloguniform(0.1, 1, Infinity)': space(qloguniform(0.1, 1, Number.POSITIVE_INFINITY)),
    'qrandint(0, 10, 0)': space(qrandint(0, 10, 0)),
  }),
  ...rows('VITUNE_INTEGER_BOUNDS', 'space.x', {
    'randint(0.5, 10)': space(randint(0.5, 10)),
    'randint(0, 10.5)': space(randint(0, 10.5)),
    'qrandint(0.5, 10, 1)': space(qrandint(0.5, 10, 1)),
    'lograndint(1.5, 10)': space(lograndint(1.5, 10)),
    'qlograndint(1, 10.5, 1)': space(qlograndint(1, 10.5, 1)),
  }),
  ...rows('VITUNE_EMPTY_VALUES', 'space.x', {
    'grid([])': space(grid([])),
    'choice([])': space(choice([])),
    'grid(5)': space(grid(bad(5))),
    'choice("abc")': space(choice(bad('abc'))),
  }),
  { input: '{ a: { b: grid([]) } }', code: 'VITUNE_EMPTY_VALUES', key: 'space.a.b', build: () => e().space({ a: { b: grid([]) } }) },
  { input: '{ l: [1, choice([])] }', code: 'VITUNE_EMPTY_VALUES', key: 'space.l[1]', build: () => e().space({ l: [1, choice([])] }) },
  ...rows('VITUNE_UNKNOWN_DOMAIN', 'space.x', {
    '{ $domain: "normal" }': space({ $domain: 'normal', mean: 0 }),
    '{ $domain: "grid_search" }': space({ $domain: 'grid_search', values: [1] }),
    '{ $domain: "" }': space({ $domain: '' }),
  }),
  ...rows('VITUNE_NESTED_GRID', 'space.x[0]', {
    'grid([grid([1, 2]), 3])': space(grid([grid([1, 2]), 3])),
    'choice([grid([1])])': space(choice([grid([1])])),
  }),
  ...rows('VITUNE_STD_DEV', 'space.x', {
    'randn(0, 0)': space(randn(0, 0)),
    'randn(0, -1)': space(randn(0, -1)),
    'randn(NaN, 1)': space(randn(Number.NaN, 1)),
    'qrandn(0, 0, 0.1)': space(qrandn(0, 0, 0.1)),
    'randn(0, Infinity)': space(randn(0, Number.POSITIVE_INFINITY)),
  }),
  ...rows('VITUNE_SAMPLE_FROM_ARITY', 'space.x', {
    'sampleFrom((a, b, c) => 1)': space(sampleFrom(bad((_a: unknown, _b: unknown, _c: unknown) => 1))),
    '{ $domain: "sampleFrom", fn: 5 }': space({ $domain: 'sampleFrom', fn: 5 }),
  }),
  ...rows('VITUNE_SPACE_VALUE', 'space.x', {
    'a function': space(() => 1),
    undefined: space(undefined),
    'a symbol': space(Symbol('x')),
    'a bigint': space(1n),
    NaN: space(Number.NaN),
    Infinity: space(Number.POSITIVE_INFINITY),
    'a Date': space(new Date(0)),
    'a Map': space(new Map()),
  }),
  { input: '{ x: [1, () => 2] }', code: 'VITUNE_SPACE_VALUE', key: 'space.x[1]', build: space([1, () => 2]) },
  { input: '{ a: { b: undefined } }', code: 'VITUNE_SPACE_VALUE', key: 'space.a.b', build: () => e().space({ a: { b: bad(undefined) } }) },
  { input: 'space(null)', code: 'VITUNE_SPACE_VALUE', key: 'space', build: () => e().space(bad(null)) },
  { input: 'space([1])', code: 'VITUNE_SPACE_VALUE', key: 'space', build: () => e().space(bad([1])) },

  ...rows('VITUNE_SAMPLE_FROM_IN_MUTATE', 'mutate.x', { 'sampleFrom(() => 1)': mutate(sampleFrom(() => 1)) }),
  {
    input: '{ opt: { lr: sampleFrom(...) } }',
    code: 'VITUNE_SAMPLE_FROM_IN_MUTATE',
    key: 'mutate.opt.lr',
    build: () =>
      e()
        .space({ opt: { lr: 0.1 } })
        .mutate({ opt: { lr: bad(sampleFrom(() => 1)) } }),
  },
  ...rows('VITUNE_GRID_IN_MUTATE', 'mutate.x', { 'grid([1, 2])': mutate(grid([1, 2])) }),
  ...rows('VITUNE_MUTATION_TYPE', 'mutate.x', {
    '5': mutate(5),
    '"x"': mutate('x'),
    null: mutate(null),
    '(x) => x': mutate((x: unknown) => x),
    'uniform() on a string constant': () =>
      e()
        .space({ x: 'adam' })
        .mutate(bad({ x: uniform(0, 1) })),
    'loguniform() on a choice of strings': () =>
      e()
        .space({ x: choice(['a', 'b']) })
        .mutate(bad({ x: loguniform(1e-3, 1) })),
    'a nested mutation of a number': () =>
      e()
        .space({ x: 0.1 })
        .mutate(bad({ x: { a: [1] } })),
    'randint() on a nested object': () =>
      e()
        .space({ x: { depth: 2 } })
        .mutate(bad({ x: randint(1, 4) })),
  }),
  { input: 'mutate(null)', code: 'VITUNE_MUTATION_TYPE', key: 'mutate', build: () => e().mutate(bad(null)) },
  { input: 'mutate([])', code: 'VITUNE_MUTATION_TYPE', key: 'mutate', build: () => e().mutate(bad([])) },
  ...rows('VITUNE_EMPTY_VALUES', 'mutate.x', { '[]': mutate([]), 'choice([])': mutate(choice([])) }),
  ...rows('VITUNE_BOUNDS_ORDER', 'mutate.x', { 'uniform(1, 0)': mutate(uniform(1, 0)) }),
  ...rows('VITUNE_LOG_BOUND', 'mutate.x', { 'loguniform(0, 1)': mutate(loguniform(0, 1)) }),
  ...rows('VITUNE_QUANTIZATION', 'mutate.x', { 'qloguniform(5e-3, 1e-1, 3e-3)': mutate(qloguniform(5e-3, 1e-1, 3e-3)) }),
  ...rows('VITUNE_MUTATION_KEY', 'mutate.opt.momentum', {
    'a nested key the space lacks': () =>
      e()
        .space({ opt: { lr: 0.1 } })
        .mutate(bad({ opt: { momentum: uniform(0, 1) } })),
  }),
  ...rows('VITUNE_MUTATION_KEY', 'mutate.lrr', {
    'a typo in a top-level key': () =>
      e()
        .space({ lr: 0.1 })
        .mutate(bad({ lrr: uniform(0, 1) })),
  }),
  ...rows('VITUNE_MUTATION_KEY', 'mutate.lr', {
    'mutate() before space()': () =>
      e()
        .mutate(bad({ lr: uniform(0, 1) }))
        .space({ lr: 0.1 }),
  }),
  ...rows('VITUNE_MUTATION_KEY', 'mutate.newKeys', {
    'newKeys names a key the mutations lack': () =>
      e()
        .space({ lr: 0.1 })
        .mutate(bad({ lr: uniform(0, 1), momentum: uniform(0, 1) }), bad({ newKeys: ['momentun'] })),
    'newKeys names a key the space has': () =>
      e()
        .space({ lr: 0.1 })
        .mutate({ lr: uniform(0, 1) }, bad({ newKeys: ['lr'] })),
    'newKeys is not a list of names': () =>
      e()
        .space({ lr: 0.1 })
        .mutate({ lr: uniform(0, 1) }, bad({ newKeys: 'lr' })),
    'space() after mutate() brings a key newKeys added': () =>
      e()
        .space({ lr: 0.1 })
        .mutate({ lr: uniform(0, 1), momentum: uniform(0, 1) }, { newKeys: ['momentum'] })
        .space({ lr: 0.1, momentum: 0.9 }),
  }),
  ...rows('VITUNE_MUTATION_EMPTY', 'mutate', {
    'pbt().mutate({})': () => e().pbt({ perturbationInterval: 4 }).mutate({}),
    'PBT without mutate()': () => validateExperiment(e().pbt({ perturbationInterval: 4 }).metric('Q', 'max').train(trainable).def),
  }),

  ...rows('VITUNE_PERTURBATION_INTERVAL', 'pbt.perturbationInterval', {
    '0': pbt({ perturbationInterval: 0 }),
    '-4': pbt({ perturbationInterval: -4 }),
    NaN: pbt({ perturbationInterval: Number.NaN }),
    Infinity: pbt({ perturbationInterval: Number.POSITIVE_INFINITY }),
    '"4"': pbt({ perturbationInterval: '4' }),
    missing: pbt({}),
  }),
  ...rows('VITUNE_QUANTILE_FRACTION', 'pbt.quantileFraction', {
    '0.6': pbt({ perturbationInterval: 4, quantileFraction: 0.6 }),
    '-0.1': pbt({ perturbationInterval: 4, quantileFraction: -0.1 }),
    NaN: pbt({ perturbationInterval: 4, quantileFraction: Number.NaN }),
    '1': pbt({ perturbationInterval: 4, quantileFraction: 1 }),
  }),
  ...rows('VITUNE_RESAMPLE_PROBABILITY', 'pbt.resampleProbability', {
    '1.5': pbt({ perturbationInterval: 4, resampleProbability: 1.5 }),
    '-0.1': pbt({ perturbationInterval: 4, resampleProbability: -0.1 }),
    NaN: pbt({ perturbationInterval: 4, resampleProbability: Number.NaN }),
  }),
  ...rows('VITUNE_BURN_IN', 'pbt.burnInPeriod', {
    '-1': pbt({ perturbationInterval: 4, burnInPeriod: -1 }),
    NaN: pbt({ perturbationInterval: 4, burnInPeriod: Number.NaN }),
  }),
  ...rows('VITUNE_PERTURBATION_FACTORS', 'pbt.perturbationFactors', {
    '[]': pbt({ perturbationInterval: 4, perturbationFactors: [] }),
    '[0]': pbt({ perturbationInterval: 4, perturbationFactors: [0] }),
    '[-1.2]': pbt({ perturbationInterval: 4, perturbationFactors: [-1.2] }),
    '[1.2, NaN]': pbt({ perturbationInterval: 4, perturbationFactors: [1.2, Number.NaN] }),
    '[Infinity]': pbt({ perturbationInterval: 4, perturbationFactors: [Number.POSITIVE_INFINITY] }),
    '1.2': pbt({ perturbationInterval: 4, perturbationFactors: 1.2 }),
  }),
  ...rows('VITUNE_PBT_OPTION', 'pbt.perturbation_interval', { "Ray's snake_case": pbt({ perturbation_interval: 4 }) }),
  ...rows('VITUNE_PBT_OPTION', 'pbt.quantile', { 'an unknown option': pbt({ perturbationInterval: 4, quantile: 0.5 }) }),
  ...rows('VITUNE_PBT_OPTION', 'pbt.timeAttr', { '""': pbt({ perturbationInterval: 4, timeAttr: '' }) }),
  ...rows('VITUNE_PBT_OPTION', 'pbt.synch', { '"yes"': pbt({ perturbationInterval: 4, synch: 'yes' }) }),
  ...rows('VITUNE_PBT_OPTION', 'pbt.keepInBounds', { '1': pbt({ perturbationInterval: 4, keepInBounds: 1 }) }),
  ...rows('VITUNE_PBT_OPTION', 'pbt.customExplore', { '5': pbt({ perturbationInterval: 4, customExplore: 5 }) }),
  { input: 'pbt(null)', code: 'VITUNE_PBT_OPTION', key: 'pbt', build: () => e().pbt(bad(null)) },
  ...rows('VITUNE_PBT_WITHOUT_METRIC', 'metric', {
    'PBT without metric()': () => validateExperiment(runnable().pbt({ perturbationInterval: 4 }).def),
  }),

  ...rows('VITUNE_METRIC_NAME', 'metric', { '""': () => e().metric('', 'max') }),
  ...rows('VITUNE_MODE', 'metric', { '"up"': () => e().metric('Q', bad('up')), '"MAX"': () => e().metric('Q', bad('MAX')) }),
  ...rows('VITUNE_SEED', 'seed', { '1.5': () => e().seed(1.5), NaN: () => e().seed(Number.NaN), '2 ** 60': () => e().seed(2 ** 60) }),
  ...rows('VITUNE_SAMPLES', 'samples', { '0': () => e().samples(0), '1.5': () => e().samples(1.5), '-1': () => e().samples(-1) }),
  ...rows('VITUNE_STOP', 'stop.trainingIteration', { NaN: () => e().stop({ trainingIteration: Number.NaN }) }),
  ...rows('VITUNE_STOP', 'stop.Q', { Infinity: () => e().stop({ Q: Number.POSITIVE_INFINITY }), '"1"': () => e().stop({ Q: bad('1') }) }),
  ...rows('VITUNE_STOP', 'stop', { null: () => e().stop(bad(null)) }),
  ...rows('VITUNE_MAX_FAILURES', 'failures.maxFailures', {
    '-2': () => e().failures({ maxFailures: -2 }),
    '1.5': () => e().failures({ maxFailures: 1.5 }),
  }),
  ...rows('VITUNE_MAX_FAILURES', 'failures', {
    'failFast with retries': () => validateExperiment(runnable().failures({ maxFailures: 3, failFast: true }).def),
  }),
  ...rows('VITUNE_CONCURRENCY', 'concurrency', { '0': () => e().concurrency(0), '1.5': () => e().concurrency(1.5) }),
  ...rows('VITUNE_TRAINABLE_TYPE', 'train', { '5': () => e().train(bad(5)), null: () => e().train(bad(null)) }),
  ...rows('VITUNE_NO_TRAINABLE', 'train', { 'no train()': () => validateExperiment(e().space({ lr: 0.1 }).def) }),
  ...rows('VITUNE_WORKERS', 'workers', {
    '-1': () => e().workers(-1),
    '1.5': () => e().workers(1.5),
    '"all"': () => e().workers(bad('all')),
    'options null': () => e().workers(2, bad(null)),
  }),
  ...rows('VITUNE_WORKERS', 'workers.threads', { 'unknown option': () => e().workers(2, bad({ threads: 3 })) }),
  ...rows('VITUNE_WORKERS', 'workers.closeTimeoutS', {
    '-1': () => e().workers(2, { closeTimeoutS: -1 }),
    NaN: () => e().workers(2, { closeTimeoutS: Number.NaN }),
  }),
  ...rows('VITUNE_WORKERS', 'workers.resourceLimits.maxOldGenerationSizeMb', {
    '0': () => e().workers(2, { resourceLimits: { maxOldGenerationSizeMb: 0 } }),
  }),
  ...rows('VITUNE_WORKERS', 'workers.resourceLimits.heapMb', { 'unknown limit': () => e().workers(2, { resourceLimits: bad({ heapMb: 64 }) }) }),
  ...rows('VITUNE_WORKERS_CLOSURE', 'workers', {
    'workers(2) then a closure': () => e().workers(2).train(trainable),
    "a closure then workers('auto')": () => e().train(trainable).workers('auto'),
    'a hand-made definition': () => validateExperiment({ ...runnable().def, workers: { threads: 2 } }),
  }),
]

describe('every bad input raises its code, naming the experiment and the key, and says what to do', () => {
  test('the table holds at least 100 bad inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100)
  })

  test.each(cases)('$code at $key: $input', ({ code, key, build }) => {
    let caught: unknown
    try {
      build()
    } catch (error) {
      caught = error
    }
    expect(caught, 'the input was accepted').toBeInstanceOf(ExperimentDefinitionError)
    const error = caught as ExperimentDefinitionError
    expect(error).toBeInstanceOf(VituneError)
    expect(error.code).toBe(code)
    expect(error.experiment).toBe(NAME)
    expect(error.key).toBe(key)
    expect(error.message).toContain(`[${code}]`)
    expect(error.message).toContain(`experiment "${NAME}"`)
    expect(error.message).toContain(`\`${key}\``)
    // A problem, then a fix: at least two sentences after the location.
    expect(error.message.split(': ').slice(1).join(': ')).toMatch(/\S.*\. \S.*[.)]$/)
  })

  test('a mistyped mutation key names the key it probably meant, and how to add a new key on purpose', () => {
    const typo = () =>
      e()
        .space({ lr: 0.1, momentum: 0.9 })
        .mutate(bad({ lrr: uniform(0, 1) }))
    expect(typo).toThrow(/the space has no `lrr`; did you mean `lr`\? \(its keys: lr, momentum\)/)
    expect(typo).toThrow(/\.mutate\(spec, \{ newKeys: \['lrr'\] \}\)/)
    expect(() => e().mutate(bad({ lr: uniform(0, 1) }))).toThrow(/call \.space\(\) before \.mutate\(\)/)
  })

  test('newKeys adds keys the space lacks, as Ray does, and they reach the definition', () => {
    const def = e()
      .space({ lr: 0.1 })
      .mutate({ lr: uniform(0, 1), momentum: uniform(0.8, 0.99) }, { newKeys: ['momentum'] })
      .pbt({ perturbationInterval: 2 })
      .metric('Q', 'max')
      .train(trainable).def
    expect(def.newMutationKeys).toEqual(['momentum'])
    expect(() => validateExperiment(def)).not.toThrow()
    // A later mutate() replaces the mutations and their newKeys together.
    expect(
      experiment(NAME)
        .space({ lr: 0.1 })
        .mutate({ lr: uniform(0, 1), m: [1] }, { newKeys: ['m'] })
        .mutate({ lr: [0.1] }).def.newMutationKeys,
    ).toBeUndefined()
  })

  test('an experiment needs a name', () => {
    for (const name of ['', '   ', bad(undefined)]) {
      expect(() => experiment(name)).toThrow(ExperimentDefinitionError)
      try {
        experiment(name)
      } catch (error) {
        expect((error as ExperimentDefinitionError).code).toBe('VITUNE_EMPTY_NAME')
        expect((error as ExperimentDefinitionError).key).toBe('name')
      }
    }
  })

  test('.workers() is kept as plain data; 0 accepts a closure, a named trainable any number of threads', () => {
    expect(e().workers(0).train(trainable).def.workers).toEqual({ threads: 0 })
    const named = trainableModuleAware(trainable)
    const def = e()
      .workers('auto', { resourceLimits: { maxOldGenerationSizeMb: 256 }, closeTimeoutS: 10 })
      .train(named).def
    expect(JSON.parse(JSON.stringify(def.workers))).toEqual({ threads: 'auto', resourceLimits: { maxOldGenerationSizeMb: 256 }, closeTimeoutS: 10 })
    expect(() => validateExperiment(e().workers(3).train(named).def)).not.toThrow()
    // The closure's error names the fix.
    expect(() => e().workers(2).train(trainable)).toThrow(/trainable\(import\.meta\.url, 'trainModel'.*\.workers\(0\)/)
  })

  test('valid definitions of every kind are accepted', () => {
    const def = experiment('good')
      .space({
        lr: qloguniform(5e-3, 1e-1, 5e-4),
        h0: grid([0, 1]),
        h1: sampleFrom((c: { h0: number }, random) => 1 - c.h0 + 0 * random()),
        q: quniform(0, 33, 3),
        n: qrandint(1, 10),
        k: qlograndint(5, 100, 5),
        layers: [randint(16, 64), 8],
        opt: { name: choice(['adam', 'sgd']), momentum: uniform(0, 1) },
        g: randn(),
        gq: qrandn(0, 1, 0.1),
        patience: null,
      })
      .mutate({ lr: [0.01, 0.02], opt: { momentum: uniform(0.5, 1), name: ['adam', 'sgd'] }, extra: () => 1, h0: uniform(0, 1) }, { newKeys: ['extra'] })
      .pbt({ perturbationInterval: 4, quantileFraction: 0, resampleProbability: 1, perturbationFactors: [2] })
      .metric('Q', 'max')
      .stop({ trainingIteration: 10 })
      .seed(-3)
      .samples(2)
      .train(trainable).def
    expect(() => validateExperiment(def)).not.toThrow()
  })
})
