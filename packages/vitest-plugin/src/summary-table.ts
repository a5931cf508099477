import type { Config } from '@vitune/dsl'
import { formatMetric } from './format.js'
import type { ExperimentSummary } from './meta.js'

function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)))
  if (typeof value === 'string') return value
  return JSON.stringify(value) ?? String(value)
}

/** A box-drawn table; the first row is the header. */
export function boxTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length))) ?? []
  const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - [...text].length))
  const line = (r: readonly string[]) => `│ ${r.map((c, i) => pad(c, widths[i] ?? 0)).join(' │ ')} │`
  const rule = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`
  const [head, ...body] = rows
  return [rule('┌', '┬', '┐'), line(head ?? []), rule('├', '┼', '┤'), ...body.map(line), rule('└', '┴', '┘')].join('\n')
}

/** Config keys whose value differs between trials or over a trial's life; the rest are constants. */
function varyingKeys(configs: readonly Config[]): { varying: string[]; constant: [string, unknown][] } {
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))]
  const varying: string[] = []
  const constant: [string, unknown][] = []
  for (const key of keys) {
    const texts = new Set(configs.map((c) => JSON.stringify(c[key])))
    if (texts.size > 1) varying.push(key)
    else constant.push([key, configs[0]?.[key]])
  }
  return { varying, constant }
}

const configText = (config: Config, keys: readonly string[]) => keys.map((k) => `${k}=${formatValue(config[k])}`).join(' ') || '-'

/**
 * One experiment's end-of-run table: a headline with the best trial, then one row per trial with
 * its initial and final config (keys that vary only), best metric and number of exploits.
 */
export function experimentTable(s: ExperimentSummary): string {
  const configs = s.trials.flatMap((t) => [t.initialConfig, t.finalConfig])
  const { varying, constant } = varyingKeys(configs)
  const metric = s.metric ?? 'metric'
  const showStatus = s.trials.some((t) => t.status !== 'TERMINATED')
  const head = ['trial', ...(showStatus ? ['status'] : []), 'initial config', 'final config', `best ${metric}`, 'exploits']
  const rows = s.trials.map((t) => [
    `${t.trialId === s.best?.trialId ? '★ ' : '  '}${t.trialId}`,
    ...(showStatus ? [t.status] : []),
    configText(t.initialConfig, varying),
    configText(t.finalConfig, varying),
    formatMetric(t.best),
    String(t.exploits),
  ])
  const best =
    s.best === undefined
      ? 'no best trial'
      : `best ${metric}=${formatMetric(s.best.value)}${s.mode === undefined ? '' : ` (${s.mode})`} by ${s.best.trialId} (${s.best.tag})`
  const lines = [`${s.experiment}: ${best}, ${s.exploits} exploits, ${(s.durationMs / 1000).toFixed(2)}s, seed ${s.seed}`]
  if (constant.length > 0) lines.push(`  same in every trial: ${constant.map(([k, v]) => `${k}=${formatValue(v)}`).join(' ')}`)
  lines.push(boxTable([head, ...rows]))
  return lines.join('\n')
}
