import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from '@vitune/runtime'
import { describe, expect, test } from 'vitest'
import { gridSearch, pbt2, pbt4 } from '../src/experiments.js'

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..')

describe("Ray's PBT visualization tutorial", () => {
  test('PBT with 2 trials reaches the optimum; the lower trial clones the upper one every 4 iterations', async () => {
    const result = await run(pbt2)
    expect(result.trials.map((t) => t.initialConfig)).toMatchObject([
      { h0: 0, h1: 1, lr: 0.05 },
      { h0: 1, h1: 0, lr: 0.05 },
    ])
    for (const trial of result.trials) expect(trial.metrics?.Q).toBeGreaterThanOrEqual(1.19)
    // Synchronous PBT with two trials: at every perturbation point the worse one exploits the better.
    expect(result.lineage.map((e) => e.time)).toEqual(Array.from({ length: 24 }, (_, i) => 4 * (i + 1)))
    for (const event of result.lineage) expect(event.donorIteration).toBe(event.time)
  })

  test('grid search without PBT is stuck with each fixed h: best Q stays below 0.6', async () => {
    const result = await run(gridSearch)
    expect(result.lineage).toEqual([])
    expect(result.best.metrics?.Q).toBeLessThan(0.6)
    expect(result.trials.every((t) => t.results.length === 100)).toBe(true)
  })

  test('PBT with 4 trials reaches the optimum', async () => {
    const result = await run(pbt4)
    expect(result.trials).toHaveLength(4)
    expect(result.best.metrics?.Q).toBeGreaterThanOrEqual(1.19)
  })

  test('the main job runs the tune file in tune mode, prints each best Q and its trial, writes the artifacts and figures, and exits 0', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'))
    const out = spawnSync(process.execPath, [join(exampleDir, 'node_modules', '@vitune', 'vitest-plugin', 'bin', 'vitune.mjs'), 'run'], {
      cwd: exampleDir,
      // As the main job (`pnpm tune` at the repository root) runs it: in the example, started at the root.
      env: { ...env, NO_COLOR: '1', CI: '1', INIT_CWD: join(exampleDir, '..', '..') },
      encoding: 'utf8',
      timeout: 300_000,
    })
    const output = `${out.stdout}\n${out.stderr}`
    expect(out.status, output).toBe(0)
    for (const name of [pbt2.name, gridSearch.name, pbt4.name]) {
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      expect(output).toMatch(new RegExp(`^${escaped}: best Q=[\\d.]+ \\(max, last result\\) by ★ \\w{5}_\\d{5} `, 'm'))
    }
    // A path that works from the repository root, where the user typed the command.
    expect(output).toContain('open examples/pbt-visualization/results/index.html in a browser')

    // The artifacts and the tutorial's figures, where the README says they are.
    const results = join(exampleDir, 'results')
    const index = readFileSync(join(results, 'index.html'), 'utf8')
    for (const slug of ['toy-quadratic-pbt-2-trials', 'toy-quadratic-grid-search-2-trials', 'toy-quadratic-pbt-4-trials']) {
      expect(index).toContain(`href="${slug}/index.html"`)
      const summary = JSON.parse(readFileSync(join(results, slug, 'summary.json'), 'utf8')) as { files: string[] }
      const figures = ['parameter-history', 'q-history', 'tutorial', 'metric'].flatMap((f) => [`plots/${f}.svg`, `plots/${f}.png`])
      expect(summary.files).toEqual(expect.arrayContaining([...figures, 'plots/animation.gif', 'results.csv', 'index.html']))
      for (const file of summary.files) expect(existsSync(join(results, slug, file)), `${slug}/${file}`).toBe(true)
      expect(
        readFileSync(join(results, slug, 'plots', 'animation.gif'))
          .subarray(0, 6)
          .toString(),
      ).toBe('GIF89a')
      const page = readFileSync(join(results, slug, 'index.html'), 'utf8')
      expect(page).toContain('src="plots/parameter-history.svg"')
      expect(page).toContain('src="plots/animation.gif"')
    }
    // The tutorial's figures colour each trial as the standard plots beside them do.
    const lineColors = (file: string) => [...readFileSync(file, 'utf8').matchAll(/<path[^>]* stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]).sort()
    const pbt4Plots = join(results, 'toy-quadratic-pbt-4-trials', 'plots')
    expect(lineColors(join(pbt4Plots, 'q-history.svg'))).toEqual(lineColors(join(pbt4Plots, 'metric.svg')))
    expect(lineColors(join(pbt4Plots, 'metric.svg'))).toHaveLength(4)
    for (const slug of ['toy-quadratic-pbt-2-trials', 'toy-quadratic-pbt-4-trials']) {
      for (const file of ['plots/lineage.png', 'plots/hyperparameters.png', 'pbt_global.txt'])
        expect(existsSync(join(results, slug, file)), `${slug}/${file}`).toBe(true)
    }
  })
})
