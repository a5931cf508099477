/**
 * Quality over 100 seeds: how often each method reaches the target and how many iterations it
 * takes, on the tutorial's quadratic toy and on Ray's triangle-wave toy. Deterministic: the same
 * seeds give the same table. `VITUNE_BENCH_SEEDS` changes the number of seeds.
 */
import { fmt, machine, table } from './lib/measure.js'
import { QUADRATIC_ITERATIONS, quadraticMethods } from './quality/quadratic.js'
import { type QualitySummary, scoreOverSeeds, seedsUpTo } from './quality/score.js'
import { TRIANGLE_STEPS, TRIANGLE_TARGET, triangleFixed, trianglePbt } from './quality/triangle.js'

const SEEDS = seedsUpTo(Number(process.env.VITUNE_BENCH_SEEDS ?? 100))
const Q_TARGET = 1.19

const reach = (s: QualitySummary) => `${s.hits}/${s.runs} (${fmt((100 * s.hits) / s.runs)} %)`
const medianHit = (s: QualitySummary) => (s.medianHitIteration === undefined ? 'never' : fmt(s.medianHitIteration, 1))

const quadraticRows: string[][] = []
for (const [name, make] of Object.entries(quadraticMethods)) {
  const summary = await scoreOverSeeds(make, SEEDS, 'Q', (q) => q >= Q_TARGET)
  quadraticRows.push([name, reach(summary), medianHit(summary), fmt(summary.medianBest, 3)])
}

const triangleRows: string[][] = []
for (const population of [2, 4, 8]) {
  const pbt = await scoreOverSeeds(
    (seed) => trianglePbt(population, seed),
    SEEDS,
    'meanAccuracy',
    (a) => a > TRIANGLE_TARGET,
  )
  const fixed = await scoreOverSeeds(
    (seed) => triangleFixed(population, seed),
    SEEDS,
    'meanAccuracy',
    (a) => a > TRIANGLE_TARGET,
  )
  triangleRows.push([String(population), reach(fixed), fmt(fixed.medianBest, 1), reach(pbt), medianHit(pbt), fmt(pbt.medianBest, 1)])
}

console.log(`## Quality over ${SEEDS.length} seeds\n\n${machine()}\n`)
console.log(`### Quadratic toy: 2 trials, ${QUADRATIC_ITERATIONS} iterations, target Q >= ${Q_TARGET}\n`)
console.log(table(['method', 'runs reaching the target', 'median iterations to reach it', 'median best Q'], quadraticRows))
console.log(`\n### Triangle-wave toy: synchronous PBT, up to ${TRIANGLE_STEPS} steps, target accuracy > ${TRIANGLE_TARGET}\n`)
console.log(
  table(
    ['population', 'no PBT: runs reaching', 'no PBT: median best accuracy', 'PBT: runs reaching', 'PBT: median step to reach', 'PBT: median best accuracy'],
    triangleRows,
  ),
)
