import { experiment, grid, uniform } from '@vitune/dsl'
import { expectTypeOf, test } from 'vitest'
import { type TunedSchedule, tune } from '../src/test/index.js'

const climb = experiment('typed schedule')
  .space({ lr: grid([0.01, 0.05]), label: 'climb' })
  .mutate({ lr: uniform(0.01, 0.1) })
  .pbt({ perturbationInterval: 2 })
  .metric('score', 'max')
  .train(async function* ({ config }) {
    yield { score: config.lr }
  })

const fingerprint = { space: 'a', mutations: 'b', metric: 'c', stop: 'd', trainable: 'e' }

test('a written schedule is checked against the experiment config: a key it no longer has is a type error', () => {
  tune(climb, undefined, { schedule: true })
  tune(climb, undefined, {
    schedule: {
      seed: 1,
      reached: { score: 1 },
      initialConfig: { lr: 0.05, label: 'climb' },
      changes: [{ trainingIteration: 2, config: { lr: 0.06 } }],
      fingerprint,
    },
  })
  tune(climb, undefined, {
    // @ts-expect-error `momentum` is not a key of this experiment's config
    schedule: { seed: 1, reached: {}, initialConfig: { lr: 0.05, label: 'climb', momentum: 0.9 }, changes: [], fingerprint },
  })
  tune(climb, undefined, {
    schedule: {
      seed: 1,
      reached: {},
      initialConfig: { lr: 0.05, label: 'climb' },
      // @ts-expect-error a change names a key the config lacks
      changes: [{ trainingIteration: 2, config: { momentum: 0.9 } }],
      fingerprint,
    },
  })
  tune(climb, undefined, {
    // @ts-expect-error the initial config lacks a key the experiment has
    schedule: { seed: 1, reached: {}, initialConfig: { lr: 0.05 }, changes: [], fingerprint },
  })
  tune(climb, undefined, {
    // @ts-expect-error a value of the wrong type
    schedule: { seed: 1, reached: {}, initialConfig: { lr: '0.05', label: 'climb' }, changes: [], fingerprint },
  })
  // @ts-expect-error false is not an opt-in
  tune(climb, undefined, { schedule: false })
  expectTypeOf<TunedSchedule<{ lr: number }>['changes'][number]['config']>().toEqualTypeOf<Partial<{ lr: number }>>()
})
