import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { PolicyLogError, type PolicyRecord, parsePolicy } from '@vitune/dsl'

/**
 * Reads a PBT policy file (Ray's `pbt_policy_<trial>.txt`, or `pbt_global.txt`) into records for
 * `experiment(...).replay(records)`. `~` expands to the home directory, as in Ray. A missing file
 * or a bad line is an error that names the file (and the line).
 */
export function readPolicyFile(path: string): PolicyRecord[] {
  const file = resolve(path.startsWith('~') ? homedir() + path.slice(1) : path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new PolicyLogError(
      'VITUNE_POLICY_FILE',
      missing
        ? `policy file not found: ${file}. A trial that was never exploited has no policy file; pass the pbt_policy_<trial>.txt of one that was.`
        : `cannot read the policy file ${file}: ${(error as Error).message}`,
      { cause: error },
    )
  }
  return parsePolicy(text, `policy file ${file}`)
}
