import { ScheduleError } from '@vitune/runtime'
import type { FormatSettings } from './format-settings.js'

/**
 * Prints plain data as a TypeScript literal laid out the way Biome and Prettier lay it out, so a
 * written file stays formatted: an object or list goes on one line when it fits, else one entry
 * per line; a list of several objects that each have more than one key is always broken (both
 * formatters' rule); `forceBreak` breaks the outermost object whatever its length.
 */
export function printLiteral(
  value: unknown,
  settings: FormatSettings,
  options: { readonly startColumn: number; readonly level: number; readonly forceBreak: boolean; readonly experiment: string },
): string {
  const printer = new Printer(settings, options.experiment)
  return printer.print(value, options.level, options.startColumn, 0, options.forceBreak)
}

class Printer {
  constructor(
    readonly settings: FormatSettings,
    readonly experiment: string,
  ) {}

  /** `column`: where the value starts; `trailing`: characters that follow it on its line. */
  print(value: unknown, level: number, column: number, trailing: number, forceBreak = false): string {
    if (!isContainer(value)) return this.leaf(value)
    const entries = this.entries(value)
    if (entries.length === 0) return Array.isArray(value) ? '[]' : '{}'
    if (!forceBreak && !mustBreak(value)) {
      const flat = this.flat(value)
      if (column + flat.length + trailing <= this.settings.lineWidth) return flat
    }
    const inner = this.settings.indent.repeat(level + 1)
    const innerColumn = this.width(inner)
    const lines = entries.map(([key, child], i) => {
      const last = i === entries.length - 1
      const comma = last && !this.settings.trailingCommas ? '' : ','
      const prefix = key === undefined ? '' : `${key}: `
      return `${inner}${prefix}${this.print(child, level + 1, innerColumn + prefix.length, comma.length)}${comma}`
    })
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
    const eol = this.settings.eol
    return `${open}${eol}${lines.join(eol)}${eol}${this.settings.indent.repeat(level)}${close}`
  }

  /** Entries with printed keys (undefined for list items). */
  entries(value: object): [string | undefined, unknown][] {
    if (Array.isArray(value)) return value.map((item) => [undefined, item])
    return Object.entries(value).map(([key, child]) => [/^[A-Za-z_$][\w$]*$/.test(key) ? key : this.string(key), child])
  }

  flat(value: unknown): string {
    if (!isContainer(value)) return this.leaf(value)
    const entries = this.entries(value)
    if (entries.length === 0) return Array.isArray(value) ? '[]' : '{}'
    const items = entries.map(([key, child]) => (key === undefined ? '' : `${key}: `) + this.flat(child))
    return Array.isArray(value) ? `[${items.join(', ')}]` : `{ ${items.join(', ')} }`
  }

  leaf(value: unknown): string {
    if (typeof value === 'number') {
      if (Number.isNaN(value)) return 'Number.NaN'
      if (value === Number.POSITIVE_INFINITY) return 'Number.POSITIVE_INFINITY'
      if (value === Number.NEGATIVE_INFINITY) return 'Number.NEGATIVE_INFINITY'
      // Formatters drop the `+` of an exponent (1e21, not 1e+21).
      return Object.is(value, -0) ? '-0' : String(value).replace('e+', 'e')
    }
    if (typeof value === 'string') return this.string(value)
    if (typeof value === 'boolean' || value === null) return String(value)
    if (typeof value === 'bigint') return `${value}n`
    if (value === undefined) return 'undefined'
    throw new ScheduleError(
      'VITUNE_SCHEDULE_VALUE',
      this.experiment,
      `its tuned schedule holds a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}, which cannot be written as a literal. Configs in a schedule must be plain data: numbers, strings, booleans, null, lists and plain objects.`,
    )
  }

  /** A string in the preferred quotes, unless it holds more of those than of the other kind (Prettier's rule). */
  string(value: string): string {
    const preferred = this.settings.quote
    const other = preferred === "'" ? '"' : "'"
    const count = (q: string) => value.split(q).length - 1
    const quote = count(preferred) > count(other) ? other : preferred
    const body = JSON.stringify(value)
      .slice(1, -1)
      .replace(/\\"/g, '"')
      .replace(quote === "'" ? /'/g : /"/g, `\\${quote}`)
    return `${quote}${body}${quote}`
  }

  /** Printed width of leading whitespace, tabs counted as `tabWidth`. */
  width(indent: string): number {
    let columns = 0
    for (const ch of indent) columns += ch === '\t' ? this.settings.tabWidth : 1
    return columns
  }
}

function isContainer(value: unknown): value is object {
  if (Array.isArray(value)) return true
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Both formatters break a list of two or more objects (or lists) that each have more than one entry, and what holds it. */
function mustBreak(value: object): boolean {
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value)
  if (Array.isArray(value) && value.length > 1 && value.every((item) => isContainer(item) && Object.keys(item).length > 1)) return true
  return children.some((child) => isContainer(child) && mustBreak(child))
}
