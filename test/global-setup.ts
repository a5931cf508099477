import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Each test run gets a temp root of its own (TMPDIR, which `os.tmpdir()` reads, for the workers and
 * every process they start), so two runs side by side can never meet in the temp folder. At the end
 * the root must be empty: whatever a test left behind fails the run, named.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'vitune-test-run-'))
  const previous = process.env.TMPDIR
  process.env.TMPDIR = root
  // tsx (which worker threads use to load TypeScript trainables) would keep a transform cache in
  // the temp folder: tests run without it, so the root stays theirs alone.
  const previousTsxCache = process.env.TSX_DISABLE_CACHE
  process.env.TSX_DISABLE_CACHE = '1'
  return () => {
    if (previousTsxCache === undefined) delete process.env.TSX_DISABLE_CACHE
    else process.env.TSX_DISABLE_CACHE = previousTsxCache
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    const left = readdirSync(root)
    rmSync(root, { recursive: true, force: true })
    if (left.length === 0) return
    // Vitest only logs an error thrown here ("error during close") and keeps exit code 0.
    process.exitCode = 1
    throw new Error(
      `tests left ${left.length} temporary entries behind: ${left.sort().join(', ')}. Remove what a test creates (mkdtemp, then rmSync in afterAll or onTestFinished).`,
    )
  }
}
