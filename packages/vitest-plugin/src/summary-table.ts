import type { Config } from '@vitune/dsl'
import { labelValue as formatValue } from '@vitune/runtime'
import { formatMetric, STOP_REASONS } from './format.js'
import type { ExperimentSummary, TrialSummary } from './meta.js'

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

/** A trial's last value: the number, `NaN` when it was NaN or infinite, `-` when it has none. */
const lastCell = (t: TrialSummary) => (t.last === undefined && t.lastNonFinite ? 'NaN' : formatMetric(t.last))

/**
 * One experiment's end-of-run table: a headline with the best trial by last result (Ray's default
 * scope, as `result.best`) and the best value ever, what stopped the run, then one row per trial
 * with its initial and final config (keys that vary only), its last and best-ever metric, and
 * exploits; notes explain `NaN` and `-` cells.
 */
export function experimentTable(s: ExperimentSummary): string {
  const configs = s.trials.flatMap((t) => [t.initialConfig, t.finalConfig])
  const { varying, constant } = varyingKeys(configs)
  const metric = s.metric ?? 'metric'
  const showStatus = s.trials.some((t) => t.status !== 'TERMINATED')
  const head = ['trial', ...(showStatus ? ['status'] : []), 'initial config', 'final config', `${metric} (last result)`, `${metric} (best ever)`, 'exploits']
  const rows = s.trials.map((t) => [
    `${t.trialId === s.best?.trialId ? '★ ' : '  '}${t.trialId}`,
    ...(showStatus ? [t.status] : []),
    configText(t.initialConfig, varying),
    configText(t.finalConfig, varying),
    lastCell(t),
    formatMetric(t.best),
    String(t.exploits),
  ])
  const mode = s.mode === undefined ? '' : `${s.mode}, `
  const best =
    s.best === undefined ? 'no best trial' : `best ${metric}=${formatMetric(s.best.value)} (${mode}last result) by ★ ${s.best.trialId} (${s.best.label})`
  const lines = [`${s.experiment}: ${best}, ${s.exploits} exploits, ${(s.durationMs / 1000).toFixed(2)}s, seed ${s.seed}`]
  if (s.best === undefined && s.noBest !== undefined) lines.push(`  why: ${s.noBest}`)
  // The best value ever, when it is not the headline's: a trial peaked before its last result.
  if (s.bestEver !== undefined && s.bestEver.value !== s.best?.value)
    lines.push(`  best ever: ${metric}=${formatMetric(s.bestEver.value)} by ${s.bestEver.trialId} at iteration ${s.bestEver.trainingIteration}`)
  if (s.stopReason !== undefined) lines.push(`  stopped: every trial was stopped at once by ${STOP_REASONS[s.stopReason]}, not by .stop()`)
  if (constant.length > 0) lines.push(`  same in every trial: ${constant.map(([k, v]) => `${k}=${formatValue(v)}`).join(' ')}`)
  if (s.scheduler !== 'fifo') lines.push(`  scheduler: ${s.schedulerLabel}`)
  lines.push(boxTable([head, ...rows]))
  const nan = s.trials.filter((t) => t.nonFinite > 0)
  if (nan.length > 0)
    lines.push(
      `  NaN: the last result's ${metric} was NaN or infinite; such values never rank a trial (${nan.map((t) => `${t.trialId}: ${t.nonFinite} of ${t.iterations} results`).join(', ')})`,
    )
  if (s.metric !== undefined) {
    const none = s.trials.filter((t) => t.best === undefined)
    const allNaN = none.filter((t) => t.nonFinite > 0).map((t) => t.trialId)
    const missing = none.filter((t) => t.nonFinite === 0).map((t) => t.trialId)
    const why = [
      allNaN.length === 0 ? '' : `${allNaN.join(', ')}: every value NaN or infinite`,
      missing.length === 0
        ? ''
        : `${missing.join(', ')}: ${missing.length === s.trials.length && s.trials.every((t) => t.iterations === 0) ? 'no result at all' : `no result has ${metric}`}`,
    ].filter(Boolean)
    if (why.length > 0) lines.push(`  -: no finite ${metric} in any result of the trial (${why.join('; ')})`)
  }
  return lines.join('\n')
}
