/** Rounds half to even, as numpy's `round` does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r
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
 * 0.0125 and not 0.012500000000000001 as in Ray.
 */
export function multipleOf(n: number, q: number): number {
  const d = decimals(q)
  if (d === 0 || d > 20) return n * q
  const scale = 10 ** d
  return (n * Math.round(q * scale)) / scale
}

/** `value` rounded to the nearest multiple of `q`, halves to even. */
export function quantize(value: number, q: number): number {
  return multipleOf(roundHalfEven(value / q), q)
}
