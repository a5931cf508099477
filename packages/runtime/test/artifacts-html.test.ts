import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseHTML } from 'linkedom'
import { describe, expect, test } from 'vitest'
import { formatNumber, run } from '../src/index.js'
import { writeArtifacts, writeRunIndex } from '../src/node/index.js'
import { hostileFifo, parseCsv, quadraticPbt, tempDir } from './helpers/artifact-fixtures.js'

const grid = await run(hostileFifo())
const root = tempDir('html')
const dir = join(root, 'hostile')
const manifest = await writeArtifacts(grid, dir)
const html = readFileSync(join(dir, 'index.html'), 'utf8')
const runIndex = readFileSync(await writeRunIndex(root), 'utf8')

describe('static HTML index', () => {
  test('strings from names and configs are escaped: no markup of theirs reaches the page', () => {
    for (const page of [html, runIndex]) {
      expect(page).not.toContain('<script>')
      expect(page).not.toContain('<img src=x')
      expect(page).toContain('&#60;script&#62;alert(&#34;name&#34;)&#60;/script&#62; &#38; &#34;quotes&#34;')
    }
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;')
    const { document } = parseHTML(html)
    expect(document.querySelectorAll('script')).toHaveLength(0)
    expect(document.querySelectorAll('img').length).toBeGreaterThan(0)
    expect([...document.querySelectorAll('img')].every((img) => img.getAttribute('onerror') === null)).toBe(true)
    expect(document.querySelector('h1')?.textContent).toBe(grid.experiment)
  })

  test('links every written file, and shows each plot as an image', () => {
    const { document } = parseHTML(html)
    const hrefs = [...document.querySelectorAll('a')].map((a) => a.getAttribute('href'))
    for (const file of manifest.files) if (file !== 'index.html') expect(hrefs, file).toContain(file)
    const images = [...document.querySelectorAll('img')].map((img) => img.getAttribute('src'))
    expect(images).toContain('plots/metric.svg')
  })

  test('the trials table lists each trial with one column per hyperparameter, no config as JSON', () => {
    const { document } = parseHTML(html)
    const rows = [...document.querySelectorAll('tbody tr')]
    expect(rows).toHaveLength(grid.trials.length)
    expect(rows[0]?.textContent).toContain(grid.trials[0]?.trialId)
    const head = [...document.querySelectorAll('thead th')].map((th) => th.textContent)
    expect(head).toEqual(expect.arrayContaining(['label', 'x', 'score (last result)', 'score (best ever)']))
    const x = head.indexOf('x')
    expect(rows.map((r) => r.querySelectorAll('td')[x]?.textContent)).toEqual(grid.trials.map((t) => String(t.config.x)))
    expect(rows[0]?.textContent).not.toContain(JSON.stringify(grid.trials[0]?.initialConfig))
  })

  test('CSV cells with commas, quotes and newlines survive a round trip', () => {
    const [header, ...rows] = parseCsv(readFileSync(join(dir, 'results.csv'), 'utf8'))
    const label = (header as string[]).indexOf('config/label')
    expect(rows.map((r) => r[label])).toEqual(grid.trials.flatMap((t) => t.results.map((r) => r.config.label)))
  })
})

describe('experiment pages with many hyperparameters, and the page over all experiments', async () => {
  const root = tempDir('html-pbt')
  const pbt = await run(quadraticPbt('wide pbt'))
  const fifo = await run(hostileFifo())
  await writeArtifacts(pbt, join(root, 'wide-pbt'))
  await writeArtifacts(fifo, join(root, 'hostile'))
  const page = readFileSync(join(root, 'wide-pbt', 'index.html'), 'utf8')

  test('each hyperparameter has its own column; one an exploit changed reads initial → final', () => {
    const { document } = parseHTML(page)
    const head = [...document.querySelectorAll('thead th')].map((th) => th.textContent)
    expect(head).toEqual(expect.arrayContaining(['h0', 'h1', 'lr']))
    const trial = pbt.trials.find((t) => t.config.lr !== t.initialConfig.lr) as (typeof pbt.trials)[number]
    const row = [...document.querySelectorAll('tbody tr')][pbt.trials.indexOf(trial)]
    const cell = row?.querySelectorAll('td')[head.indexOf('lr')]?.textContent
    expect(cell).toBe(`${formatNumber(trial.initialConfig.lr, 4)} → ${formatNumber(trial.config.lr, 4)}`)
    // No cell holds a whole config, and none is allowed to wrap one character per line.
    expect(page).not.toContain('word-break:break-all')
    expect(page).toContain('td{white-space:nowrap}')
  })

  test('the index lists experiments in the order given (the order they ran), each with thumbnails of its figures', async () => {
    const index = readFileSync(await writeRunIndex(root, { order: ['wide pbt', fifo.experiment] }), 'utf8')
    const { document } = parseHTML(index)
    expect([...document.querySelectorAll('tbody tr td:first-child a')].map((a) => a.textContent)).toEqual(['wide pbt', fifo.experiment])
    const thumbs = [...document.querySelectorAll('tbody tr')][0]?.querySelectorAll('.thumbs img') ?? []
    expect([...thumbs].map((img) => img.getAttribute('src'))).toEqual([
      'wide-pbt/plots/metric.png',
      'wide-pbt/plots/hyperparameters.png',
      'wide-pbt/plots/lineage.png',
    ])
    const reversed = readFileSync(await writeRunIndex(root, { order: [fifo.experiment, 'wide pbt'] }), 'utf8')
    expect(reversed.indexOf('wide pbt')).toBeGreaterThan(reversed.indexOf('hostile'))
  })
})
