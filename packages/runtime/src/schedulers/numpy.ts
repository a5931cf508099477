/**
 * NumPy's statistics as Ray's schedulers use them, bit for bit (reference/ray-schedulers.md §1.5,
 * §2.5, §4.2): a cutoff or a median that differs in the last bit from Ray's can flip a STOP.
 */

/** Ascending, with infinities ordered (a plain `a - b` gives NaN for `Infinity - Infinity`). */
const ascending = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * `np.nanpercentile(values, q)` with linear interpolation: NaNs dropped, NaN when nothing is left.
 * Keeps NumPy's two-sided lerp, so infinite neighbours give the same NaN or infinity as NumPy 2.
 */
export function nanPercentile(values: Iterable<number>, q: number): number {
  const v = [...values].filter((x) => !Number.isNaN(x)).sort(ascending)
  const n = v.length
  if (n === 0) return Number.NaN
  const h = (n - 1) * (q / 100)
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, n - 1)
  const gamma = h - lo
  const a = v[lo] as number
  const b = v[hi] as number
  const d = b - a
  return gamma < 0.5 ? a + d * gamma : b - d * (1 - gamma)
}

/** `np.median`: NaN when the list is empty or holds a NaN. */
export function npMedian(values: readonly number[]): number {
  const n = values.length
  if (n === 0 || values.some(Number.isNaN)) return Number.NaN
  const v = [...values].sort(ascending)
  const mid = n >> 1
  return n % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2
}

/** NumPy's pairwise summation (`np.add.reduce` on a contiguous float64 array). */
function pairwiseSum(v: readonly number[], start: number, n: number): number {
  if (n < 8) {
    let sum = 0
    for (let i = 0; i < n; i++) sum += v[start + i] as number
    return sum
  }
  if (n <= 128) {
    const p = [0, 0, 0, 0, 0, 0, 0, 0]
    for (let j = 0; j < 8; j++) p[j] = v[start + j] as number
    let i = 8
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) p[j] = (p[j] as number) + (v[start + i + j] as number)
    const [p0, p1, p2, p3, p4, p5, p6, p7] = p as [number, number, number, number, number, number, number, number]
    let sum = p0 + p1 + (p2 + p3) + (p4 + p5 + (p6 + p7))
    for (; i < n; i++) sum += v[start + i] as number
    return sum
  }
  let half = n >> 1
  half -= half % 8
  return pairwiseSum(v, start, half) + pairwiseSum(v, start + half, n - half)
}

/** `np.mean`: pairwise sum divided by the count; NaN for an empty list. */
export function npMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  return pairwiseSum(values, 0, values.length) / values.length
}

/** `np.round` to an integer: halves go to the even neighbour (`Math.round` sends them up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}
