/**
 * Checkpoint cost: a 10 MB Float64Array saved into the memory store (as at a perturbation) and
 * loaded for the exploiting trial, against one `structuredClone` of the same array. Target: the
 * store's save + load within 1.5 times the clone. Measured with every checkpoint kept (each copy
 * lands in fresh memory) and with retention (the store reuses the arrays of deleted checkpoints).
 */
import { fmt, machine, table, timeTasks } from './lib/measure.js'
import { type CheckpointRef, MemoryCheckpointStore } from './lib/vitune.js'

const weights = new Float64Array((10 * 1024 * 1024) / 8).map((_, i) => Math.sin(i))
let id = 0
const refFor = (): CheckpointRef => {
  const n = id++
  return { id: n, trialId: 'donor', trainingIteration: n, result: { trainingIteration: n } as CheckpointRef['result'] }
}
const saveAndHandOver = (store: MemoryCheckpointStore): CheckpointRef => {
  const ref = refFor()
  store.save(ref, { weights, step: ref.id })
  const restored = store.load(ref) as { weights: Float64Array }
  if (restored.weights.length !== weights.length || restored.weights[7] !== weights[7]) throw new Error('lost data')
  return ref
}
// With retention (keepCheckpoints), the previous perturbation's checkpoint is deleted and its array reused.
const retained = new MemoryCheckpointStore()
let previous: CheckpointRef | undefined

const times = await timeTasks(
  {
    'structuredClone(array)': () => void structuredClone(weights),
    'before this work: structuredClone on save and on load': () => void structuredClone(structuredClone({ weights, step: 0 })),
    'save + load, checkpoints kept (fresh memory each time)': () => void saveAndHandOver(new MemoryCheckpointStore()),
    'save + load, retention frees the previous one': () => {
      const ref = saveAndHandOver(retained)
      if (previous !== undefined) retained.delete(previous)
      previous = ref
    },
    'save only (fresh memory)': () => void new MemoryCheckpointStore().save(refFor(), { weights, step: 0 }),
  },
  // Large arrays make garbage collection land in whichever task happens to run: collect before every
  // call (run with --expose-gc, as `pnpm bench` does) so each task pays for its own copies only.
  { iterations: 100, warmupIterations: 10, rounds: 3, beforeEach: () => (globalThis as { gc?: () => void }).gc?.() },
)
const clone = times.get('structuredClone(array)')?.medianMs ?? Number.NaN
console.log(`## Checkpoint cost (10 MB Float64Array)\n\n${machine()}\n`)
console.log(
  table(
    ['operation', 'median (ms)', '÷ structuredClone', 'rme'],
    [...times].map(([name, t]) => [name, fmt(t.medianMs, 2), fmt(t.medianMs / clone, 2), `±${fmt(t.rme, 1)} %`]),
  ),
)
