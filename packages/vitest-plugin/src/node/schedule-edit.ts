import { ScheduleError, type TunedSchedule } from '@vitune/runtime'
import type { Node, ObjectLiteralExpression } from 'ts-morph'
import type { FormatSettings } from './format-settings.js'
import { printLiteral } from './literal.js'
import { callAt, parseTuneFile, type TuneCall, type TuneFile } from './tune-calls.js'

/** A text replacement: `[start, end)` of the original text becomes `text`. */
export interface Edit {
  readonly start: number
  readonly end: number
  readonly text: string
}

/** One schedule to write: where its `tune()` call is (a stack frame's 1-based line and column) and what to write. */
export interface ScheduleWrite {
  readonly experiment: string
  readonly line: number
  readonly column: number
  readonly schedule: TunedSchedule
}

/** The schedule as the literal, in the key order a reader wants: what it is, then what it was tuned against. */
function ordered(schedule: TunedSchedule): TunedSchedule {
  const { seed, reached, initialConfig, changes, fingerprint } = schedule
  return { seed, reached, initialConfig, changes, fingerprint }
}

/** Leading whitespace of the line that holds `pos`. */
function indentAt(text: string, pos: number): string {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? ''
}

function levelOf(indent: string, unit: string): number {
  return unit === '\t' ? indent.split('\t').length - 1 : Math.round(indent.replace(/\t/g, unit).length / unit.length)
}

/**
 * Each property's text with the comments that follow it on the way to the next property (or the
 * closing brace), without the separating comma; and any comment before the first property.
 */
function propertySegments(
  text: string,
  options: ObjectLiteralExpression,
): { readonly lead: string; readonly segments: { readonly start: number; readonly end: number; readonly rest: string }[] } {
  const properties = options.getProperties()
  const lead = text.slice(options.getStart() + 1, (properties[0] as Node).getStart()).trim()
  const segments = properties.map((property, i) => {
    const next = properties[i + 1]?.getStart() ?? options.getEnd() - 1
    return { start: property.getStart(), end: property.getEnd(), rest: text.slice(property.getEnd(), next).replace(/^\s*,/, '').trimEnd() }
  })
  return { lead, segments }
}

/**
 * The edits that put `schedule` into the `schedule` property of `call`'s options object: its
 * value is replaced and nothing else is touched, except that an options object written on one
 * line is spread over lines (one property per line), as the formatter would once it holds a
 * multi-line value. Throws `VITUNE_SCHEDULE_LOCATION` when the call has no `schedule: ...` to
 * replace.
 */
export function planScheduleEdit(parsed: TuneFile, call: TuneCall, write: ScheduleWrite, settings: FormatSettings, file: string): Edit[] {
  const { Node } = parsed.tsMorph
  const text = parsed.source.getFullText()
  const options = call.options
  const property = options?.getProperty('schedule')
  if (options === undefined || property === undefined || !Node.isPropertyAssignment(property)) {
    throw new ScheduleError(
      'VITUNE_SCHEDULE_LOCATION',
      write.experiment,
      `its tune() call at ${file}:${call.line}:${call.column} has no \`schedule: ...\` property in an options object written in the call, so there is no place to write the tuned schedule. Write the options inline: tune(experiment, assertions, { schedule: true }).`,
    )
  }
  const value = property.getInitializerOrThrow()
  const unit = settings.indent
  const print = (level: number) => printLiteral(ordered(write.schedule), settings, { startColumn: 0, level, forceBreak: true, experiment: write.experiment })
  const first = options.getProperties()[0] as Node
  if (text.slice(options.getStart(), first.getStart()).includes('\n')) {
    // The property starts its line: the literal's content goes one level deeper than that line.
    return [{ start: value.getStart(), end: value.getEnd(), text: print(levelOf(indentAt(text, property.getStart()), unit)) }]
  }
  // `{ ...x, schedule: true }` on one line: one property per line (with its comments), one level
  // below the line of `{`, as the formatter prints an object that holds a multi-line value.
  const level = levelOf(indentAt(text, options.getStart()), unit) + 1
  const inner = unit.repeat(level)
  const { lead, segments } = propertySegments(text, options)
  const lines = segments.map((segment, i) => {
    const body = segment.start === property.getStart() ? `${property.getNameNode().getText()}: ${print(level)}` : text.slice(segment.start, segment.end)
    const comma = i < segments.length - 1 || settings.trailingCommas ? ',' : ''
    return `${inner}${body}${segment.rest}${comma}`
  })
  if (lead !== '') lines.unshift(`${inner}${lead}`)
  const eol = settings.eol
  return [{ start: options.getStart(), end: options.getEnd(), text: `{${eol}${lines.join(eol)}${eol}${unit.repeat(level - 1)}}` }]
}

/** Applies edits to `text`, last first, so earlier offsets stay valid. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((out, e) => out.slice(0, e.start) + e.text + out.slice(e.end), text)
}

/**
 * Writes schedules into the text of a tune file. Each write names its call by the line and
 * column a stack frame gave while the file ran; when the file has changed since (Vitest writes
 * its own inline snapshots first), the call is found in the text the file had then (`original`)
 * and taken by its position among the file's tune() calls in the current text, since
 * inline-snapshot edits never add or remove calls.
 */
export async function writeSchedules(
  file: string,
  original: string,
  current: string,
  writes: readonly ScheduleWrite[],
  settings: FormatSettings,
): Promise<string> {
  const before = await parseTuneFile(file, original)
  const now = original === current ? before : await parseTuneFile(file, current)
  const edits: Edit[] = []
  const seen = new Map<TuneCall, string>()
  for (const write of writes) {
    const call = callAt(before, write.line, write.column)
    const ordinal = call === undefined ? -1 : before.calls.indexOf(call)
    const target = now.calls[ordinal]
    if (target === undefined) {
      throw new ScheduleError(
        'VITUNE_SCHEDULE_LOCATION',
        write.experiment,
        `no tune() call found at ${file}:${write.line}:${write.column}, so its tuned schedule cannot be written. Call tune() directly in the tune file (not through a helper in another file or under another name).`,
      )
    }
    const other = seen.get(target)
    if (other !== undefined) {
      throw new ScheduleError(
        'VITUNE_SCHEDULE_LOCATION',
        write.experiment,
        `the tune() call at ${file}:${write.line}:${write.column} also ran experiment "${other}", and one call holds one schedule. Give each experiment its own tune() call.`,
      )
    }
    seen.set(target, write.experiment)
    edits.push(...planScheduleEdit(now, target, write, settings, file))
  }
  return applyEdits(current, edits)
}
