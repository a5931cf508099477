import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { LOCK_FILE } from '../src/node/index.js'
import { tempDir } from './helpers/artifact-fixtures.js'

// Taking over a dead process's lock must be atomic (issue 13 item 8): with four processes claiming
// one directory at once, exactly one owns it, every round. Ordered rounds stop every claimant right
// after it has read the dead holder and then let them go one by one, the interleaving that let two
// of them own the directory; free rounds let them race.
const CLAIMANTS = 4
const ROUNDS = 24
const fixture = fileURLToPath(new URL('./fixtures/lock-claimant.mjs', import.meta.url))

/** A process id that existed and has exited: a dead lock holder. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  return child.pid as number
}

/** Writes a coordination file whole (a claimant polls for it and must never read half of it). */
function put(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text)
  renameSync(`${file}.tmp`, file)
}

async function until(check: () => boolean, children: readonly ChildProcess[], stderr: readonly string[]): Promise<void> {
  while (!check()) {
    const crashed = children.find((c) => c.exitCode !== null && c.exitCode !== 0)
    if (crashed !== undefined) throw new Error(`a claimant exited with code ${crashed.exitCode}: ${stderr.join('')}`)
    await sleep(2)
  }
}

describe('lock takeover with real processes', () => {
  test(`${CLAIMANTS} processes claiming a dead process's lock together: exactly one owns it, in each of ${ROUNDS} rounds`, async () => {
    const dir = tempDir('lock-race')
    const stderr: string[] = []
    const children = Array.from({ length: CLAIMANTS }, (_, i) => {
      const child = spawn(process.execPath, [fixture, dir, String(i), String(ROUNDS)], { stdio: ['ignore', 'ignore', 'pipe'] })
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
      return child
    })
    const exited = children.map((c) => new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code))))
    const outcomes: string[][] = []
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const lockDir = join(dir, `experiment-${r}`)
        mkdirSync(lockDir)
        const lock = join(lockDir, LOCK_FILE)
        writeFileSync(lock, `${deadPid()} dead-holder-${r}`)
        const ordered = r % 2 === 0
        put(join(dir, `go-${r}`), JSON.stringify({ lock, ordered }))
        const file = (kind: string, i: number) => join(dir, `${kind}-${r}-${i}`)
        if (ordered) {
          await until(() => children.every((_, i) => existsSync(file('at', i))), children, stderr)
          // A different order each round; each claimant finishes before the next one goes.
          const order = Array.from({ length: CLAIMANTS }, (_, i) => (i + r / 2) % CLAIMANTS)
          for (const i of order) {
            put(file('turn', i), '')
            await until(() => existsSync(file('result', i)), children, stderr)
          }
        }
        await until(() => children.every((_, i) => existsSync(file('result', i))), children, stderr)
        outcomes.push(children.map((_, i) => readFileSync(file('result', i), 'utf8')))
        put(join(dir, `release-${r}`), '')
      }
    } catch (error) {
      for (const child of children) child.kill()
      throw error
    }
    expect(await Promise.all(exited), stderr.join('')).toEqual(children.map(() => 0))
    for (const [r, round] of outcomes.entries()) {
      expect(
        round.filter((o) => o === 'OWNED'),
        `round ${r}: ${round.join(', ')}`,
      ).toHaveLength(1)
      expect(
        round.filter((o) => o !== 'OWNED'),
        `round ${r}`,
      ).toEqual(Array(CLAIMANTS - 1).fill('VITUNE_STATE_LOCKED'))
    }
  }, 240_000)
})
