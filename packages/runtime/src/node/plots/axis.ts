import { textWidth } from './legend.js'

/** How a value axis is scaled: `auto` picks log when positive values span two orders of magnitude or more. */
export type ScaleChoice = 'auto' | 'linear' | 'log'

/** A value axis chosen for some data: its scale, domain, ticks, and what was clipped. */
export interface ValueAxis {
  readonly type: 'linear' | 'log'
  readonly domain: readonly [number, number]
  readonly ticks: readonly number[]
  /** Values outside the domain, drawn at its edge. */
  readonly clipped: { readonly above: readonly number[]; readonly below: readonly number[] }
}

/** Options of `valueAxis`. */
export interface ValueAxisOptions {
  readonly scale?: ScaleChoice
  /**
   * Clip outliers (far outside the bulk of the values) to the edge of the plot: on one side (`above`
   * for a loss, where only bad values are huge; `below` for a score) or both. Default: none.
   */
  readonly clip?: 'above' | 'below' | 'both' | 'none'
}

/** Positive values spanning this ratio or more read better on a log axis. */
const LOG_RATIO = 100

/**
 * A tick label without float noise: 3 significant digits, exponent form for huge and tiny values
 * (`1e-4`, `5.5e197`), never SI prefixes (`100µ` reads as a unit).
 */
export function tickLabel(value: number): string {
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs >= 1e5 || abs < 1e-3) {
    const [mantissa, exponent] = value.toExponential(2).split('e') as [string, string]
    return `${Number(mantissa)}e${Number(exponent)}`
  }
  return String(Number(value.toPrecision(3)))
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo)
}

/** Tukey's far-out fences (3 IQR beyond the quartiles); no clipping when the quartiles coincide. */
function fences(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b)
  const q1 = quantile(sorted, 0.25)
  const q3 = quantile(sorted, 0.75)
  const iqr = q3 - q1
  if (!(iqr > 0)) return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]
  return [q1 - 3 * iqr, q3 + 3 * iqr]
}

/** Round linear ticks (1, 2 or 5 times a power of ten) covering [lo, hi], with the ends extended to ticks. */
export function linearTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const err = raw / power
  const step = (err >= 7.07 ? 10 : err >= 3.16 ? 5 : err >= 1.41 ? 2 : 1) * power
  const ticks: number[] = []
  for (let i = Math.floor(lo / step); i <= Math.ceil(hi / step); i++) ticks.push(Number((i * step).toPrecision(12)))
  return ticks
}

/** Powers of ten covering [lo, hi] (lo > 0), with 2 and 5 times them when the span is under three decades. */
export function logTicks(lo: number, hi: number): number[] {
  const first = Math.floor(Math.log10(lo))
  const last = Math.ceil(Math.log10(hi))
  const every = Math.max(1, Math.ceil((last - first) / 8))
  const ticks: number[] = []
  for (let e = first; e <= last; e += every) {
    const decade = Number((10 ** e).toPrecision(12))
    ticks.push(decade)
    if (last - first < 3 && e < last) ticks.push(Number((2 * 10 ** e).toPrecision(12)), Number((5 * 10 ** e).toPrecision(12)))
  }
  return ticks
}

/**
 * Chooses a value axis for `values`: outliers clipped (in log space when every value is positive,
 * so a loss that diverged to 5e197 does not flatten the others), log scale when the rest spans two
 * orders of magnitude, and a domain that ends on ticks, so the top tick has its label.
 */
export function valueAxis(values: readonly number[], options: ValueAxisOptions = {}): ValueAxis {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return { type: 'linear', domain: [0, 1], ticks: [0, 0.5, 1], clipped: { above: [], below: [] } }
  const positive = finite.every((v) => v > 0)
  const scale = options.scale ?? 'auto'
  const logSpace = positive && scale !== 'linear'
  let kept = finite
  const clipped = { above: [] as number[], below: [] as number[] }
  const clip = options.clip ?? 'none'
  if (clip !== 'none') {
    const [lo, hi] = fences(logSpace ? finite.map(Math.log10) : finite)
    const low = clip === 'above' ? Number.NEGATIVE_INFINITY : logSpace ? 10 ** lo : lo
    const high = clip === 'below' ? Number.POSITIVE_INFINITY : logSpace ? 10 ** hi : hi
    kept = finite.filter((v) => v >= low && v <= high)
    clipped.above = finite.filter((v) => v > high)
    clipped.below = finite.filter((v) => v < low)
  }
  const min = Math.min(...kept)
  const max = Math.max(...kept)
  const log = positive && (scale === 'log' || (scale === 'auto' && max / min >= LOG_RATIO))
  if (log) {
    const ticks = logTicks(min, max)
    // The domain ends on the ticks next to the data, not far beyond it.
    const lo = Math.max(...ticks.filter((t) => t <= min), ticks[0] as number)
    const hi = Math.min(...ticks.filter((t) => t >= max), ticks[ticks.length - 1] as number)
    return { type: 'log', domain: [lo, hi], ticks: ticks.filter((t) => t >= lo && t <= hi), clipped }
  }
  const pad = max > min ? 0 : Math.abs(max) * 0.1 || 1
  const ticks = linearTicks(min - pad, max + pad)
  return { type: 'linear', domain: [ticks[0] as number, ticks[ticks.length - 1] as number], ticks, clipped }
}

/** Left margin that fits the widest tick label. */
export function marginFor(ticks: readonly number[], size = 11): number {
  return Math.max(40, Math.ceil(Math.max(0, ...ticks.map((t) => textWidth(tickLabel(t), size)))) + 14)
}
