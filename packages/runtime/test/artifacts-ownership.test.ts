import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import {
  type ArtifactSummary,
  INDEX_FILE,
  plotMetric,
  RESULTS_CSV,
  SUMMARY_FILE,
  writeArtifacts,
  writeExperimentIndex,
  writeFigure,
  writeRunIndex,
} from '../src/node/index.js'
import { quadraticPbt, tempDir } from './helpers/artifact-fixtures.js'

// vitune may only ever delete files it wrote: a user's own files in the artifacts directory are
// refused by default, and kept (never deleted, never overwritten) when allowed (issue 13 item 2).
const grid = await run(quadraticPbt('Data', [0, 1], 8))
const fifo = await run(quadraticPbt('Data', [0, 1], 8).fifo())
const roots: string[] = []
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

/** A project directory whose `data/` holds the user's own files. */
function userProject(): { root: string; data: string } {
  const root = tempDir('own')
  roots.push(root)
  const data = join(root, 'data')
  mkdirSync(join(data, 'raw'), { recursive: true })
  writeFileSync(join(data, 'train.csv'), 'x,y\n1,2\n')
  writeFileSync(join(data, 'README.md'), '# my data\n')
  writeFileSync(join(data, 'raw', 'part-0.csv'), 'x\n')
  return { root, data }
}

const userFilesIntact = (data: string) => {
  expect(readFileSync(join(data, 'train.csv'), 'utf8')).toBe('x,y\n1,2\n')
  expect(readFileSync(join(data, 'README.md'), 'utf8')).toBe('# my data\n')
  expect(readFileSync(join(data, 'raw', 'part-0.csv'), 'utf8')).toBe('x\n')
}

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, SUMMARY_FILE), 'utf8')) as ArtifactSummary

describe('artifacts never delete files vitune did not write', () => {
  test('a directory holding files vitune did not write is refused with VITUNE_ARTIFACT_OTHER_FILES, touching nothing', async () => {
    const { data } = userProject()
    await expect(writeArtifacts(grid, data)).rejects.toMatchObject({
      code: 'VITUNE_ARTIFACT_OTHER_FILES',
      message: expect.stringMatching(/experiment "Data".*README\.md.*raw\/part-0\.csv.*train\.csv.*allowOtherFiles/s),
    })
    userFilesIntact(data)
    expect(existsSync(join(data, RESULTS_CSV))).toBe(false)
    expect(existsSync(join(data, SUMMARY_FILE))).toBe(false)
  })

  test('with allowOtherFiles, runs write next to the user files and never delete them, run after run', async () => {
    const { data } = userProject()
    const first = await writeArtifacts(grid, data, { allowOtherFiles: true })
    expect(first.files).not.toContain('train.csv')
    expect(summaryOf(data).files).not.toContain('train.csv')
    // A second run, even one that writes fewer files, removes only what the first one wrote.
    await writeArtifacts(fifo, data, { allowOtherFiles: true })
    userFilesIntact(data)
    expect(existsSync(join(data, 'pbt_global.txt'))).toBe(false)
    // Without the option the user files are still refused: they are not vitune's.
    await expect(writeArtifacts(grid, data)).rejects.toMatchObject({ code: 'VITUNE_ARTIFACT_OTHER_FILES' })
    userFilesIntact(data)
    expect(readFileSync(join(data, INDEX_FILE), 'utf8')).not.toContain('train.csv')
  })

  test('with allowOtherFiles, a user file with the name of an artifact is refused, not overwritten', async () => {
    const { data } = userProject()
    writeFileSync(join(data, RESULTS_CSV), 'mine\n')
    await expect(writeArtifacts(grid, data, { allowOtherFiles: true })).rejects.toMatchObject({
      code: 'VITUNE_ARTIFACT_OTHER_FILES',
      message: expect.stringContaining(RESULTS_CSV),
    })
    expect(readFileSync(join(data, RESULTS_CSV), 'utf8')).toBe('mine\n')
    userFilesIntact(data)
  })

  test('an artifact the user changed after the run is no longer vitune’s: it is refused, not deleted', async () => {
    const dir = join(tempDir('changed'), 'exp')
    roots.push(dir)
    await writeArtifacts(grid, dir)
    writeFileSync(join(dir, 'pbt_global.txt'), 'my notes\n')
    await expect(writeArtifacts(fifo, dir)).rejects.toMatchObject({
      code: 'VITUNE_ARTIFACT_OTHER_FILES',
      message: expect.stringContaining('pbt_global.txt'),
    })
    expect(readFileSync(join(dir, 'pbt_global.txt'), 'utf8')).toBe('my notes\n')
  })

  test('a forged summary.json cannot make vitune delete a file it did not write', async () => {
    const { data } = userProject()
    writeFileSync(join(data, SUMMARY_FILE), JSON.stringify({ generator: 'vitune', schemaVersion: 1, files: ['train.csv', 'README.md', '../x'] }))
    writeFileSync(join(data, '..', 'x'), 'outside\n')
    await writeArtifacts(grid, data, { allowOtherFiles: true }).catch(() => undefined)
    userFilesIntact(data)
    expect(readFileSync(join(data, '..', 'x'), 'utf8')).toBe('outside\n')
  })

  test('an unreadable summary.json is somebody else’s file: refused with a coded error, not a raw SyntaxError', async () => {
    const dir = join(tempDir('badsummary'), 'exp')
    roots.push(dir)
    mkdirSync(dir)
    writeFileSync(join(dir, SUMMARY_FILE), '{ not json')
    await expect(writeArtifacts(grid, dir)).rejects.toMatchObject({ code: 'VITUNE_ARTIFACT_OTHER_FILES' })
    expect(readFileSync(join(dir, SUMMARY_FILE), 'utf8')).toBe('{ not json')
  })

  test('figures a tune file adds are linked and kept: the next run neither refuses nor deletes them', async () => {
    const dir = join(tempDir('added'), 'exp')
    roots.push(dir)
    await writeArtifacts(grid, dir)
    await writeFigure(plotMetric(grid, { name: 'extra' }), join(dir, 'plots'))
    await writeExperimentIndex(dir)
    expect(summaryOf(dir).files).toEqual(expect.arrayContaining(['plots/extra.svg', 'plots/extra.png']))
    expect(readFileSync(join(dir, INDEX_FILE), 'utf8')).toContain('plots/extra.svg')
    await writeArtifacts(fifo, dir)
    expect(existsSync(join(dir, 'plots', 'extra.svg'))).toBe(true)
    // Stale trial directories of the first run are gone with their files.
    for (const trial of grid.trials) {
      if (!fifo.trials.some((t) => t.trialId === trial.trialId)) expect(existsSync(join(dir, 'trials', trial.trialId))).toBe(false)
    }
  })

  test('hidden files (.DS_Store, .gitignore) are neither refused nor touched', async () => {
    const dir = join(tempDir('hidden'), 'exp')
    roots.push(dir)
    mkdirSync(dir)
    writeFileSync(join(dir, '.gitignore'), '*\n')
    await writeArtifacts(grid, dir)
    await writeArtifacts(fifo, dir)
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('*\n')
  })

  test('a directory of the first summary format (every file listed, no digests) is accepted; its files are kept, not deleted', async () => {
    const dir = join(tempDir('legacy'), 'exp')
    roots.push(dir)
    await writeArtifacts(grid, dir)
    const { written: _written, otherFiles: _others, ...rest } = summaryOf(dir)
    writeFileSync(join(dir, SUMMARY_FILE), JSON.stringify({ ...rest, schemaVersion: 1 }))
    writeFileSync(join(dir, INDEX_FILE), '<!doctype html><title>old</title>')
    await writeArtifacts(fifo, dir)
    expect(existsSync(join(dir, 'pbt_global.txt'))).toBe(true)
    expect(summaryOf(dir).schemaVersion).toBe(2)
    expect(readFileSync(join(dir, INDEX_FILE), 'utf8')).toContain('<meta name="generator" content="vitune">')
  })

  test('the run index never overwrites an index.html that vitune did not write', async () => {
    const { root } = userProject()
    writeFileSync(join(root, INDEX_FILE), '<h1>my site</h1>')
    await writeArtifacts(grid, join(root, 'exp'))
    await expect(writeRunIndex(root)).rejects.toMatchObject({ code: 'VITUNE_ARTIFACT_OTHER_FILES', message: expect.stringContaining(INDEX_FILE) })
    expect(readFileSync(join(root, INDEX_FILE), 'utf8')).toBe('<h1>my site</h1>')
    // Its own index it rewrites.
    rmSync(join(root, INDEX_FILE))
    await writeRunIndex(root)
    await writeRunIndex(root)
    expect(readFileSync(join(root, INDEX_FILE), 'utf8')).toContain('exp/index.html')
  })
})
