/**
 * Checkpoint cost: a 10 MB Float64Array saved into the memory store (as at a perturbation) and
 * loaded for the exploiting trial, against one `structuredClone` of the same array. Target: the
 * store's save + load within 1.5 times the clone.
 */
import { fmt, machine, table, timeTasks } from './lib/measure.js'
import { type CheckpointRef, MemoryCheckpointStore } from './lib/vitune.js'

const weights = new Float64Array((10 * 1024 * 1024) / 8).map((_, i) => Math.sin(i))
const store = new MemoryCheckpointStore()
let id = 0
const refFor = (): CheckpointRef => {
  const n = id++
  return { id: n, trialId: 'donor', trainingIteration: n, result: { trainingIteration: n } as CheckpointRef['result'] }
}

const times = await timeTasks(
  {
    'structuredClone(array)': () => void structuredClone(weights),
    'store.save + store.load': () => {
      const ref = refFor()
      store.save(ref, { weights, step: ref.id })
      const restored = store.load(ref) as { weights: Float64Array }
      if (restored.weights.length !== weights.length) throw new Error('lost data')
      // Retention would free it; keep memory flat across samples.
      store.delete(ref)
    },
    'store.save only': () => {
      const ref = refFor()
      store.save(ref, { weights, step: ref.id })
      store.delete(ref)
    },
  },
  { iterations: 200, warmupIterations: 20 },
)
const clone = times.get('structuredClone(array)')?.medianMs ?? Number.NaN
console.log(`## Checkpoint cost (10 MB Float64Array)\n\n${machine()}\n`)
console.log(
  table(
    ['operation', 'median (ms)', '÷ structuredClone', 'rme'],
    [...times].map(([name, t]) => [name, fmt(t.medianMs, 2), fmt(t.medianMs / clone, 2), `±${fmt(t.rme, 1)} %`]),
  ),
)
