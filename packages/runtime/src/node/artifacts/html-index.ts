import type { Config } from '@vitune/dsl'
import { formatNumber } from '../../format-number.js'
import { configLeaves, labelValue, trialLabels } from '../../labels.js'
import { escapeXml } from '../plots/figure.js'
import { GENERATOR_META } from './ownership.js'
import type { ArtifactSummary } from './summary.js'

/** Escapes text for HTML content and quoted attribute values. */
export const escapeHtml = escapeXml

/** A relative file path as an href: each segment percent-encoded, then escaped for the attribute. */
export function hrefOf(path: string): string {
  return escapeHtml(path.split('/').map(encodeURIComponent).join('/'))
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3;white-space:nowrap}td{white-space:nowrap}code{font-size:12px}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #eee}
.num{text-align:right;font-variant-numeric:tabular-nums}.changed{color:#555}.wrap{white-space:normal;max-width:28em}
.thumbs{display:flex;flex-wrap:wrap;gap:6px}.thumbs img{height:110px;width:auto}`

const page = (title: string, body: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">${GENERATOR_META}<meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>\n${body}\n</body></html>\n`

const fmt = (value: number | undefined) => (value === undefined ? '–' : formatNumber(value, 6))

const json = (value: unknown) => `<code>${escapeHtml(JSON.stringify(value) ?? '')}</code>`

/** Hyperparameters that differ between trials or over a trial's life get a column each; the rest are listed once. */
function hyperparameterColumns(summary: ArtifactSummary): { varying: string[]; constant: [string, unknown][] } {
  const configs = summary.trials.flatMap((t) => [configLeaves(t.initialConfig), configLeaves(t.finalConfig)])
  const varying: string[] = []
  const constant: [string, unknown][] = []
  for (const key of new Set(configs.flatMap((c) => [...c.keys()]))) {
    const texts = new Set(configs.map((c) => JSON.stringify(c.get(key)) ?? 'undefined'))
    if (texts.size > 1) varying.push(key)
    else constant.push([key, configs[0]?.get(key)])
  }
  return { varying, constant }
}

/** One hyperparameter cell: the initial value, and `→ final` when an exploit changed it. */
function valueCell(initial: unknown, final: unknown): string {
  const from = escapeHtml(labelValue(initial))
  if (JSON.stringify(initial) === JSON.stringify(final)) return `<td class="num">${from}</td>`
  return `<td class="num">${from} <span class="changed">→ ${escapeHtml(labelValue(final))}</span></td>`
}

/**
 * The static `index.html` of one experiment: its best trial (by last result, the scope
 * `result.best` uses) and its best value ever, a table of trials with one column per
 * hyperparameter, every plot and every file.
 */
export function experimentIndexHtml(summary: ArtifactSummary, files: readonly string[]): string {
  const metric = summary.metric ?? 'metric'
  const labels = trialLabels(summary.trials.map((t) => t.initialConfig as Config))
  const labelOf = (trialId: string) => labels[summary.trials.findIndex((t) => t.trialId === trialId)] ?? trialId
  const best =
    summary.best === undefined
      ? '<p>No trial has a finite last value of the metric.</p>'
      : `<p>Best trial by its last result (Ray's default scope, <code>result.best</code>): ★ <b>${escapeHtml(summary.best.trialId)}</b> (${escapeHtml(labelOf(summary.best.trialId))}): ` +
        `${escapeHtml(metric)} = <b>${escapeHtml(fmt(summary.best.value))}</b> at training_iteration ${escapeHtml(fmt(summary.best.trainingIteration))}, config ${json(summary.best.config)}</p>`
  const ever =
    summary.bestEver === undefined || summary.bestEver.value === summary.best?.value
      ? ''
      : `<p>Best value ever: ${escapeHtml(metric)} = ${escapeHtml(fmt(summary.bestEver.value))} by ${escapeHtml(summary.bestEver.trialId)}` +
        ` at training_iteration ${escapeHtml(fmt(summary.bestEver.trainingIteration))}, config ${json(summary.bestEver.config)}</p>`
  const { varying, constant } = hyperparameterColumns(summary)
  const same =
    constant.length === 0 ? '' : `<p>Same in every trial: ${constant.map(([k, v]) => `${escapeHtml(k)} = ${escapeHtml(labelValue(v))}`).join(', ')}</p>`
  const head = ['trial', 'label', 'status', ...varying, `${metric} (last result)`, `${metric} (best ever)`, 'exploits', 'donated', 'failures']
  const rows = summary.trials.map((t, i) => {
    const initial = configLeaves(t.initialConfig)
    const final = configLeaves(t.finalConfig)
    const star = t.trialId === summary.best?.trialId ? '★ ' : ''
    const status = `<td${t.error === undefined ? '' : ' class="wrap"'}>${escapeHtml(t.status)}${t.error === undefined ? '' : `: ${escapeHtml(t.error)}`}</td>`
    return (
      `<tr><td>${star}${escapeHtml(t.trialId)}</td><td title="Ray's tag: ${escapeHtml(t.initialTag)}">${escapeHtml(labels[i] ?? t.initialTag)}</td>${status}` +
      varying.map((key) => valueCell(initial.get(key), final.get(key))).join('') +
      `<td class="num">${escapeHtml(fmt(t.lastMetric))}</td><td class="num">${escapeHtml(fmt(t.bestMetric))}</td>` +
      `<td class="num">${t.exploits}</td><td class="num">${t.donated}</td><td class="num">${t.failures}</td></tr>`
    )
  })
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
      `<p>Scheduler: ${escapeHtml(summary.scheduler.label)} · metric: ${escapeHtml(summary.metric ?? 'none')}${mode} · ${summary.trials.length} trials · ${summary.lineage.length} exploits</p>${best}${ever}` +
      `<h2>Trials</h2>${same}<p class="changed">A hyperparameter an exploit changed shows its initial value → its final value.</p>` +
      `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>` +
      `<h2>Plots</h2>${figures.join('\n') || '<p>No plots.</p>'}<h2>Files</h2><ul>${list.join('\n')}</ul>`,
  )
}

/** One experiment as the run index lists it. */
export interface RunIndexEntry {
  /** Its directory, relative to the index. */
  readonly dir: string
  readonly summary: ArtifactSummary
}

/** The PNG figures of an experiment, for thumbnails: the standard plots first, then those a tune file added. */
function thumbnails(files: readonly string[]): string[] {
  const standard = ['plots/metric.png', 'plots/hyperparameters.png', 'plots/lineage.png']
  const pngs = files.filter((f) => f.startsWith('plots/') && f.endsWith('.png'))
  return [...standard.filter((f) => pngs.includes(f)), ...pngs.filter((f) => !standard.includes(f))]
}

/**
 * The static `index.html` over all experiments in an artifacts directory, in the order they are
 * given (the order they ran), each with thumbnails of its figures.
 */
export function runIndexHtml(entries: readonly RunIndexEntry[]): string {
  const rows = entries.map(({ dir, summary: s }) => {
    const metric = s.metric === undefined ? '–' : `${s.metric}${s.mode === undefined ? '' : ` (${s.mode})`}`
    const page = hrefOf(`${dir}/index.html`)
    const thumbs = thumbnails(s.files)
      .map((f) => `<a href="${page}"><img src="${hrefOf(`${dir}/${f}`)}" alt="${escapeHtml(f)}" loading="lazy"></a>`)
      .join('')
    return (
      `<tr><td><a href="${page}">${escapeHtml(s.experiment)}</a></td><td>${escapeHtml(metric)}</td>` +
      `<td class="num">${escapeHtml(fmt(s.best?.value))}</td><td>${escapeHtml(s.best === undefined ? '–' : s.best.trialId)}</td>` +
      `<td class="num">${s.trials.length}</td><td class="num">${s.lineage.length}</td><td><div class="thumbs">${thumbs}</div></td></tr>`
    )
  })
  return page(
    'vitune experiments',
    `<h1>vitune experiments</h1><p>In the order they ran. "best" is the best trial by its last result, as <code>result.best</code>.</p>` +
      `<table><thead><tr><th>experiment</th><th>metric</th><th>best (last result)</th><th>best trial</th><th>trials</th><th>exploits</th><th>figures</th></tr></thead>` +
      `<tbody>${rows.join('\n')}</tbody></table>`,
  )
}
