// chooseTrialsToRun is a speed-up of calling chooseTrialToRun once per free slot: both must follow Ray's rule, in the same order.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { chooseTrialToRun } from '../src/schedulers/types.js'
import type { TrialStatus } from '../src/types.js'
import { basicSetup, type MockTrial, result } from './helpers/pbt-mock.js'

const statuses: readonly TrialStatus[] = ['PENDING', 'RUNNING', 'PAUSED', 'TERMINATED', 'ERROR']

describe('PBT chooseTrialsToRun', () => {
  test('returns what successive chooseTrialToRun calls return when each chosen trial starts', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.record({ time: fc.integer({ min: 10, max: 40 }), reward: fc.integer({ min: 0, max: 9 }), status: fc.constantFrom(...statuses) }), {
          minLength: 2,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 12 }),
        (synch, plan, count) => {
          const setup = () => {
            const { pbt, runner } = basicSetup({ numTrials: plan.length, synch })
            plan.forEach((p, i) => {
              const trial = runner.trials[i] as MockTrial
              if (trial.status !== 'TERMINATED') runner.report(trial, result(p.time, p.reward))
            })
            plan.forEach((p, i) => {
              ;(runner.trials[i] as MockTrial).status = p.status
            })
            return { pbt, runner }
          }
          const batch = setup()
          const chosen = batch.pbt.chooseTrialsToRun(batch.runner, count).map((t) => t.id)
          // Ray's rule, written out: the PENDING or PAUSED trial least far in time (below the barrier
          // in synchronous mode), the earliest in the list on ties; each chosen one then runs.
          const one = setup()
          const expected: string[] = []
          for (let k = 0; k < count; k++) {
            let best: MockTrial | undefined
            for (const trial of one.runner.trials) {
              if (trial.status !== 'PENDING' && trial.status !== 'PAUSED') continue
              const time = one.pbt.trialState(trial.id)?.lastTrainTime ?? 0
              if (synch && time >= one.pbt.nextPerturbationSync) continue
              if (best === undefined || time < (one.pbt.trialState(best.id)?.lastTrainTime ?? 0)) best = trial
            }
            if (best === undefined) break
            expect(chooseTrialToRun(one.pbt, one.runner)).toBe(best)
            best.status = 'RUNNING'
            expected.push(best.id)
          }
          expect(chosen).toEqual(expected)
        },
      ),
      { seed: 7, numRuns: 300 },
    )
  })
})
