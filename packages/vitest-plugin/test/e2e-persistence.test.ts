import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { makeProject, runVitune } from './helpers/project.js'

const resultLine = (output: string) => output.split('\n').find((line) => line.startsWith('RESULT '))
const produced = (output: string) =>
  Number(
    output
      .split('\n')
      .find((line) => line.startsWith('PRODUCED '))
      ?.slice('PRODUCED '.length),
  )

describe('tune mode with .storage(): a killed run resumes', () => {
  const dir = makeProject('basic', 'e2e-persistence')

  test('killing the worker mid-run, then running again, gives the results of an uninterrupted run', () => {
    const whole = runVitune(dir, ['persisted.tune.ts'], { STATE_DIR: 'state-whole' })
    expect(whole.code, whole.output).toBe(0)
    const expected = resultLine(whole.output)
    expect(expected).toBeDefined()

    const killed = runVitune(dir, ['persisted.tune.ts'], { STATE_DIR: 'state-killed', KILL_AFTER_RESULTS: '33' })
    expect(killed.code, killed.output).not.toBe(0)
    expect(resultLine(killed.output)).toBeUndefined()
    expect(existsSync(join(dir, 'state-killed'))).toBe(true)

    const resumed = runVitune(dir, ['persisted.tune.ts'], { STATE_DIR: 'state-killed' })
    expect(resumed.code, resumed.output).toBe(0)
    expect(resultLine(resumed.output)).toBe(expected)
    // It resumed rather than starting over: the trainables ran only for what the killed run had not saved.
    expect(produced(resumed.output)).toBeLessThan(produced(whole.output) - 20)
  })
})
