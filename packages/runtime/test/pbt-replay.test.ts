// Ray's testReplay and the policy-log format: replaying a trial's policy reproduces its config
// history step for step.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Config, experiment, grid, type PolicyRecord, parsePolicy, uniform, withCheckpoint } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { readPolicyFile } from '../src/node/index.js'
import { policyChain } from '../src/schedulers/pbt-replay.js'
import { formatPolicyLog, formatPolicyRecord } from '../src/schedulers/policy-log.js'
import { tempDir } from './helpers/artifact-fixtures.js'
import { basicSetup, type MockTrial, result } from './helpers/pbt-mock.js'

/** Ray's Playback trainable: records the config it ran each step with, and keeps that list in its checkpoint. */
async function* playback({ config, checkpoint }: { config: Config; checkpoint: { iter: number; replayed: Config[] } | undefined }) {
  let iter = checkpoint?.iter ?? 0
  const replayed = [...(checkpoint?.replayed ?? [])]
  for (;;) {
    iter++
    replayed.push(config)
    yield withCheckpoint({ reward: 0, replayed: [...replayed], trainingIteration: iter }, { iter, replayed })
  }
}

const replayRun = (name: string, policy: string | readonly string[] | readonly PolicyRecord[], steps: number) =>
  run(
    experiment(name)
      .replay(policy)
      .stop({ trainingIteration: steps })
      .train(playback as never),
  )

describe('testReplay', () => {
  test('replaying each trial policy from the mock run reproduces its config history, including chains through several donors', async () => {
    let counter = 999
    const { runner, trials } = basicSetup({
      numTrials: 4,
      perturbationInterval: 5,
      stepOnce: false,
      mutations: { float_factor: () => 100.0, int_factor: () => ++counter },
    })
    // The real PBT history of each trial: its config at each step, inherited from its donor on exploit.
    const states = trials.map((t) => ({ step: 0, config: t.config, history: [] as Config[] }))
    const trialStep = (k: number, steps: number, score: number) => {
      const state = states[k] as (typeof states)[number]
      const trial = trials[k] as MockTrial
      const res = result(state.step + steps, score)
      while (state.step < res.trainingIteration) {
        state.history.push(state.config)
        state.step++
      }
      const before = runner.exploits.length
      runner.report(trial, res, { lastResultFirst: true })
      state.config = trial.config
      if (runner.exploits.length > before) {
        const source = states[Number(trial.restoredFrom)] as (typeof states)[number]
        state.history = [...source.history]
        state.step = source.step
      }
    }
    // Ray's schedule of steps and scores.
    const schedule: [number, number, number][] = [
      [0, 10, 0],
      [1, 11, 10],
      [2, 12, 0],
      [3, 13, 0],
      [0, 10, -10],
      [2, 8, -20],
      [3, 9, 0],
      [1, 7, 0],
      [1, 12, 0],
      [2, 13, 0],
      [3, 14, 10],
      [0, 11, 0],
      [0, 6, 20],
      [3, 9, -40],
      [2, 8, -50],
      [1, 7, 30],
      [2, 8, -60],
      [0, 10, 0],
      [1, 10, 0],
      [2, 10, 0],
      [3, 10, 0],
    ]
    for (const [k, steps, score] of schedule) trialStep(k, steps, score)

    let replayedTrials = 0
    for (const [i, trial] of trials.entries()) {
      const state = states[i] as (typeof states)[number]
      if (trial.policy.length === 0) {
        // A trial that never exploited has no policy to replay (Ray: no policy file).
        expect(() => experiment('no policy').replay(trial.policy)).toThrow(/VITUNE_POLICY_EMPTY/)
        continue
      }
      const grid = await replayRun(`replay ${trial.id}`, formatPolicyLog(trial.policy), state.step)
      expect(grid.trials[0]?.metrics?.replayed).toEqual(state.history)
      replayedTrials++
    }
    expect(replayedTrials).toBeGreaterThanOrEqual(2)
    // At least one policy chains through more than one donor.
    expect(trials.some((t) => (policyChain(t.policy)?.changes.length ?? 0) >= 2)).toBe(true)
  })

  test.each([false, true])('replaying every exploited trial of a real run (synch %s) reproduces its config history step for step', async (synch) => {
    const original = await run(
      experiment(`replay source ${synch}`)
        .space({ lr: grid([0.01, 0.02, 0.04, 0.08]), momentum: 0.9 })
        .mutate({ lr: uniform(0.001, 0.1), momentum: [0.5, 0.9, 0.99] })
        .pbt({ perturbationInterval: 3, quantileFraction: 0.25, synch })
        .metric('score', 'max')
        .stop({ trainingIteration: 30 })
        .seed(11)
        .train(async function* ({
          config,
          checkpoint,
        }: {
          config: { lr: number; momentum: number }
          checkpoint: { score: number; history: Config[] } | undefined
        }) {
          let score = checkpoint?.score ?? 0
          const history = [...(checkpoint?.history ?? [])]
          for (;;) {
            score += config.lr * config.momentum
            history.push(config)
            yield withCheckpoint({ score, history: [...history] }, { score, history })
          }
        }),
    )
    const exploited = original.trials.filter((t) => t.policy.length > 0)
    expect(exploited.length).toBeGreaterThan(0)
    for (const trial of exploited) {
      const last = trial.metrics as unknown as { trainingIteration: number; history: Config[] }
      expect(last.history).toHaveLength(last.trainingIteration)
      const replay = await replayRun(`replay ${trial.trialId}`, trial.policy, last.trainingIteration)
      const replayed = replay.trials[0]
      expect(replayed?.metrics?.replayed).toEqual(last.history)
      // The replayed trial changed config exactly at the recorded steps, from its own checkpoints.
      expect(replayed?.configHistory.map((c) => c.trainingIteration)).toEqual([
        0,
        ...(policyChain(trial.policy)?.changes.map((c) => c.trainingIteration) ?? []),
      ])
      expect(replayed?.lineage.every((e) => e.donorId === e.targetId)).toBe(true)
      expect(replay.policyLog).toEqual([])
    }
  })

  test('a replay runs exactly one trial', async () => {
    const policy: PolicyRecord[] = [['1tag', '0tag', 1, 1, { x: 1 }, { x: 2 }]]
    await expect(
      run(
        experiment('two trials')
          .space({ x: grid([1, 2]) })
          .replay(policy)
          .stop({ trainingIteration: 3 })
          .train(playback as never),
      ),
    ).rejects.toThrow(/VITUNE_REPLAY.*exactly one trial/)
  })

  test('a replayed change needs a checkpoint to resume from', async () => {
    const record: PolicyRecord = ['0tag', '1tag', 2, 2, { lr: 1 }, { lr: 2 }]
    await expect(
      run(
        experiment('no checkpoint')
          .replay([record])
          .stop({ trainingIteration: 5 })
          .train(async function* () {
            for (;;) yield { reward: 0 }
          }),
      ),
    ).rejects.toThrow(/VITUNE_REPLAY.*training iteration 2.*no checkpoint/)
  })
})

describe('policy chain (Ray _load_policy)', () => {
  test('keeps records back to where a target is not the next record donor, and starts from the earliest donor config', () => {
    const records: PolicyRecord[] = [
      ['2tag', '0tag', 4, 4, { v: 0 }, { v: 1 }], // overwritten later: 2 was cloned from 1 afterwards
      ['1tag', '3tag', 5, 5, { v: 3 }, { v: 4 }],
      ['2tag', '1tag', 8, 9, { v: 4 }, { v: 5 }],
    ]
    expect(policyChain(records)).toEqual({
      initialConfig: { v: 3 },
      changes: [
        { trainingIteration: 5, config: { v: 4 } },
        { trainingIteration: 9, config: { v: 5 } },
      ],
      tag: '2tag',
    })
    expect(policyChain([])).toBeUndefined()
  })
})

describe('policy log format (pbt_global.txt, pbt_policy_<trial>.txt)', () => {
  const record: PolicyRecord = [
    '0_h0=0,h1=1',
    '1_h0=1,h1=0',
    4,
    8,
    { lr: 0.05, h: [1, 0], name: 'é', nested: { ok: true } },
    { lr: Number.NaN, x: Infinity, y: -Infinity, z: null },
  ]

  test('a record is one JSON array as Python json.dumps writes it', () => {
    expect(formatPolicyRecord(record)).toBe(
      '["0_h0=0,h1=1", "1_h0=1,h1=0", 4, 8, {"lr": 0.05, "h": [1, 0], "name": "\\u00e9", "nested": {"ok": true}}, {"lr": NaN, "x": Infinity, "y": -Infinity, "z": null}]',
    )
    expect(formatPolicyLog([record, record]).split('\n')).toHaveLength(3)
  })

  test('parsing reads back what formatting wrote, NaN and infinities included', () => {
    const [parsed] = parsePolicy(formatPolicyLog([record]), 'test')
    expect(parsed).toEqual(record)
  })

  test('a bad line is an error naming the source and the line', () => {
    expect(() => parsePolicy('["a", "b", 1, 1, {}, {}]\nnot json\n', 'pbt_policy_x.txt')).toThrow(/pbt_policy_x\.txt, line 2: not valid JSON/)
    expect(() => parsePolicy(['["a", "b", 1, 1, {}]'], 'lines')).toThrow(/lines, line 1: expected \[targetTag/)
    expect(() => experiment('bad').replay(['[1, 2]'])).toThrow(/experiment "bad" .replay\(\), line 1/)
  })

  test('readPolicyFile reads a policy file, and names the file when it is missing or has a bad line', () => {
    const dir = tempDir('policy')
    const good = join(dir, 'pbt_policy_a.txt')
    writeFileSync(good, formatPolicyLog([record]))
    expect(readPolicyFile(good)).toEqual([record])
    const bad = join(dir, 'pbt_policy_b.txt')
    writeFileSync(bad, `${formatPolicyRecord(record)}\n{"not": "a record"}\n`)
    expect(() => readPolicyFile(bad)).toThrow(new RegExp(`policy file ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, line 2`))
    expect(() => readPolicyFile(join(dir, 'missing.txt'))).toThrow(/VITUNE_POLICY_FILE.*policy file not found: .*missing\.txt/)
  })
})
