/** Rounds half to even, as numpy's `round` does (Ray quantizes with `np.round`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x)
  const even = Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r
  return even === 0 ? 0 : even
}

/** Digits after the decimal point in the shortest representation of `q` (5e-4 has 4). */
function decimals(q: number): number {
  const text = q.toExponential()
  const [mantissa = '', exponent = '0'] = text.split('e')
  const fraction = mantissa.split('.')[1]?.length ?? 0
  return Math.max(0, fraction - Number(exponent))
}

/**
 * `n * q` without float noise: the double nearest to the exact decimal product, so 25 * 5e-4 is
 * 0.0125 and not 0.012500000000000001 as in Ray. Falls back to `n * q` when `q` has too many
 * digits for the integer arithmetic to stay exact.
 */
export function multipleOf(n: number, q: number): number {
  const d = decimals(q)
  if (d === 0 || d > 20) return normalizeZero(n * q)
  const scale = 10 ** d
  const digits = Math.round(q * scale)
  const product = n * digits
  if (!Number.isSafeInteger(product)) return normalizeZero(n * q)
  return normalizeZero(product / scale)
}

/** `value` rounded to the nearest multiple of `q`, halves to even. */
export function quantize(value: number, q: number): number {
  return multipleOf(roundHalfEven(value / q), q)
}

/** The multiples of `q` inside [low, high], as the index range [first, last] (empty when first > last). */
export function multiplesWithin(low: number, high: number, q: number): readonly [number, number] {
  // The tolerance absorbs float noise in the division, e.g. 0.3 / 0.1 = 2.9999999999999996.
  return [Math.ceil(low / q - 1e-9), Math.floor(high / q + 1e-9)]
}

/** True when `value` is a whole multiple of `q`, up to the relative tolerance of Python's `isclose`. */
export function isMultipleOf(value: number, q: number): boolean {
  const ratio = value / q
  return Math.abs(ratio - Math.round(ratio)) <= 1e-9 * Math.max(1, Math.abs(ratio))
}

const normalizeZero = (x: number): number => (x === 0 ? 0 : x)
