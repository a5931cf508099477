import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { type ArtifactSummary, RESULTS_CSV, SUMMARY_FILE, trialResultFile, writeArtifacts, writeRunIndex } from '../src/node/index.js'
import { formatPolicyRecord } from '../src/schedulers/policy-log.js'
import { parseCsv, quadraticPbt, tempDir } from './helpers/artifact-fixtures.js'

const grid = await run(quadraticPbt('artifact files'))
const dir = join(tempDir('artifacts'), 'artifact-files')
const manifest = await writeArtifacts(grid, dir)
const read = (file: string) => readFileSync(join(dir, file), 'utf8')

describe('writeArtifacts', () => {
  test('every file in the manifest exists, and the manifest lists result, CSV, policy, plot, summary and index files', () => {
    for (const file of manifest.files) expect(existsSync(join(dir, file)), file).toBe(true)
    expect(manifest.files).toEqual(
      expect.arrayContaining([
        RESULTS_CSV,
        'pbt_global.txt',
        'plots/metric.svg',
        'plots/metric.png',
        'plots/hyperparameters.svg',
        'plots/hyperparameters.png',
        'plots/lineage.svg',
        'plots/lineage.png',
        SUMMARY_FILE,
        'index.html',
        ...grid.trials.map((t) => trialResultFile(t.trialId)),
      ]),
    )
  })

  test("each trial's result.json has one JSON line per result with Ray's field names, done on the final one", () => {
    for (const trial of grid.trials) {
      const lines = read(trialResultFile(trial.trialId)).trimEnd().split('\n')
      expect(lines).toHaveLength(trial.results.length)
      const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
      rows.forEach((row, i) => {
        const result = trial.results[i]
        expect(row.training_iteration).toBe(result?.trainingIteration)
        expect(row.iterations_since_restore).toBe(result?.iterationsSinceRestore)
        expect(row.trial_id).toBe(trial.trialId)
        expect(row.config).toEqual(result?.config)
        expect(row.Q).toBe(result?.Q)
        expect(typeof row.time_this_iter_s).toBe('number')
        expect(typeof row.time_total_s).toBe('number')
        expect(row).not.toHaveProperty('trainingIteration')
        expect(row.done).toBe(i === rows.length - 1)
      })
    }
  })

  test('results.csv holds every result of every trial, nested config flattened as config/<key>', () => {
    const [header, ...rows] = parseCsv(read(RESULTS_CSV))
    expect(header).toEqual(
      expect.arrayContaining(['Q', 'theta0', 'training_iteration', 'trial_id', 'time_total_s', 'config/lr', 'config/h0', 'config/h1', 'done']),
    )
    const total = grid.trials.reduce((n, t) => n + t.results.length, 0)
    expect(rows).toHaveLength(total)
    const col = (name: string) => (header as string[]).indexOf(name)
    const first = grid.trials[0]?.results[0]
    expect(rows[0]?.[col('trial_id')]).toBe(first?.trialId)
    expect(Number(rows[0]?.[col('Q')])).toBe(first?.Q)
    expect(Number(rows[0]?.[col('config/lr')])).toBe(first?.config.lr)
  })

  test("policy logs hold Ray's six-field records: the global log and one file per exploited trial", () => {
    expect(grid.policyLog.length).toBeGreaterThan(0)
    const global = read('pbt_global.txt').trimEnd().split('\n')
    expect(global).toEqual(grid.policyLog.map(formatPolicyRecord))
    for (const line of global) {
      const record = JSON.parse(line) as unknown[]
      expect(record).toHaveLength(6)
      expect(Number.isInteger(record[2]) && Number.isInteger(record[3])).toBe(true)
    }
    for (const trial of grid.trials) {
      const file = `pbt_policy_${trial.trialId}.txt`
      expect(existsSync(join(dir, file)), file).toBe(trial.policy.length > 0)
      if (trial.policy.length > 0) expect(read(file).trimEnd().split('\n')).toHaveLength(trial.policy.length)
    }
  })

  test('summary.json names the best trial and counts each trial’s exploits', () => {
    const summary = JSON.parse(read(SUMMARY_FILE)) as ArtifactSummary
    expect(summary.generator).toBe('vitune')
    expect(summary.experiment).toBe('artifact files')
    expect(summary.best?.trialId).toBe(grid.best.trialId)
    expect(summary.best?.value).toBe(grid.best.metrics?.Q)
    expect(summary.trials.map((t) => t.exploits)).toEqual(grid.trials.map((t) => t.lineage.length))
    expect(summary.trials.reduce((n, t) => n + t.donated, 0)).toBe(grid.lineage.length)
    expect(summary.lineage).toHaveLength(grid.lineage.length)
  })

  test('a second run removes the files of the first that it does not write, and leaves persistence files alone', async () => {
    const again = join(tempDir('rewrite'), 'exp')
    await writeArtifacts(grid, again)
    mkdirSync(join(again, 'checkpoints'))
    writeFileSync(join(again, 'experiment-state.bin'), 'state')
    const fifo = await run(quadraticPbt('artifact files').fifo())
    const second = await writeArtifacts(fifo, again)
    expect(existsSync(join(again, 'pbt_global.txt'))).toBe(false)
    expect(existsSync(join(again, 'plots/lineage.svg'))).toBe(false)
    expect(existsSync(join(again, 'checkpoints'))).toBe(true)
    expect(readFileSync(join(again, 'experiment-state.bin'), 'utf8')).toBe('state')
    for (const file of second.files) expect(existsSync(join(again, file)), file).toBe(true)
  })

  test('a path that cannot be a directory fails with VITUNE_ARTIFACT_DIR naming the experiment', async () => {
    const file = join(tempDir('blocked'), 'not-a-dir')
    writeFileSync(file, 'x')
    await expect(writeArtifacts(grid, join(file, 'exp'))).rejects.toMatchObject({
      code: 'VITUNE_ARTIFACT_DIR',
      message: expect.stringContaining('experiment "artifact files"'),
    })
  })

  test('the run index links every experiment directory that has a vitune summary', async () => {
    const root = tempDir('root')
    await writeArtifacts(grid, join(root, 'one'))
    await writeArtifacts(grid, join(root, 'two'))
    mkdirSync(join(root, 'unrelated'))
    const html = readFileSync(await writeRunIndex(root), 'utf8')
    expect(html).toContain('href="one/index.html"')
    expect(html).toContain('href="two/index.html"')
    expect(html).not.toContain('unrelated')
  })
})
