import { describe, expect, test } from 'vitest'
import { formatNumber } from '../src/format-number.js'

describe('formatNumber: numbers for people', () => {
  test('huge and tiny values are in exponent form with a few significant digits, never raw', () => {
    expect(formatNumber(5.536541718894742e197)).toBe('5.53654e+197')
    expect(formatNumber(422141156576653800000)).toBe('4.22141e+20')
    expect(formatNumber(1234567890, 4)).toBe('1.235e+9')
    expect(formatNumber(3.5e-5)).toBe('3.5e-5')
    expect(formatNumber(-3.51234567e-7, 3)).toBe('-3.51e-7')
  })

  test('ordinary values: exact without digits, rounded to significant digits with them', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.30000000000000004')
    expect(formatNumber(0.1 + 0.2, 6)).toBe('0.3')
    expect(formatNumber(0.0507786123, 6)).toBe('0.0507786')
    expect(formatNumber(0.00043687, 4)).toBe('0.0004369')
    expect(formatNumber(0.15053, 6)).toBe('0.15053')
  })

  test('whole numbers, zero and non-finite values print as they are', () => {
    expect(formatNumber(123456789, 3)).toBe('123456789')
    expect(formatNumber(0, 4)).toBe('0')
    expect(formatNumber(Number.NaN)).toBe('NaN')
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe('-Infinity')
  })
})
