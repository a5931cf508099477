import { describe, expect, test } from 'vitest'
import { trialLabels } from '../src/labels.js'
import { formatVars } from '../src/search/variants.js'

describe('trial labels for test names, legends and tables', () => {
  test('significant digits, not 4 decimals: small values stay distinct', () => {
    const configs = [
      { lr: 3.5e-5, weightDecay: 4.303e-5, momentum: 0.9 },
      { lr: 0.02066, weightDecay: 0.0004368, momentum: 0.9 },
    ]
    expect(trialLabels(configs)).toEqual(['0_lr=3.5e-5,weightDecay=4.303e-5', '1_lr=0.02066,weightDecay=0.0004368'])
    // Ray's tags, which policy logs keep, round both weight decays of the first trial to 0.0000.
    expect(formatVars({ lr: 3.5e-5, weightDecay: 4.303e-5 })).toBe('lr=0.0000,weightDecay=0.0000')
  })

  test('only keys that differ between trials; nested keys by their last part unless that is ambiguous', () => {
    const configs = [
      { model: { depth: 2, act: 'relu' }, opt: { depth: 1 }, seed: 1 },
      { model: { depth: 4, act: 'relu' }, opt: { depth: 3 }, seed: 1 },
    ]
    expect(trialLabels(configs)).toEqual(['0_model/depth=2,opt/depth=1', '1_model/depth=4,opt/depth=3'])
    expect(trialLabels([{ a: { lr: 0.1 } }, { a: { lr: 0.2 } }])).toEqual(['0_lr=0.1', '1_lr=0.2'])
  })

  test('a single trial, or trials that do not differ, are labelled by index', () => {
    expect(trialLabels([{ lr: 0.1 }])).toEqual(['0'])
    expect(trialLabels([{ lr: 0.1 }, { lr: 0.1 }])).toEqual(['0', '1'])
  })
})
