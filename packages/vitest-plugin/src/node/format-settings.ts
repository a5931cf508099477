import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** How a literal written into a file should look, so the project's formatter would leave it as it is. */
export interface FormatSettings {
  /** Columns a line may take (Biome's `lineWidth`, Prettier's `printWidth`; 80 for both by default). */
  readonly lineWidth: number
  /** One level of indentation: spaces, or a tab. */
  readonly indent: string
  /** Columns a tab counts for when measuring a line. */
  readonly tabWidth: number
  readonly quote: "'" | '"'
  /** Whether the last property of a multi-line object gets a comma (Biome and Prettier 3 default: yes). */
  readonly trailingCommas: boolean
  readonly eol: '\n' | '\r\n'
}

type Json = Readonly<Record<string, unknown>>

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads JSON with comments and trailing commas (biome.jsonc), without evaluating anything. */
function readJsonc(path: string): Json | undefined {
  const text = readFileSync(path, 'utf8')
    .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_match, string: string | undefined) => string ?? '')
    .replace(/,(\s*[}\]])/g, '$1')
  try {
    const value: unknown = JSON.parse(text)
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** The nearest formatter configuration above `file`: Biome's, else Prettier's JSON forms. */
function formatterConfig(file: string): { readonly kind: 'biome' | 'prettier'; readonly config: Json } | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    for (const name of ['biome.json', 'biome.jsonc']) {
      const path = join(dir, name)
      if (existsSync(path)) {
        const config = readJsonc(path)
        if (config !== undefined) return { kind: 'biome', config }
      }
    }
    for (const name of ['.prettierrc', '.prettierrc.json']) {
      const path = join(dir, name)
      if (existsSync(path)) {
        const config = readJsonc(path)
        if (config !== undefined) return { kind: 'prettier', config }
      }
    }
    if (dirname(dir) === dir) return undefined
  }
}

/** The file's own habits: its indentation unit and the quotes of its imports. */
function detected(text: string): { indent: string; quote: "'" | '"' } {
  let indent = '  '
  let smallest = Number.POSITIVE_INFINITY
  for (const line of text.split('\n')) {
    const lead = /^([ \t]+)\S/.exec(line)?.[1]
    if (lead === undefined) continue
    if (lead.startsWith('\t')) {
      indent = '\t'
      break
    }
    if (lead.length < smallest) {
      smallest = lead.length
      indent = lead
    }
  }
  const quote = /^\s*import[^'"\n]*(['"])/m.exec(text)?.[1] === '"' ? '"' : "'"
  return { indent, quote }
}

/**
 * Settings for writing into `file` (whose current text is `text`): the nearest `biome.json(c)` or
 * Prettier JSON config when there is one, else the file's own indentation and quotes, 80 columns
 * and trailing commas (both tools' defaults).
 */
export function formatSettingsFor(file: string, text: string): FormatSettings {
  const fromFile = detected(text)
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const found = formatterConfig(file)
  if (found?.kind === 'biome') {
    const general = isRecord(found.config.formatter) ? found.config.formatter : {}
    const js = isRecord(found.config.javascript) && isRecord(found.config.javascript.formatter) ? found.config.javascript.formatter : {}
    const pick = (key: string): unknown => js[key] ?? general[key]
    const width = typeof pick('indentWidth') === 'number' ? (pick('indentWidth') as number) : 2
    return {
      lineWidth: typeof pick('lineWidth') === 'number' ? (pick('lineWidth') as number) : 80,
      // Biome indents with tabs unless told otherwise.
      indent: pick('indentStyle') === 'space' ? ' '.repeat(width) : '\t',
      tabWidth: width,
      quote: js.quoteStyle === 'single' ? "'" : '"',
      trailingCommas: js.trailingCommas !== 'none',
      eol,
    }
  }
  if (found?.kind === 'prettier') {
    const c = found.config
    const width = typeof c.tabWidth === 'number' ? c.tabWidth : 2
    return {
      lineWidth: typeof c.printWidth === 'number' ? c.printWidth : 80,
      indent: c.useTabs === true ? '\t' : ' '.repeat(width),
      tabWidth: width,
      quote: c.singleQuote === true ? "'" : '"',
      trailingCommas: c.trailingComma !== 'none',
      eol,
    }
  }
  return {
    lineWidth: 80,
    indent: fromFile.indent,
    tabWidth: fromFile.indent === '\t' ? 2 : fromFile.indent.length,
    quote: fromFile.quote,
    trailingCommas: true,
    eol,
  }
}
