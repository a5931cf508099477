import { escapeXml } from '../plots/figure.js'
import { GENERATOR_META } from './ownership.js'
import type { ArtifactSummary } from './summary.js'

/** Escapes text for HTML content and quoted attribute values. */
export const escapeHtml = escapeXml

/** A relative file path as an href: each segment percent-encoded, then escaped for the attribute. */
export function hrefOf(path: string): string {
  return escapeHtml(path.split('/').map(encodeURIComponent).join('/'))
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:12px;word-break:break-all}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #eee}
.num{text-align:right;font-variant-numeric:tabular-nums}`

const page = (title: string, body: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">${GENERATOR_META}<meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>\n${body}\n</body></html>\n`

const fmt = (value: number | undefined) => (value === undefined ? '–' : Number.isInteger(value) ? String(value) : value.toPrecision(6))

const json = (value: unknown) => `<code>${escapeHtml(JSON.stringify(value) ?? '')}</code>`

/** The static `index.html` of one experiment: its best trial, a table of trials, every plot and every file. */
export function experimentIndexHtml(summary: ArtifactSummary, files: readonly string[]): string {
  const metric = summary.metric ?? 'metric'
  const best =
    summary.best === undefined
      ? '<p>No trial has a finite last value of the metric.</p>'
      : `<p>Best trial by last result (Ray's default scope) <b>${escapeHtml(summary.best.trialId)}</b> (${escapeHtml(summary.best.tag)}): ${escapeHtml(metric)} = <b>${escapeHtml(fmt(summary.best.value))}</b>` +
        ` at training_iteration ${escapeHtml(fmt(summary.best.trainingIteration))}, config ${json(summary.best.config)}</p>`
  const ever =
    summary.bestEver === undefined
      ? ''
      : `<p>Best ever: ${escapeHtml(metric)} = ${escapeHtml(fmt(summary.bestEver.value))} by ${escapeHtml(summary.bestEver.trialId)}` +
        ` at training_iteration ${escapeHtml(fmt(summary.bestEver.trainingIteration))}, config ${json(summary.bestEver.config)}</p>`
  const head = [
    'trial',
    'initial tag',
    'status',
    'initial config',
    'final config',
    `${metric} (last result)`,
    `${metric} (best ever)`,
    'exploits',
    'donated',
    'failures',
  ]
  const rows = summary.trials.map(
    (t) =>
      `<tr><td>${escapeHtml(t.trialId)}</td><td>${escapeHtml(t.initialTag)}</td><td>${escapeHtml(t.status)}${t.error === undefined ? '' : `: ${escapeHtml(t.error)}`}</td>` +
      `<td>${json(t.initialConfig)}</td><td>${json(t.finalConfig)}</td><td class="num">${escapeHtml(fmt(t.lastMetric))}</td>` +
      `<td class="num">${escapeHtml(fmt(t.bestMetric))}</td><td class="num">${t.exploits}</td><td class="num">${t.donated}</td><td class="num">${t.failures}</td></tr>`,
  )
  const images = files.filter((f) => f.endsWith('.svg') || f.endsWith('.gif'))
  const figures = images.map((f) => {
    const png = f.replace(/\.svg$/, '.png')
    const link = f.endsWith('.svg') && files.includes(png) ? ` · <a href="${hrefOf(png)}">PNG</a>` : ''
    return `<figure><img src="${hrefOf(f)}" alt="${escapeHtml(f)}" loading="lazy"><figcaption><a href="${hrefOf(f)}">${escapeHtml(f)}</a>${link}</figcaption></figure>`
  })
  const list = files.map((f) => `<li><a href="${hrefOf(f)}">${escapeHtml(f)}</a></li>`)
  const mode = summary.mode === undefined ? '' : ` (${escapeHtml(summary.mode)})`
  return page(
    summary.experiment,
    `<p><a href="../index.html">← all experiments</a></p><h1>${escapeHtml(summary.experiment)}</h1>` +
      `<p>Metric: ${escapeHtml(summary.metric ?? 'none')}${mode} · ${summary.trials.length} trials · ${summary.lineage.length} exploits</p>${best}${ever}` +
      `<h2>Trials</h2><table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>` +
      `<h2>Plots</h2>${figures.join('\n') || '<p>No plots.</p>'}<h2>Files</h2><ul>${list.join('\n')}</ul>`,
  )
}

/** One experiment as the run index lists it. */
export interface RunIndexEntry {
  /** Its directory, relative to the index. */
  readonly dir: string
  readonly summary: ArtifactSummary
}

/** The static `index.html` over all experiments in an artifacts directory. */
export function runIndexHtml(entries: readonly RunIndexEntry[]): string {
  const rows = entries.map(({ dir, summary: s }) => {
    const metric = s.metric === undefined ? '–' : `${s.metric}${s.mode === undefined ? '' : ` (${s.mode})`}`
    return (
      `<tr><td><a href="${hrefOf(`${dir}/index.html`)}">${escapeHtml(s.experiment)}</a></td><td>${escapeHtml(metric)}</td>` +
      `<td class="num">${escapeHtml(fmt(s.best?.value))}</td><td>${escapeHtml(s.best === undefined ? '–' : `${s.best.trialId} ${s.best.tag}`)}</td>` +
      `<td class="num">${s.trials.length}</td><td class="num">${s.lineage.length}</td></tr>`
    )
  })
  return page(
    'vitune experiments',
    `<h1>vitune experiments</h1><table><thead><tr><th>experiment</th><th>metric</th><th>best (last result)</th><th>best trial</th><th>trials</th><th>exploits</th></tr></thead>` +
      `<tbody>${rows.join('\n')}</tbody></table>`,
  )
}
