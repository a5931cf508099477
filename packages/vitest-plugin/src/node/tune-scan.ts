/**
 * A lexical scan of a tune file, for plain runs: which `tune()` calls hold a written schedule and
 * which wait with `schedule: true`. It runs on every plain `vitest run`, so it does not load a
 * parser (ts-morph takes 0.4 s to import on an idle machine, several seconds on a busy one); it
 * skips comments, strings, template literals and regular expressions, and matches brackets.
 */

/** What a tune file's `tune()` calls hold in their options. */
export interface ScheduleCount {
  /** Calls whose options have `schedule: { ... }`. */
  readonly written: number
  /** Calls whose options have `schedule: true`. */
  readonly pending: number
}

/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^'])

/** The code of `text` with comments, strings, templates and regular expressions blanked to spaces (same length). */
export function codeOnly(text: string): string {
  const out = text.split('')
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = ' '
  }
  let previous = ''
  let i = 0
  while (i < text.length) {
    const ch = text[i] as string
    const next = text[i + 1]
    let end = i + 1
    if (ch === '/' && next === '/') {
      end = text.indexOf('\n', i)
      if (end === -1) end = text.length
    } else if (ch === '/' && next === '*') {
      end = text.indexOf('*/', i + 2)
      end = end === -1 ? text.length : end + 2
    } else if (ch === '"' || ch === "'" || ch === '`') {
      while (end < text.length && text[end] !== ch) end += text[end] === '\\' ? 2 : 1
      end++
    } else if (ch === '/' && BEFORE_REGEX.has(previous)) {
      let inClass = false
      while (end < text.length && text[end] !== '\n' && (inClass || text[end] !== '/')) {
        if (text[end] === '[') inClass = true
        else if (text[end] === ']') inClass = false
        end += text[end] === '\\' ? 2 : 1
      }
      end++
    } else {
      if (!/\s/.test(ch)) previous = /[\w$)\]]/.test(ch) ? 'x' : ch
      i++
      continue
    }
    blank(i, end)
    previous = 'x'
    i = end
  }
  return out.join('')
}

/** Counts the written and waiting schedules of the `tune(...)` calls in a tune file's text. */
export function countSchedules(text: string): ScheduleCount {
  const code = codeOnly(text)
  let written = 0
  let pending = 0
  for (const match of code.matchAll(/(?<![\w$])tune\s*\(/g)) {
    // Walk the call's arguments: `schedule:` counts only as a key of an object argument (depth 1 in both).
    let parens = 0
    let braces = 0
    for (let i = (match.index as number) + match[0].length - 1; i < code.length; i++) {
      const ch = code[i]
      if (ch === '(' || ch === '[') parens++
      else if (ch === ')' || ch === ']') parens--
      else if (ch === '{') braces++
      else if (ch === '}') braces--
      if (parens === 0) break
      if (parens === 1 && braces === 1 && code.startsWith('schedule', i) && !/[\w$]/.test(code[i - 1] ?? '')) {
        const value = /^schedule\s*:\s*(\{|true(?![\w$]))/.exec(code.slice(i, i + 200))?.[1]
        if (value === '{') written++
        else if (value === 'true') pending++
      }
    }
  }
  return { written, pending }
}
