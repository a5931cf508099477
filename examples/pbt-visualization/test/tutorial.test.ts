import { spawnSync } from 'node:child_process'
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

  test('the main job runs the tune file in tune mode, prints each best Q and its trial, and exits 0', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'))
    const out = spawnSync(process.execPath, [join(exampleDir, 'node_modules', '@vitune', 'vitest-plugin', 'bin', 'vitune.mjs'), 'run'], {
      cwd: exampleDir,
      env: { ...env, NO_COLOR: '1', CI: '1' },
      encoding: 'utf8',
      timeout: 300_000,
    })
    const output = `${out.stdout}\n${out.stderr}`
    expect(out.status, output).toBe(0)
    for (const name of [pbt2.name, gridSearch.name, pbt4.name])
      expect(output).toMatch(new RegExp(`│ ${name}\\s+│ Q \\(max\\)\\s+│ [\\d.]+\\s+│ \\w{5}_\\d{5} `))
  })
})
