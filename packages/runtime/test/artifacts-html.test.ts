import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseHTML } from 'linkedom'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { writeArtifacts, writeRunIndex } from '../src/node/index.js'
import { hostileFifo, parseCsv, tempDir } from './helpers/artifact-fixtures.js'

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

  test('the trials table lists each trial with its configs', () => {
    const { document } = parseHTML(html)
    const rows = [...document.querySelectorAll('tbody tr')]
    expect(rows).toHaveLength(grid.trials.length)
    expect(rows[0]?.textContent).toContain(grid.trials[0]?.trialId)
    expect(rows[0]?.textContent).toContain(JSON.stringify(grid.trials[0]?.initialConfig))
  })

  test('CSV cells with commas, quotes and newlines survive a round trip', () => {
    const [header, ...rows] = parseCsv(readFileSync(join(dir, 'results.csv'), 'utf8'))
    const label = (header as string[]).indexOf('config/label')
    expect(rows.map((r) => r[label])).toEqual(grid.trials.flatMap((t) => t.results.map((r) => r.config.label)))
  })
})
