import { readFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { countSchedules } from './tune-scan.js'

/** What a plain run needs to know about the project's tune files. */
export interface TuneFileScan {
  /** Tune files with at least one written schedule: a plain run replays them. */
  readonly tuned: readonly string[]
  /** Tune files without one: a plain run leaves them out. */
  readonly untuned: readonly string[]
  /** `tune()` calls with `schedule: true` and nothing written yet, over all files. */
  readonly pending: number
}

/**
 * Finds the tune files under `dir` (the plugin's globs, the project's excludes) and which of them
 * hold a written schedule, with a lexical scan (`countSchedules`): a plain run never loads ts-morph.
 */
export async function scanTuneFiles(dir: string, include: readonly string[], exclude: readonly string[]): Promise<TuneFileScan> {
  const { glob } = await import('tinyglobby')
  const files = await glob([...include], { cwd: dir, ignore: [...exclude], absolute: true, dot: true, expandDirectories: false })
  const tuned: string[] = []
  const untuned: string[] = []
  let pending = 0
  for (const file of files.sort()) {
    const text = await readFile(file, 'utf8')
    const count = /\bschedule\b/.test(text) ? countSchedules(text) : { written: 0, pending: 0 }
    pending += count.pending
    ;(count.written > 0 ? tuned : untuned).push(file)
  }
  return { tuned, untuned, pending }
}

/** A glob that matches exactly `file`, relative to `dir` (Vitest's include and exclude are globs). */
export async function globFor(dir: string, file: string): Promise<string> {
  const { escapePath } = await import('tinyglobby')
  return escapePath(relative(dir, file).split('\\').join('/'))
}
