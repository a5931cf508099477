/**
 * PB2 against PBT over 100 seeds (issue 15): on the tutorial's quadratic toy at populations 2 and 4
 * with the settings Ray's PB2 was run with (bounds lr [0.005, 0.1], h0 and h1 [0, 1], interval 4,
 * quantile 0.5, synchronous), and on the triangle-wave toy. Deterministic: the same seeds give the
 * same tables. `VITUNE_BENCH_SEEDS` and `VITUNE_BENCH_TRIANGLE_SEEDS` change the number of seeds.
 */
import { fmt, machine, table } from './lib/measure.js'
import { quadraticPb2, quadraticPbt, trianglePb2 } from './quality/pb2.js'
import { type QualitySummary, scoreOverSeeds, seedsUpTo } from './quality/score.js'
import { TRIANGLE_TARGET, trianglePbt } from './quality/triangle.js'

const SEEDS = seedsUpTo(Number(process.env.VITUNE_BENCH_SEEDS ?? 100))
const TRIANGLE_SEEDS = seedsUpTo(Number(process.env.VITUNE_BENCH_TRIANGLE_SEEDS ?? SEEDS.length))

const reach = (s: QualitySummary) => `${s.hits}/${s.runs} (${fmt((100 * s.hits) / s.runs)} %)`
const medianHit = (s: QualitySummary) => (s.medianHitIteration === undefined ? 'never' : fmt(s.medianHitIteration, 1))

/** Ray Tune 2.58 on the same toy and settings (issue 15): every run reached the target. */
const RAY = { 2: { pb2: '29', pbt: '50' }, 4: { pb2: '27.5', pbt: '39.5' } } as const

const quadraticRows: string[][] = []
for (const population of [2, 4] as const) {
  for (const [method, make] of [
    ['PB2', quadraticPb2],
    ['PBT', quadraticPbt],
  ] as const) {
    const started = performance.now()
    const s = await scoreOverSeeds(
      (seed) => make(population, seed),
      SEEDS,
      'Q',
      (q) => q >= 1.19,
    )
    const msPerRun = (performance.now() - started) / SEEDS.length
    const ray = RAY[population][method === 'PB2' ? 'pb2' : 'pbt']
    quadraticRows.push([String(population), method, reach(s), medianHit(s), `100 %, ${ray}`, fmt(msPerRun)])
    console.error(`quadratic ${quadraticRows.at(-1)?.join(' | ')}`)
  }
}

const triangleRows: string[][] = []
for (const population of [2, 4]) {
  for (const [method, make] of [
    ['PB2', trianglePb2],
    ['PBT', trianglePbt],
  ] as const) {
    const started = performance.now()
    const s = await scoreOverSeeds(
      (seed) => make(population, seed),
      TRIANGLE_SEEDS,
      'meanAccuracy',
      (a) => a > TRIANGLE_TARGET,
    )
    const msPerRun = (performance.now() - started) / TRIANGLE_SEEDS.length
    triangleRows.push([String(population), method, reach(s), medianHit(s), fmt(s.medianBest, 1), fmt(msPerRun)])
    console.error(`triangle ${triangleRows.at(-1)?.join(' | ')}`)
  }
}

console.log(`## PB2 against PBT\n\n${machine()}\n`)
console.log(`### Quadratic toy, ${SEEDS.length} seeds, target Q >= 1.19\n`)
console.log(table(['population', 'method', 'runs reaching the target', 'median iterations', 'Ray 2.58: reaching, median', 'ms per run'], quadraticRows))
console.log(`\n### Triangle-wave toy, ${TRIANGLE_SEEDS.length} seeds, target accuracy > ${TRIANGLE_TARGET}\n`)
console.log(table(['population', 'method', 'runs reaching the target', 'median step to reach it', 'median best accuracy', 'ms per run'], triangleRows))
