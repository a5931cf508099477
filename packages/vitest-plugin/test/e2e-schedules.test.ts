// Tuned schedules end to end, on a temporary copy of a tune file with three tune() calls (two opt
// in), through real Vitest: first write, idempotent rerun, replay in a plain run, a stale
// schedule, the refusal to replace without -u, and -u.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { biomeFormatCheck } from './helpers/biome.js'
import { makeProject, runVitest, runVitune } from './helpers/project.js'

const local = { CI: '' }
/** The fixture's formatting, for Biome: what the writer must keep to. */
const BIOME = {
  formatter: { indentStyle: 'space', indentWidth: 2, lineWidth: 80 },
  javascript: { formatter: { quoteStyle: 'single', semicolons: 'asNeeded' } },
}

describe('tuned schedules end to end (real Vitest on a copy of a tune file)', () => {
  const dir = makeProject('schedules', 'schedules')
  const file = join(dir, 'tuned.tune.ts')
  const fixture = readFileSync(file, 'utf8')
  writeFileSync(join(dir, 'biome.json'), JSON.stringify(BIOME))
  let firstWrite = ''

  test('tune mode writes each opted-in schedule into its own tune() call and touches nothing else', () => {
    const { code, output } = runVitune(dir, [], local)
    expect(code, output).toBe(0)
    expect(output).toContain('[vitune] wrote the tuned schedule of "schedule climb" in tuned.tune.ts')
    expect(output).toContain('[vitune] wrote the tuned schedule of "schedule grid" in tuned.tune.ts')
    firstWrite = readFileSync(file, 'utf8')
    // Up to the first schedule, between the two calls and after them: byte for byte the fixture.
    const head = fixture.slice(0, fixture.indexOf('    schedule: true,'))
    const middle = fixture.slice(fixture.indexOf('    deterministic: true,'), fixture.indexOf('tune(search'))
    const tail = fixture.slice(fixture.indexOf('tune(untracked)'))
    expect(firstWrite.startsWith(head)).toBe(true)
    expect(firstWrite).toContain(middle)
    expect(firstWrite.endsWith(tail)).toBe(true)
    expect(firstWrite).toMatch(
      / {4}schedule: \{\n {6}seed: 7,\n {6}reached: \{ score: -?[\d.e-]+, trainingIteration: 12 \},\n {6}initialConfig: \{ lr: 0\.0\d+, label: 'climb' \},\n {6}changes: \[\n/,
    )
    expect(firstWrite).toMatch(/ {8}\{ trainingIteration: \d+, config: \{ lr: [\d.]+ \} \},\n/)
    // The one-line options object of the second call is spread over lines, as Biome would print it.
    expect(firstWrite).toMatch(/tune\(search, \(result\) => expect\(result\)\.toReachMetric\(-8\), \{\n {2}schedule: \{\n {4}seed: 1,\n[\s\S]*changes: \[\],/)
    const biome = biomeFormatCheck(dir, ['tuned.tune.ts'])
    expect(biome.code, biome.output).toBe(0)
  })

  test('a second identical run changes nothing', () => {
    const { code, output } = runVitune(dir, [], local)
    expect(code, output).toBe(0)
    expect(output).not.toContain('[vitune] wrote')
    expect(readFileSync(file, 'utf8')).toBe(firstWrite)
  })

  test('a plain `vitest run` replays each written schedule as one trial and runs the same assertions', () => {
    const { code, output } = runVitest(dir, ['--reporter=verbose'])
    expect(code, output).toBe(0)
    expect(output).toMatch(/schedule climb \(replay of the tuned schedule\) > replay \(1 trial, \d+ config changes?, seed 7\)/)
    expect(output).toMatch(/schedule climb \(replay of the tuned schedule\) > reaches the tuned score=-?[\d.e-]+ at trainingIteration 12 exactly/)
    expect(output).toContain('schedule climb (replay of the tuned schedule) > best result')
    expect(output).toContain('schedule grid (replay of the tuned schedule) > replay (1 trial, 0 config changes, seed 1)')
    expect(output).toContain('schedule grid (replay of the tuned schedule) > best result')
    expect(output).not.toContain('schedule untracked')
    expect(output).toContain('plain.test.ts')
    expect(output).not.toContain('not tuned yet')
  })

  test('a changed experiment: plain runs report the stale schedule; tune mode refuses to replace it without -u, and -u rewrites only that literal', () => {
    const experiments = join(dir, 'experiments.ts')
    writeFileSync(experiments, readFileSync(experiments, 'utf8').replace('uniform(0.01, 0.1)', 'uniform(0.01, 0.2)'))

    const plain = runVitest(dir)
    expect(plain.code, plain.output).toBe(1)
    expect(plain.output).toMatch(
      /\[VITUNE_SCHEDULE_STALE\] experiment "schedule climb": its tuned schedule is stale: the experiment's mutations changed since it was tuned/,
    )
    expect(plain.output).toContain('`vitune run -u` rewrites the schedule')

    const refused = runVitune(dir, [], local)
    expect(refused.code, refused.output).toBe(1)
    expect(refused.output).toMatch(
      /\[VITUNE_SCHEDULE_MISMATCH\] experiment "schedule climb": the schedule tuning found differs from the one in the tune file: the experiment's mutations changed since it was tuned/,
    )
    expect(readFileSync(file, 'utf8')).toBe(firstWrite)

    const updated = runVitune(dir, ['-u'], local)
    expect(updated.code, updated.output).toBe(0)
    expect(updated.output).toContain('[vitune] updated the tuned schedule of "schedule climb" in tuned.tune.ts')
    const rewritten = readFileSync(file, 'utf8')
    expect(rewritten).not.toBe(firstWrite)
    // The grid search's schedule and everything outside the climb's literal are unchanged.
    expect(rewritten.slice(rewritten.indexOf('    deterministic: true,'))).toBe(firstWrite.slice(firstWrite.indexOf('    deterministic: true,')))
    expect(biomeFormatCheck(dir, ['tuned.tune.ts']).code).toBe(0)

    const replayed = runVitest(dir)
    expect(replayed.code, replayed.output).toBe(0)
  })
})
