/** A metric value for the terminal: whole numbers as they are, others to six significant digits, `-` when missing. */
export const formatMetric = (value: number | undefined): string => (value === undefined ? '-' : Number.isInteger(value) ? String(value) : value.toPrecision(6))
