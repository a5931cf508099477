import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { experiment, grid } from '@vitune/dsl'
import { describe, expect, test } from 'vitest'
import { run } from '../src/index.js'
import { csvCell } from '../src/node/artifacts/csv.js'
import {
  assertArtifactDirectory,
  DirectoryStorage,
  experimentSlug,
  plotMetric,
  RESULTS_CSV,
  runResumable,
  writeArtifacts,
  writeFigure,
} from '../src/node/index.js'
import { parseCsv, tempDir } from './helpers/artifact-fixtures.js'

// Experiment names and file names (issue 13 items 9 and 15): two experiments never share a
// directory, non-Latin names stay readable, long names work, figure names stay inside plots/,
// and results.csv cannot smuggle a formula into a spreadsheet.
const tiny = (name: string) =>
  experiment(name)
    .space({ x: grid([1, 2]) })
    .metric('score', 'max')
    .stop({ trainingIteration: 2 })
    .seed(1)
    .train(async function* ({ config }) {
      for (let i = 1; ; i++) yield { score: config.x * i }
    })

describe('experimentSlug', () => {
  test('keeps letters and digits of any script, so non-Latin names are readable and distinct', () => {
    expect(experimentSlug('Тест один')).toBe('тест-один')
    expect(experimentSlug('Тест два')).toBe('тест-два')
    expect(experimentSlug('学习率 搜索')).toBe('学习率-搜索')
    expect(experimentSlug('Toy quadratic, PBT: 4 trials')).toBe('toy-quadratic-pbt-4-trials')
  })

  test('names with no letter or digit get distinct hashed slugs, never one shared "experiment"', () => {
    const slugs = ['..', '...', '.', '!!', '—', ' '].map(experimentSlug)
    expect(new Set(slugs).size).toBe(slugs.length)
    for (const slug of slugs) expect(slug).toMatch(/^experiment-[0-9a-f]{8}$/)
  })

  test('long names are cut to a usable length with a hash of the whole name; Windows device names are avoided', () => {
    const a = experimentSlug(`${'very long experiment name '.repeat(12)}A`)
    const b = experimentSlug(`${'very long experiment name '.repeat(12)}B`)
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(96)
    expect(a).not.toBe(b)
    expect(Buffer.byteLength(experimentSlug('Ж'.repeat(300)))).toBeLessThanOrEqual(96)
    expect(experimentSlug('CON')).toMatch(/^con-[0-9a-f]{8}$/)
  })
})

describe('two experiments never share a directory', () => {
  test('artifacts: the second of two names with one slug ("A b", "a-b") is refused with VITUNE_ARTIFACT_NAME, the first kept', async () => {
    const root = tempDir('names')
    const dir = join(root, experimentSlug('A b'))
    expect(experimentSlug('a-b')).toBe(experimentSlug('A b'))
    await writeArtifacts(await run(tiny('A b')), dir)
    const before = readFileSync(join(dir, RESULTS_CSV), 'utf8')
    const second = await run(tiny('a-b').stop({ trainingIteration: 3 }))
    await expect(assertArtifactDirectory('a-b', dir)).rejects.toMatchObject({ code: 'VITUNE_ARTIFACT_NAME', message: expect.stringContaining('"A b"') })
    await expect(writeArtifacts(second, dir, { allowOtherFiles: true })).rejects.toMatchObject({ code: 'VITUNE_ARTIFACT_NAME' })
    expect(readFileSync(join(dir, RESULTS_CSV), 'utf8')).toBe(before)
  })

  test('storage: Тест один, Тест два, .. and ... each get their own directory under .vitune', async () => {
    const cwd = tempDir('names-storage')
    for (const name of ['Тест один', 'Тест два', '..', '...']) await runResumable(tiny(name), { cwd })
    const dirs = readdirSync(join(cwd, '.vitune')).sort()
    expect(dirs).toHaveLength(4)
    expect(dirs).toEqual(expect.arrayContaining(['тест-один', 'тест-два']))
  })

  test('storage: a name sharing a slug with another experiment’s run is refused with VITUNE_STATE_MISMATCH', async () => {
    const cwd = tempDir('names-clash')
    await runResumable(tiny('A b'), { cwd })
    await expect(runResumable(tiny('a-b'), { cwd })).rejects.toMatchObject({ code: 'VITUNE_STATE_MISMATCH', message: expect.stringContaining('"A b"') })
  })
})

describe('long names and bad paths are coded errors, before the run', () => {
  const long = `experiment ${'x'.repeat(300)}`

  test('a 300-character experiment name runs resumably and writes its artifacts (no ENAMETOOLONG)', async () => {
    const cwd = tempDir('long')
    const result = await runResumable(tiny(long), { cwd })
    await writeArtifacts(result, join(cwd, 'out', experimentSlug(long)))
    expect(readdirSync(join(cwd, 'out'))).toHaveLength(1)
  })

  test('a storage path with a 300-byte component is VITUNE_STATE_DIR when the storage is made, not a raw ENAMETOOLONG', () => {
    const dir = join(tempDir('long-storage'), 'y'.repeat(300))
    expect(() => new DirectoryStorage(dir)).toThrow(expect.objectContaining({ code: 'VITUNE_STATE_DIR' }))
  })

  test('a storage path under a file is VITUNE_STATE_DIR, not a raw ENOTDIR', async () => {
    const root = tempDir('under-file')
    const file = join(root, 'file')
    mkdirSync(root, { recursive: true })
    writeFileSync(file, 'x')
    await expect(run(tiny('under a file'), { storage: new DirectoryStorage(join(file, 'state')) })).rejects.toMatchObject({ code: 'VITUNE_STATE_DIR' })
  })

  test('an artifacts directory with a 300-byte component is VITUNE_ARTIFACT_DIR from the check before the run', async () => {
    const dir = join(tempDir('long-out'), 'z'.repeat(300), 'exp')
    await expect(assertArtifactDirectory('long', dir)).rejects.toMatchObject({ code: 'VITUNE_ARTIFACT_DIR' })
  })
})

describe('writeFigure', () => {
  test.each(['../../x', '../x', 'a/b', 'a\\b', '..', '.', ''])('the name %j is VITUNE_ARTIFACT_NAME and writes nothing', async (name) => {
    const root = tempDir('figure')
    const plots = join(root, 'exp', 'plots')
    const figure = { ...plotMetric(await run(tiny('figures'))), name }
    await expect(writeFigure(figure, plots)).rejects.toMatchObject({ code: 'VITUNE_ARTIFACT_NAME' })
    expect(readdirSync(root)).toEqual([])
  })
})

describe('results.csv against formula injection', () => {
  test('text starting with =, +, -, @, tab or CR gets a leading quote; numbers and numeric text do not', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    expect(csvCell('+1+1')).toBe("'+1+1")
    expect(csvCell('-2+3')).toBe("'-2+3")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\tx')).toBe("'\tx")
    expect(csvCell(-0.5)).toBe('-0.5')
    expect(csvCell(-1e-7)).toBe('-1e-7')
    expect(csvCell('-0.5')).toBe('-0.5')
    expect(csvCell('adam')).toBe('adam')
    expect(csvCell(Number.NEGATIVE_INFINITY)).toBe('-Infinity')
  })

  test('a config string and a metric name that are formulas arrive quoted in results.csv', async () => {
    const exp = experiment('csv injection')
      .space({ label: grid(['=cmd|"/c calc"!A1', 'plain']), lr: -0.5 })
      .stop({ trainingIteration: 1 })
      .train(async function* ({ config }) {
        yield { '=metric': 1, score: config.lr }
      })
    const dir = join(tempDir('csv'), 'exp')
    await writeArtifacts(await run(exp), dir)
    const [header, first] = parseCsv(readFileSync(join(dir, RESULTS_CSV), 'utf8'))
    expect(header).toContain("'=metric")
    const col = (name: string) => (header as string[]).indexOf(name)
    expect(first?.[col('config/label')]).toBe(`'=cmd|"/c calc"!A1`)
    expect(first?.[col('config/lr')]).toBe('-0.5')
    expect(first?.[col('score')]).toBe('-0.5')
  })
})
