import { describe, expectTypeOf, test } from 'vitest'
import {
  type Config,
  choice,
  type Experiment,
  experiment,
  type GridDomain,
  grid,
  type InferConfig,
  lograndint,
  loguniform,
  type Metrics,
  qloguniform,
  qrandint,
  randint,
  randn,
  type SampleFromDomain,
  sampleFrom,
  type TrainContext,
  uniform,
  withCheckpoint,
} from '../src/index.js'

/** The config type an experiment's trainable receives. */
type ConfigOf<E> = E extends Experiment<infer C, infer _M, infer _K> ? C : never
/** The metrics type an experiment's trainable reports. */
type MetricsOf<E> = E extends Experiment<infer _C, infer M, infer _K> ? M : never

describe('the config type is inferred from space()', () => {
  test('a grid of numbers is a number, a choice of strings is their union', () => {
    const e = experiment('types').space({ h0: grid([0, 1]), optimizer: choice(['adam', 'sgd']) })
    expectTypeOf<ConfigOf<typeof e>>().toEqualTypeOf<{ h0: number; optimizer: 'adam' | 'sgd' }>()
  })

  test('every numeric domain gives a number', () => {
    const e = experiment('types').space({
      a: uniform(0, 1),
      b: loguniform(1e-4, 1e-1),
      c: qloguniform(5e-3, 1e-1, 5e-4),
      d: randint(0, 10),
      e: qrandint(0, 10, 2),
      f: lograndint(1, 100),
      g: randn(0, 1),
    })
    expectTypeOf<ConfigOf<typeof e>>().toEqualTypeOf<{ a: number; b: number; c: number; d: number; e: number; f: number; g: number }>()
  })

  test('constants widen, nested objects stay nested, lists keep their shape', () => {
    const e = experiment('types').space({
      lr: 0.05,
      name: 'run',
      verbose: true,
      nothing: null,
      model: { layers: grid([1, 2]), activation: choice(['relu', 'tanh']), head: { dropout: uniform(0, 0.5) } },
      betas: [0.9, 0.999],
      sizes: [randint(16, 64), 8],
    })
    expectTypeOf<ConfigOf<typeof e>>().toEqualTypeOf<{
      lr: number
      name: string
      verbose: boolean
      nothing: null
      model: { layers: number; activation: 'relu' | 'tanh'; head: { dropout: number } }
      betas: [number, number]
      sizes: [number, number]
    }>()
  })

  test('sampleFrom gives what its function returns, or what the domain it returns samples', () => {
    const e = experiment('types').space({
      h0: grid([0, 1]),
      h1: sampleFrom((c: { h0: number }) => 1 - c.h0),
      label: sampleFrom((c: { h0: number }) => (c.h0 > 0 ? 'high' : 'low')),
      scale: sampleFrom((c: { h0: number }) => (c.h0 > 0 ? uniform(100, 200) : uniform(0, 1))),
    })
    expectTypeOf<ConfigOf<typeof e>>().toEqualTypeOf<{ h0: number; h1: number; label: 'high' | 'low'; scale: number }>()
  })

  test('grid values that are objects or sampleFrom resolve to their values', () => {
    type C = InferConfig<{ x: GridDomain<{ readonly a: 1; readonly b: 'x' }>; y: GridDomain<SampleFromDomain<number>> }>
    expectTypeOf<C>().toEqualTypeOf<{ x: { a: number; b: string }; y: number }>()
  })

  test('a space value a config cannot hold is rejected', () => {
    // @ts-expect-error functions are not config values; sampleFrom() computes values
    experiment('types').space({ f: () => 1 })
    // @ts-expect-error undefined is not a config value
    experiment('types').space({ u: undefined })
  })
})

describe('mutate() checks keys of the space and adds the new ones it is told to', () => {
  const base = experiment('types').space({ lr: 0.05, h0: grid([0, 1]), optimizer: choice(['adam', 'sgd']), model: { depth: 2, act: 'relu' } })

  test('compatible mutations of known keys keep the config type', () => {
    const e = base.mutate({
      lr: qloguniform(5e-3, 1e-1, 5e-4),
      h0: uniform(0, 1),
      optimizer: ['adam', 'sgd'],
      model: { depth: [1, 2, 3], act: () => 'gelu' },
    })
    expectTypeOf<ConfigOf<typeof e>>().toEqualTypeOf<ConfigOf<typeof base>>()
  })

  test('a key the space lacks is a type error: a typo never mutates a phantom key', () => {
    // @ts-expect-error `lrr` is not a key of the space (`lr` is)
    base.mutate({ lrr: uniform(0, 1) })
    // @ts-expect-error nested keys must exist too
    base.mutate({ model: { dept: [1, 2] } })
    // @ts-expect-error nested keys cannot be added, even with newKeys
    base.mutate({ model: { width: [1, 2] } }, { newKeys: ['model'] })
    // @ts-expect-error newKeys names only keys of the mutations that the space lacks
    base.mutate({ momentum: uniform(0.8, 0.99) }, { newKeys: ['momentun'] })
    // @ts-expect-error `lr` is in the space already
    base.mutate({ lr: uniform(0, 1) }, { newKeys: ['lr'] })
    // @ts-expect-error mutate() before space(): the space has no keys yet
    experiment('types').mutate({ lr: uniform(0, 1) })
  })

  test('keys listed in newKeys are added to the config, as Ray samples them at trial start', () => {
    const e = base.mutate(
      { momentum: uniform(0.8, 0.99), schedule: ['cosine', 'step'], seedOffset: () => 7, warmup: { steps: randint(0, 100) } },
      { newKeys: ['momentum', 'schedule', 'seedOffset', 'warmup'] },
    )
    expectTypeOf<ConfigOf<typeof e>>().toEqualTypeOf<{
      lr: number
      h0: number
      optimizer: 'adam' | 'sgd'
      model: { depth: number; act: string }
      momentum: number
      schedule: 'cosine' | 'step'
      seedOffset: number
      warmup: { steps: number }
    }>()
  })

  test('incompatible value types for known keys are rejected', () => {
    // @ts-expect-error a number cannot be perturbed into 'adam' | 'sgd'
    base.mutate({ optimizer: uniform(0, 1) })
    // @ts-expect-error 'rmsprop' is not one of the choices
    base.mutate({ optimizer: ['adam', 'rmsprop'] })
    // @ts-expect-error a string list cannot replace a number
    base.mutate({ lr: ['fast', 'slow'] })
    // @ts-expect-error a function must return the key's type
    base.mutate({ lr: () => 'fast' })
    // @ts-expect-error nested keys are checked too
    base.mutate({ model: { act: uniform(0, 1) } })
    // @ts-expect-error sampleFrom cannot be a mutation (Ray rejects it too)
    base.mutate({ lr: sampleFrom(() => 0.1) })
    // @ts-expect-error grid cannot be a mutation
    base.mutate({ lr: grid([0.1, 0.2]) })
  })

  test('the tutorial mutates grid and sampleFrom keys with uniform()', () => {
    const e = experiment('types')
      .space({ lr: 0.05, h0: grid([0, 1]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0) })
      .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    expectTypeOf<ConfigOf<typeof e>>().toEqualTypeOf<{ lr: number; h0: number; h1: number }>()
  })
})

describe('an experiment of any config and metrics is an Experiment', () => {
  test('so helpers can take Experiment<Config, Metrics> (or an array of them)', () => {
    const e = experiment('types')
      .space({ lr: 0.1, optimizer: choice(['adam', 'sgd']) })
      .train(async function* ({ config }) {
        yield { Q: config.lr, label: 'x' }
      })
    expectTypeOf(e).toMatchTypeOf<Experiment<Config, Metrics, unknown>>()
    const all: Experiment<Config, Metrics, unknown>[] = [e, experiment('other')]
    expectTypeOf(all).toBeArray()
  })
})

describe('train() gives the trainable the inferred config, and metric() the reported names', () => {
  const base = experiment('types')
    .space({ lr: 0.05, h0: grid([0, 1]) })
    .mutate({ momentum: uniform(0, 1) }, { newKeys: ['momentum'] })

  test("the trainable's config has the inferred type", () => {
    base.train(async function* ({ config }) {
      expectTypeOf(config).toEqualTypeOf<{ lr: number; h0: number; momentum: number }>()
      yield { Q: config.lr }
    })
    base.train(async ({ config, report }) => {
      expectTypeOf(config).toEqualTypeOf<{ lr: number; h0: number; momentum: number }>()
      await report({ Q: 1 })
    })
  })

  test('the trainable cannot read a key the space does not define', () => {
    base.train(async function* ({ config }) {
      // @ts-expect-error `beta` is not in the space or the mutations
      yield { Q: config.beta as number }
    })
  })

  test('after train(), metric() accepts only numeric names the trainable reports', () => {
    const e = base.train(async function* ({ config }) {
      const metrics = { Q: config.lr, loss: 1 - config.lr, label: 'x' }
      yield Math.random() > 0.5 ? withCheckpoint(metrics, { step: 1 }) : metrics
    })
    expectTypeOf<MetricsOf<typeof e>>().toEqualTypeOf<{ Q: number; loss: number; label: string }>()
    e.metric('Q', 'max')
    e.metric('loss', 'min')
    e.metric('trainingIteration', 'max')
    // @ts-expect-error the trainable never reports `accuracy`
    e.metric('accuracy', 'max')
    // @ts-expect-error `label` is a string, not a number
    e.metric('label', 'max')
    // @ts-expect-error mode is 'min' or 'max'
    e.metric('Q', 'up')
    e.stop({ trainingIteration: 10, Q: 1.19 })
    // @ts-expect-error the trainable never reports `accuracy`
    e.stop({ accuracy: 0.9 })
    // @ts-expect-error the trainable never reports `accuracy`, even beside a known key
    e.stop({ Q: 1.19, accuracy: 0.9 })
  })

  test('metric() and stop() before train() are checked by train(), in either order', () => {
    const named = base.metric('Q', 'max').stop({ trainingIteration: 10, loss: 0.1 })
    named.train(async function* ({ config }) {
      yield { Q: config.lr, loss: 1 - config.lr }
    })
    // @ts-expect-error the trainable never reports `accuracy`, named in metric()
    base.metric('accuracy', 'max').train(async function* ({ config }) {
      yield { Q: config.lr }
    })
    // @ts-expect-error the trainable never reports `loss`, named in stop()
    base.stop({ loss: 0.1 }).train(async function* ({ config }) {
      yield { Q: config.lr }
    })
    // @ts-expect-error `label` is reported, but not as a number
    base.metric('label', 'max').train(async function* () {
      yield { Q: 1, label: 'x' }
    })
    // Steps between metric() and train() keep the names to check.
    const later = base.metric('accuracy', 'max').seed(1).samples(2).pbt({ perturbationInterval: 2 })
    // @ts-expect-error the trainable never reports `accuracy`
    later.train(async function* () {
      yield { Q: 1 }
    })
    // The automatic result fields are always there, and a function stop names no key.
    base
      .metric('trainingIteration', 'max')
      .stop((r) => r.trainingIteration > 3)
      .train(async function* () {
        yield { Q: 1 }
      })
  })

  test('with a report() trainable the metrics are unknown, so any name is accepted', () => {
    base.metric('anything', 'max').train(async ({ report }) => report({ Q: 1 }))
    base.train(async ({ report }) => report({ Q: 1 })).metric('anything', 'min')
  })

  test('an experiment with names still to check is an Experiment as tune() and run() take it', () => {
    const e = base.metric('Q', 'max').stop({ trainingIteration: 3 })
    expectTypeOf(e).toMatchTypeOf<Experiment<{ lr: number; h0: number; momentum: number }, Metrics, unknown>>()
    const trained = e.train(async function* () {
      yield { Q: 1 }
    })
    expectTypeOf(trained).toEqualTypeOf<Experiment<{ lr: number; h0: number; momentum: number }, { readonly Q: 1 }, unknown>>()
  })

  test('a trainable written apart declares its config and checkpoint; the space must provide that config', () => {
    async function* train({ config, checkpoint }: TrainContext<{ readonly lr: number; readonly h0: number }, { step: number }>) {
      yield withCheckpoint({ Q: config.lr * config.h0 }, { step: (checkpoint?.step ?? 0) + 1 })
    }
    const e = base.train(train)
    expectTypeOf<MetricsOf<typeof e>>().toEqualTypeOf<{ Q: number }>()
    expectTypeOf(e).toEqualTypeOf<Experiment<{ lr: number; h0: number; momentum: number }, { Q: number }, { step: number }>>()
    // @ts-expect-error the space has no `h0`, which the trainable reads
    experiment('types').space({ lr: 0.05 }).train(train)
  })
})
