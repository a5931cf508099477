import { deriveStream } from './src/random.js'
import { pb2Explore } from './src/schedulers/pb2-explore.js'
import type { GpHyperparameters } from './src/schedulers/pb2-gp.js'
const rnd = deriveStream(1, 'x')
for (const [trials, T, d] of [[2, 25, 3], [4, 25, 3], [4, 50, 3], [8, 50, 3]] as const) {
  const rows = []
  for (let t = 1; t <= T; t++) for (let i = 0; i < trials; i++) rows.push({ trialId: String(i), time: t * 4, values: Array.from({length: d}, () => rnd.next()), reward: t * (i + 1) + rnd.next() })
  const fixed = rows.map((r, k) => ({ ...r, values: rows[k - (k % (2*trials)) + (k % trials)]!.values }))
  const bounds = Array.from({length: d}, (_, i) => ({ path: ['h' + i], low: 0, high: 1, integer: false }))
  let start: GpHyperparameters | undefined
  let cold = 0, warm = 0, nw = 0, nc = 0
  for (let rep = 0; rep < 3; rep++) { start = undefined
  for (let m = trials * 3; m <= fixed.length; m += trials) {
    const t0 = performance.now()
    const c = pb2Explore({ rows: fixed.slice(0, m), bounds, targetId: '0', donorId: '1', donorConfig: {}, pending: [], stream: deriveStream(m, 'p'), start })
    const dt = performance.now() - t0
    if (start === undefined) { cold += dt; nc++ } else { warm += dt; nw++ }
    start = c.model?.hyperparameters
  } }
  console.log(trials, T, fixed.length, 'cold', (cold / nc).toFixed(1), 'warm avg', (warm / nw).toFixed(1), 'ms; last', start)
}
