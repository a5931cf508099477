/** Characters a spreadsheet reads as the start of a formula (OWASP "CSV injection"), plus tab and carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/
/** A plain decimal number, which a spreadsheet reads as a number, not a formula. */
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * One CSV cell: numbers and booleans as text, objects as JSON, quoted when the text needs it (RFC
 * 4180). Text that a spreadsheet would run as a formula (`=cmd|...`, `+1+1`, `-2+3`, `@SUM(...)`)
 * gets a leading `'`, as OWASP recommends; numbers (`-0.5`) and text that is a plain number stay
 * as they are, so pandas and spreadsheets read them as numbers.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return ''
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (typeof value === 'string' && FORMULA_START.test(text) && !NUMBER_TEXT.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text
}

/** A CSV table: a header row of the columns, then one line per row; missing cells stay empty. */
export function toCsv(columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]): string {
  const lines = [columns.map(csvCell).join(',')]
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(','))
  return `${lines.join('\n')}\n`
}

/** Every key of the rows, in order of first appearance. */
export function columnsOf(rows: readonly Readonly<Record<string, unknown>>[]): string[] {
  const seen = new Set<string>()
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key)
  return [...seen]
}
