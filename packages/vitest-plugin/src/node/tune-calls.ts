import type { CallExpression, ObjectLiteralExpression, SourceFile } from 'ts-morph'

/** ts-morph, loaded once and only when a tune file has to be read or written (its import takes about 0.4 s). */
let tsMorph: Promise<typeof import('ts-morph')> | undefined
const loadTsMorph = () => {
  tsMorph ??= import('ts-morph')
  return tsMorph
}

/** What the `schedule` option of one `tune()` call holds in the source. */
export type ScheduleState = 'none' | 'pending' | 'written' | 'other'

/** One `tune(...)` call of a tune file, in document order. */
export interface TuneCall {
  readonly node: CallExpression
  /** 1-based line and column of the name `tune`: where a stack frame of the call points. */
  readonly line: number
  readonly column: number
  /** The options object literal (third argument), when it is one. */
  readonly options: ObjectLiteralExpression | undefined
  /** `pending`: `schedule: true`; `written`: an object literal; `other`: anything else (a variable, shorthand). */
  readonly schedule: ScheduleState
}

/** A parsed tune file. */
export interface TuneFile {
  readonly source: SourceFile
  readonly calls: readonly TuneCall[]
  readonly tsMorph: typeof import('ts-morph')
}

/**
 * Parses a tune file (from its text; nothing is read from disk and no tsconfig is loaded) and
 * lists its `tune()` calls: a call whose callee is `tune` or `<something>.tune`. Calls through
 * another name (`import { tune as t }`) are not recognised, as Vitest recognises only its own
 * matcher names when it writes inline snapshots.
 */
export async function parseTuneFile(path: string, text: string): Promise<TuneFile> {
  const tsMorph = await loadTsMorph()
  const { Node, Project, SyntaxKind } = tsMorph
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true })
  const source = project.createSourceFile(path.replace(/^[A-Za-z]:/, ''), text, { overwrite: true })
  const calls: TuneCall[] = []
  for (const node of source.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = node.getExpression()
    const name = Node.isIdentifier(callee) ? callee : Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : undefined
    if (name?.getText() !== 'tune') continue
    const { line, column } = source.getLineAndColumnAtPos(name.getStart())
    const third = node.getArguments()[2]
    const options = third !== undefined && Node.isObjectLiteralExpression(third) ? third : undefined
    const property = options?.getProperty('schedule')
    let schedule: ScheduleState = 'none'
    if (property !== undefined) {
      const initializer = Node.isPropertyAssignment(property) ? property.getInitializer() : undefined
      schedule =
        initializer?.getKind() === SyntaxKind.TrueKeyword
          ? 'pending'
          : initializer !== undefined && Node.isObjectLiteralExpression(initializer)
            ? 'written'
            : 'other'
    }
    calls.push({ node, line, column, options, schedule })
  }
  return { source, calls, tsMorph }
}

/**
 * The call a stack frame points at: the one whose name starts at `line:column`, else the nearest
 * one starting on that line (a frame may point at `await` or at the whole expression).
 */
export function callAt(file: TuneFile, line: number, column: number): TuneCall | undefined {
  const exact = file.calls.find((call) => call.line === line && call.column === column)
  if (exact !== undefined) return exact
  const onLine = file.calls.filter((call) => call.line === line)
  return onLine.sort((a, b) => Math.abs(a.column - column) - Math.abs(b.column - column))[0]
}
