import { describe, expectTypeOf, test } from 'vitest'
import { experiment } from '../src/index.js'

describe('pb2() types', () => {
  test('bounded keys the space lacks join the config as numbers; known keys keep their type', () => {
    const x = experiment('t')
      .space({ lr: 0.1, optimizer: 'adam' })
      .pb2({ perturbationInterval: 4, hyperparamBounds: { lr: [1e-4, 1e-1], momentum: [0.5, 0.99] } })
      .train(async function* ({ config }) {
        expectTypeOf(config).toEqualTypeOf<{ lr: number; optimizer: string; momentum: number }>()
        yield { loss: 1 }
      })
    expectTypeOf(x.def.scheduler.kind).toEqualTypeOf<'fifo' | 'pbt' | 'pbtReplay' | 'asha' | 'hyperband' | 'medianStopping' | 'pb2'>()
  })

  test('a range for a string key is a type error', () => {
    experiment('t')
      .space({ optimizer: 'adam' })
      // @ts-expect-error: PB2 bounds only numbers
      .pb2({ perturbationInterval: 4, hyperparamBounds: { optimizer: [0, 1] } })
  })

  test('early-stopping schedulers keep the builder types', () => {
    const base = experiment('t').space({ lr: 0.1 })
    expectTypeOf(base.asha({ maxT: 10 })).toEqualTypeOf(base)
    expectTypeOf(base.hyperband()).toEqualTypeOf(base)
    expectTypeOf(base.medianStopping({ gracePeriod: 2 })).toEqualTypeOf(base)
  })
})
