/**
 * ASHA and HyperBand against FIFO and random search on a real trainable, the iris MLP of
 * examples/iris-mlp with 32 configurations (learning rates 1e-4 to 3, weight decays up to 0.1):
 * the best validation loss reached and the epochs spent, over seeds. "Random search, same budget"
 * trains as many whole configurations as ASHA's epochs pay for. Deterministic per seed.
 * `VITUNE_BENCH_SEEDS` changes the number of seeds (default 20: each seed trains about 2,000 epochs).
 */
import { CONFIGS, EPOCHS, irisAsha, irisFifoMany, irisHyperband } from '../examples/iris-mlp/src/early-stopping.js'
import { fmt, machine, table } from './lib/measure.js'
import { run } from './lib/vitune.js'
import { median, seedsUpTo } from './quality/score.js'

const SEEDS = seedsUpTo(Number(process.env.VITUNE_BENCH_SEEDS ?? 20))

interface Outcome {
  readonly loss: number
  readonly accuracy: number
  readonly epochs: number
}

async function outcome(exp: typeof irisFifoMany): Promise<Outcome> {
  const grid = await run(exp)
  const best = grid.getBestResult()
  return {
    loss: best.metrics?.valLoss as number,
    accuracy: best.metrics?.valAccuracy as number,
    epochs: grid.trials.reduce((n, t) => n + t.results.length, 0),
  }
}

const methods = new Map<string, Outcome[]>()
const add = (name: string, o: Outcome) => methods.set(name, [...(methods.get(name) ?? []), o])
for (const seed of SEEDS) {
  add(`FIFO, all ${CONFIGS} configurations`, await outcome(irisFifoMany.seed(seed)))
  const asha = await outcome(irisAsha.seed(seed))
  add('ASHA (grace 4, η 3)', asha)
  add('HyperBand (maxT 36, η 3)', await outcome(irisHyperband.seed(seed)))
  const configs = Math.max(1, Math.round(asha.epochs / EPOCHS))
  add("random search, ASHA's budget", await outcome(irisFifoMany.samples(configs).seed(seed)))
}

const fifoLoss = methods.get(`FIFO, all ${CONFIGS} configurations`)?.map((o) => o.loss) ?? []
const rows = [...methods].map(([name, outcomes]) => {
  const asGood = outcomes.filter((o, i) => o.loss <= (fifoLoss[i] as number) * 1.05).length
  return [
    name,
    fmt(median(outcomes.map((o) => o.epochs)) as number),
    fmt(median(outcomes.map((o) => o.loss)) as number, 4),
    fmt(median(outcomes.map((o) => o.accuracy)) as number, 3),
    `${asGood}/${outcomes.length}`,
  ]
})
console.log(`## Early stopping on the iris MLP, ${SEEDS.length} seeds\n\n${machine()}\n`)
console.log(table(['method', 'median epochs spent', 'median best valLoss', 'its median valAccuracy', "runs within 5 % of FIFO's best loss"], rows))
