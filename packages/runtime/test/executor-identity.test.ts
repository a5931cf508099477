// Same results everywhere: for a seed, a run gives the same results in this thread, on one worker
// thread and on two (synchronous PBT at any concurrency; asynchronous PBT at the same concurrency),
// over a randomized set of plans drawn as the decision fingerprints draw theirs.
import { experiment, uniform } from '@vitune/dsl'
import { afterAll, describe, expect, test } from 'vitest'
import { deriveStream, InProcessExecutor, type ResultGrid, run, type TrialExecutor, type TuneEvent } from '../src/index.js'
import { ThreadExecutor } from '../src/node/index.js'
import { planned } from './fixtures/identity-trainables.js'
import { comparable } from './helpers/grid-identity.js'

interface Plan {
  readonly synch: boolean
  readonly population: number
  readonly iterations: number
  readonly interval: number
  readonly quantile: number
  readonly nanRate: number
  readonly failRate: number
  readonly levels: number
  readonly concurrency: number | undefined
  readonly seed: number
}

/** A plan drawn from a seeded stream (its own label, so these are not the fingerprints' plans). */
function plan(index: number): Plan {
  const r = deriveStream(11, `executor-plan:${index}`)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r.next() * xs.length)] as T
  return {
    synch: index % 2 === 0,
    population: pick([2, 3, 5, 8, 13, 30]),
    iterations: pick([9, 16, 25]),
    interval: pick([1, 2, 3, 4]),
    quantile: pick([0.1, 0.25, 0.5]),
    nanRate: pick([0, 0, 0.1, 0.3]),
    failRate: pick([0, 0, 0.03]),
    levels: pick([3, 10, 1000]),
    concurrency: pick([undefined, undefined, 1, 4]),
    seed: 500 + index,
  }
}

function build(p: Plan) {
  const e = experiment(`executors ${p.seed}`)
    .space({ x: uniform(0, 1), failRate: p.failRate, nanRate: p.nanRate, levels: p.levels })
    .mutate({ x: uniform(0, 1) })
    .pbt({ perturbationInterval: p.interval, quantileFraction: p.quantile, synch: p.synch })
    .metric('score', 'max')
    .stop({ trainingIteration: p.iterations })
    .samples(p.population)
    .failures({ maxFailures: -1 })
    .seed(p.seed)
    .train(planned)
  return p.concurrency === undefined ? e : e.concurrency(p.concurrency)
}

async function runOn(p: Plan, executor: TrialExecutor): Promise<string> {
  const events: TuneEvent[] = []
  const grid: ResultGrid = await run(build(p), { executor, onEvent: (e) => events.push(e) })
  return comparable(grid, events)
}

const inProcess = new InProcessExecutor()
const oneThread = new ThreadExecutor({ threads: 1 })
const twoThreads = new ThreadExecutor({ threads: 2 })
afterAll(() => Promise.all([oneThread.shutdown(), twoThreads.shutdown()]))

describe('the same results in this thread and on worker threads', () => {
  for (let index = 0; index < 16; index++) {
    const p = plan(index)
    test(`plan ${index}: ${p.synch ? 'synchronous' : 'asynchronous'} PBT, population ${p.population}, concurrency ${p.concurrency ?? 'all'}, failure rate ${p.failRate}`, async () => {
      const here = await runOn(p, inProcess)
      expect(await runOn(p, oneThread)).toBe(here)
      expect(await runOn(p, twoThreads)).toBe(here)
    })
  }

  test('the plans cover both modes, failures, NaN scores and limited concurrency', () => {
    const plans = Array.from({ length: 16 }, (_, i) => plan(i))
    expect(plans.some((p) => p.failRate > 0 && p.synch)).toBe(true)
    expect(plans.some((p) => p.failRate > 0 && !p.synch)).toBe(true)
    expect(plans.some((p) => p.nanRate > 0)).toBe(true)
    expect(plans.some((p) => p.concurrency !== undefined && !p.synch)).toBe(true)
  })
})
