import { createHash } from 'node:crypto'
import { linkSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { RunError } from '../errors.js'

/** Points where a test may stop a claiming process, to force the interleaving of several claimants. */
export interface LockHooks {
  /** Called after a claimant read a lock whose holder is dead, before it does anything about it. */
  readonly deadHolderSeen?: (holder: string) => void
}

/** Whether a process with this id exists (one we may not signal still exists). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The process id of a `<pid> <token>` claim. */
const pidOf = (claim: string): number => Number(claim.split(' ')[0])

/** The live process holding a claim, or undefined when that process is gone (or the claim is garbage). */
function liveHolder(claim: string): number | undefined {
  const pid = pidOf(claim)
  return Number.isSafeInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined
}

const cell = new Int32Array(new SharedArrayBuffer(4))
/** Waits a moment without returning to the event loop: `open()` is synchronous. */
const pause = () => Atomics.wait(cell, 0, 0, 2)

/** The claim in a lock file, undefined when there is none. A directory or an unreadable file there is a coded error. */
function readClaim(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    const what = code === 'EISDIR' ? 'is a directory, not a vitune lock file' : `cannot be read (${(error as Error).message})`
    throw new RunError(
      'VITUNE_STATE_LOCKED',
      `the lock ${path} ${what}, so vitune cannot tell whether a run uses ${dirname(path)}. If none does, delete ${path}.`,
      { cause: error },
    )
  }
}

/**
 * Creates `path` holding `claim` if nothing is there, atomically: the claim is written to a
 * temporary file first and hard-linked into place, so no reader ever sees a half-written claim
 * (which it would take for the lock of a dead process). False when `path` exists.
 */
function createExclusive(path: string, claim: string): boolean {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, claim)
  try {
    linkSync(temporary, path)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    // File systems without hard links: an exclusive create, whose content a reader may catch unwritten.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error
    try {
      writeFileSync(path, claim, { flag: 'wx' })
      return true
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw fallback
    }
  } finally {
    rmSync(temporary, { force: true })
  }
}

/**
 * Removes the lock at `path` if it still holds the dead `holder`'s claim. Removing is the step that
 * races: two claimants that both read the dead claim must not both delete "the lock", or the second
 * deletes the lock the first has just created. So only the claimant that creates the marker
 * `<path>.takeover-<digest of the dead claim>` may remove that lock, and only after checking, while
 * it holds the marker, that the lock still holds the dead claim. A marker left by a claimant that
 * died mid-way is itself removed the same way.
 */
function removeDead(path: string, holder: string, claim: string, depth: number): void {
  if (depth > 3) {
    throw new RunError('VITUNE_STATE_LOCKED', `${path} is held by takeover markers of processes that died; delete ${path}* and try again.`)
  }
  const marker = `${path}.takeover-${createHash('sha256').update(holder).digest('hex').slice(0, 16)}`
  if (!createExclusive(marker, claim)) {
    const taker = readClaim(marker)
    if (taker === undefined) return
    if (liveHolder(taker) !== undefined) {
      pause() // another claimant is taking the lock over right now; the caller looks again
      return
    }
    removeDead(marker, taker, claim, depth + 1)
    return
  }
  try {
    if (readClaim(path) === holder) rmSync(path, { force: true })
  } finally {
    releaseLock(marker, claim)
  }
}

/** Removes temporary claim files (`lock.<pid>.tmp`) left by processes that were killed while writing one. */
function removeStaleTemporaries(path: string): void {
  const prefix = `${basename(path)}.`
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue
    const pid = Number(name.slice(prefix.length, -'.tmp'.length))
    if (Number.isSafeInteger(pid) && pid !== process.pid && !isAlive(pid)) rmSync(join(dirname(path), name), { force: true })
  }
}

/**
 * Claims `path` for `claim` (`<pid> <token>`): creates it if nothing holds it, takes it over from a
 * process that no longer exists (atomically: of several claimants at once exactly one wins), and
 * refuses with VITUNE_STATE_LOCKED while a live process holds it. `what` names the directory.
 */
export function claimLock(path: string, claim: string, what: string, hooks: LockHooks = {}): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createExclusive(path, claim)) {
      removeStaleTemporaries(path)
      return
    }
    const holder = readClaim(path)
    if (holder === undefined) continue
    const pid = liveHolder(holder)
    if (pid !== undefined) {
      throw new RunError(
        'VITUNE_STATE_LOCKED',
        `the experiment directory ${what} is in use by another run (process ${pid}). Wait for it to finish, or give this run another storage path. If no such run exists, delete ${path}.`,
      )
    }
    hooks.deadHolderSeen?.(holder)
    removeDead(path, holder, claim, 0)
  }
  throw new RunError('VITUNE_STATE_LOCKED', `the experiment directory ${what} could not be claimed; if no run uses it, delete ${path} and try again.`)
}

/** Releases `path` if it still holds `claim`; a lock that is gone, a directory, or another's is left alone. */
export function releaseLock(path: string, claim: string): void {
  let current: string
  try {
    current = readFileSync(path, 'utf8')
  } catch {
    // Gone, a directory or unreadable: not a claim of ours to release. Called when a run ends, so
    // throwing here would hide the error the run ended with.
    return
  }
  if (current === claim) rmSync(path, { force: true })
}
