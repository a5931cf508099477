import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExperimentDef } from '@vitune/dsl'
import { afterEach, expect } from 'vitest'
import { run } from '../../src/index.js'
import { DirectoryStorage } from '../../src/node/index.js'

/** A clock that never moves, so time fields cannot differ between an interrupted and a whole run. */
export const clock = () => 0

/** Fresh temp directories named `vitune-<prefix>-…`, removed after each test. */
export function scratchDirectories(prefix: string): () => string {
  const directories: string[] = []
  afterEach(() => {
    for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `vitune-${prefix}-`))
    directories.push(dir)
    return dir
  }
}

/** Runs with storage in `dir`, aborting after `results` results (a crash, minus the kill); returns the results seen. */
export async function interrupt(exp: { readonly def: ExperimentDef }, dir: string, results: number): Promise<number> {
  const controller = new AbortController()
  let seen = 0
  await expect(
    run(exp.def, {
      clock,
      storage: new DirectoryStorage(dir),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'result' && ++seen === results) controller.abort('simulated crash')
      },
    }),
  ).rejects.toMatchObject({ code: 'VITUNE_ABORTED' })
  return seen
}
