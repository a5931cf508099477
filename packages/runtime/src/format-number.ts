/** Magnitudes outside [1e-4, 1e9) read better in exponent form: `4.22142e+20`, `3.5e-5`. */
const useExponent = (abs: number) => abs !== 0 && (abs < 1e-4 || abs >= 1e9)

/** Drops trailing zeros of a mantissa: `4.20000e+20` → `4.2e+20`, `0.150530` → `0.15053`. */
const trimZeros = (text: string) => text.replace(/(\.\d*?)0+(?=e|$)/, '$1').replace(/\.(?=e|$)/, '')

/**
 * A number for people. With `digits`, rounded to that many significant digits (`0.0507786`); without,
 * exact (the shortest text that reads back as the same number) for ordinary magnitudes. Huge and tiny
 * values are always in exponent form with at most `digits` (default 6) significant digits, so a
 * diverged loss prints `5.53654e+197`, not `5.536541718894742e+197` or `422141156576653800000`.
 */
export function formatNumber(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (useExponent(abs)) return trimZeros(value.toExponential((digits ?? 6) - 1))
  if (digits === undefined || Number.isInteger(value)) return String(value)
  return trimZeros(value.toPrecision(digits))
}
