import { VituneError } from './errors.js'
import type { Config } from './types.js'

/**
 * One line of Ray's PBT policy log: target tag, donor tag, target iteration, donor iteration,
 * the donor's config (explore's starting point) and the new config.
 */
export type PolicyRecord = readonly [string, string, number, number, Config, Config]

/** Stable codes of policy-log errors. */
export type PolicyErrorCode = 'VITUNE_POLICY_LINE' | 'VITUNE_POLICY_EMPTY' | 'VITUNE_POLICY_FILE'

/** A policy log that cannot be read or replayed; the message names its source and line. */
export class PolicyLogError extends VituneError {
  declare readonly code: PolicyErrorCode
  constructor(code: PolicyErrorCode, message: string, options?: ErrorOptions) {
    super(code, `[${code}] ${message}`, options)
    this.name = 'PolicyLogError'
  }
}

const SENTINEL = '\u0000vitune-number:'
const SPECIAL: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY }

/** Python's json module writes NaN and Infinity as bare tokens; JSON.parse rejects them, so quote them first. */
function quoteSpecialNumbers(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (inString) {
      out += ch
      if (ch === '\\') out += text[++i] ?? ''
      else if (ch === '"') inString = false
      continue
    }
    if (ch === '"') {
      inString = true
      out += ch
      continue
    }
    const token = ['-Infinity', 'Infinity', 'NaN'].find((t) => text.startsWith(t, i))
    if (token === undefined) {
      out += ch
      continue
    }
    out += JSON.stringify(SENTINEL + token)
    i += token.length - 1
  }
  return out
}

const isConfig = (value: unknown): value is Config => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Parses one policy line; `where` names the source and line for the error. */
export function parsePolicyLine(line: string, where: string): PolicyRecord {
  let value: unknown
  try {
    value = JSON.parse(quoteSpecialNumbers(line), (_key, v: unknown) =>
      typeof v === 'string' && v.startsWith(SENTINEL) ? SPECIAL[v.slice(SENTINEL.length)] : v,
    )
  } catch (error) {
    throw new PolicyLogError(
      'VITUNE_POLICY_LINE',
      `${where}: not valid JSON (${(error as Error).message}). Each line must be one JSON array as Ray's pbt_policy_<trial>.txt has.`,
      {
        cause: error,
      },
    )
  }
  return checkRecord(value, where, line)
}

function checkRecord(value: unknown, where: string, shown: string): PolicyRecord {
  const ok =
    Array.isArray(value) &&
    value.length === 6 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'string' &&
    typeof value[2] === 'number' &&
    typeof value[3] === 'number' &&
    isConfig(value[4]) &&
    isConfig(value[5])
  if (!ok) {
    throw new PolicyLogError(
      'VITUNE_POLICY_LINE',
      `${where}: expected [targetTag, donorTag, targetIteration, donorIteration, donorConfig, newConfig], got ${shown.length > 120 ? `${shown.slice(0, 117)}...` : shown}. Pass the lines of a pbt_policy_<trial>.txt file.`,
    )
  }
  return value as unknown as PolicyRecord
}

/**
 * Parses a policy log: the text of a `pbt_policy_<trial>.txt` file, its lines, or records already
 * parsed (checked and returned as they are). Blank lines are skipped. `source` names the file or
 * call in error messages.
 */
export function parsePolicy(policy: string | readonly string[] | readonly PolicyRecord[], source: string): PolicyRecord[] {
  const items: readonly unknown[] = typeof policy === 'string' ? policy.split(/\r?\n/) : policy
  const records: PolicyRecord[] = []
  items.forEach((item, i) => {
    const where = `${source}, line ${i + 1}`
    if (typeof item === 'string') {
      if (item.trim().length > 0) records.push(parsePolicyLine(item, where))
    } else {
      records.push(checkRecord(item, where, JSON.stringify(item) ?? String(item)))
    }
  })
  return records
}
