import type { PolicyRecord } from '@vitune/dsl'

/** Ray's name for the log of every exploit in an experiment. */
export const GLOBAL_POLICY_FILE = 'pbt_global.txt'

/** Ray's name for one trial's policy log: its donors' history, then its own exploits. */
export const policyFileName = (trialId: string): string => `pbt_policy_${trialId}.txt`

function pythonString(text: string): string {
  // Python's json.dumps escapes every non-ASCII character (ensure_ascii), so the files match byte for byte.
  return JSON.stringify(text).replace(/[\u0080-\uffff]/g, (ch) => `\\u${(ch.codePointAt(0) as number).toString(16).padStart(4, '0')}`)
}

/** One value as Python's `json.dumps` writes it: `, ` and `: ` separators, NaN and Infinity as bare tokens. */
function pythonJson(value: unknown): string | undefined {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return 'NaN'
      if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'string':
      return pythonString(value)
    case 'bigint':
      return value.toString()
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
  }
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v) ?? 'null').join(', ')}]`
  const entries: string[] = []
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const text = pythonJson(v)
    if (text !== undefined) entries.push(`${pythonString(key)}: ${text}`)
  }
  return `{${entries.join(', ')}}`
}

/**
 * One policy record as a line of Ray's policy files: a six-item JSON array, as Python's
 * `json.dumps` writes it, without the newline.
 */
export function formatPolicyRecord(record: PolicyRecord): string {
  return pythonJson(record) as string
}

/** The text of a policy file: one record per line, each line ending in a newline. */
export function formatPolicyLog(records: readonly PolicyRecord[]): string {
  return records.map((r) => `${formatPolicyRecord(r)}\n`).join('')
}

/** What `policyLogFiles` needs of a result grid. */
export interface PolicySource {
  readonly policyLog: readonly PolicyRecord[]
  readonly trials: readonly { readonly trialId: string; readonly policy: readonly PolicyRecord[] }[]
}

/**
 * The policy files Ray writes into the experiment directory, as file name to content:
 * `pbt_global.txt` and one `pbt_policy_<trialId>.txt` per exploited trial. Like Ray, a file exists
 * only once it has a line, so a run without exploits has none.
 */
export function policyLogFiles(grid: PolicySource): Map<string, string> {
  const files = new Map<string, string>()
  if (grid.policyLog.length > 0) files.set(GLOBAL_POLICY_FILE, formatPolicyLog(grid.policyLog))
  for (const trial of grid.trials) {
    if (trial.policy.length > 0) files.set(policyFileName(trial.trialId), formatPolicyLog(trial.policy))
  }
  return files
}
