// Finds the TypeScript blocks of Markdown pages and compiles them, as a reader would paste them.
// The conventions a page follows are in docs/writing-docs.md.
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

/** One fenced TypeScript block of a page. */
export interface DocBlock {
  /** Page path relative to the repository, e.g. `docs/guide.md`. */
  readonly page: string
  /** 1-based line of the opening fence. */
  readonly line: number
  /** `docs/guide.md:40`, or with the block's file name: `docs/guide.md:40 (sgd.tune.ts)`. */
  readonly location: string
  /** The file the block is, from a first-line comment such as `// vitest.config.ts`. */
  readonly name: string | undefined
  /** Absolute folder the block is compiled in: the page's own, or the one `ts-in` names. */
  readonly folder: string
  /** Hidden code placed before the block (`ts-prelude`). */
  readonly prelude: string
  readonly code: string
  /** Why the block is not compiled (`ts-skip: reason`); undefined for a compiled block. */
  readonly skip: string | undefined
}

/** An opening fence: indent, fence (``` or ~~~, three or more), language. */
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/
const TS_LANGUAGES = new Set(['ts', 'typescript', 'mts', 'tsx'])
const FILE_NAME = /^\/\/ ([\w.-]+\.(?:ts|mts|tsx))\b/
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.tmp', '.vitune', 'results', 'coverage', 'fixtures'])

/** Markdown pages of the repository, relative paths, without dependencies or generated folders. */
export function markdownPages(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      if (entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name) || entry.isSymbolicLink()) return []
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return markdownPages(root, path)
      return entry.name.endsWith('.md') ? [relative(root, path)] : []
    })
    .sort()
}

/** The HTML comments directly above line `index` (only blank lines between them and the fence). */
function commentsAbove(lines: readonly string[], index: number): string[] {
  const comments: string[] = []
  let i = index - 1
  for (;;) {
    while (i >= 0 && (lines[i] ?? '').trim() === '') i--
    if (i < 0 || !(lines[i] ?? '').trim().endsWith('-->')) return comments
    const end = i
    while (i >= 0 && !(lines[i] ?? '').includes('<!--')) i--
    if (i < 0) return comments
    const text = lines.slice(i, end + 1).join('\n')
    comments.unshift(text.slice(text.indexOf('<!--') + 4, text.lastIndexOf('-->')).trim())
    i--
  }
}

/** The TypeScript blocks of one page, with their directives applied. */
export function pageBlocks(root: string, page: string, text: string): DocBlock[] {
  const lines = text.split('\n')
  const blocks: DocBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '')
    if (open === null) continue
    const [, indentText = '', fence = '', language = ''] = open
    // CommonMark: the block ends at a line of the same fence character, at least as long, alone.
    const closes = (line: string) => new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(line)
    let j = i + 1
    while (j < lines.length && !closes(lines[j] ?? '')) j++
    if (j === lines.length) throw new Error(`${page}:${i + 1}: the code block is never closed`)
    if (!TS_LANGUAGES.has(language)) {
      i = j
      continue
    }
    const body = lines.slice(i + 1, j).map((line) => line.slice(indentText.length))
    let folder = dirname(join(root, page))
    let prelude = ''
    let skip: string | undefined
    for (const comment of commentsAbove(lines, i)) {
      const directive = /^ts-(\w+)\b:?\s*([\s\S]*)$/.exec(comment)
      if (directive === null) continue
      const [, kind, rest = ''] = directive
      if (kind === 'prelude') prelude += `${rest}\n`
      else if (kind === 'in') {
        folder = resolve(root, rest.trim())
        if (!existsSync(folder)) throw new Error(`${page}:${i + 1}: ts-in names ${rest.trim()}, which does not exist`)
      } else if (kind === 'skip') {
        if (rest.trim() === '') throw new Error(`${page}:${i + 1}: ts-skip needs a reason (<!-- ts-skip: why it cannot compile -->)`)
        skip = rest.trim()
      } else throw new Error(`${page}:${i + 1}: unknown directive ts-${kind} (known: ts-prelude, ts-in, ts-skip)`)
    }
    const name = FILE_NAME.exec(body[0] ?? '')?.[1]
    const location = `${page}:${i + 1}${name === undefined ? '' : ` (${name})`}`
    blocks.push({ page, line: i + 1, location, name, folder, prelude, code: body.join('\n'), skip })
    i = j
  }
  return blocks
}

/** Compiler options of the repository's packages, for a module a user writes next to them. */
function compilerOptions(root: string): ts.CompilerOptions {
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, root)
  return {
    ...options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    types: ['node'],
    moduleDetection: ts.ModuleDetectionKind.Force,
  }
}

/**
 * Compiles every block that is not skipped in one program. Each block is a module in its folder
 * (so `./src/x.js` and packages resolve as for a file there); a block's relative import of a file
 * name another block of the same page declares resolves to that block. Returns each block's
 * errors as `page:line: message`, with the line in the Markdown page.
 */
export function compileBlocks(root: string, blocks: readonly DocBlock[]): Map<DocBlock, string[]> {
  const options = compilerOptions(root)
  const compiled = blocks.filter((b) => b.skip === undefined)
  const byPath = new Map<string, DocBlock>()
  for (const block of compiled) {
    const slug = `${block.page.replace(/[^\w.-]+/g, '_')}.L${block.line}`
    const path = join(block.folder, `.doc-${slug}.${block.name ?? 'block.ts'}`)
    byPath.set(path, block)
  }
  const pathOf = new Map([...byPath].map(([path, block]) => [block, path]))
  const source = (block: DocBlock) => `${block.prelude}${block.code}\n`
  const host = ts.createCompilerHost(options)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (path) => byPath.has(path) || fileExists.call(host, path)
  host.readFile = (path) => {
    const block = byPath.get(path)
    return block === undefined ? readFile.call(host, path) : source(block)
  }
  host.getSourceFile = (path, language, onError, create) => {
    const block = byPath.get(path)
    return block === undefined ? getSourceFile.call(host, path, language, onError, create) : ts.createSourceFile(path, source(block), language, true)
  }
  const cache = ts.createModuleResolutionCache(root, (s) => s, options)
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, opts, containingSource) =>
    literals.map((literal) => {
      const from = byPath.get(containingFile)
      const sibling = /^\.\/([\w.-]+)\.(?:js|ts)$/.exec(literal.text)?.[1]
      if (from !== undefined && sibling !== undefined) {
        const target = compiled.find((b) => b.page === from.page && b.folder === from.folder && b.name?.replace(/\.tsx?$|\.mts$/, '') === sibling)
        if (target !== undefined) {
          return { resolvedModule: { resolvedFileName: pathOf.get(target) as string, extension: ts.Extension.Ts, isExternalLibraryImport: false } }
        }
      }
      const mode = ts.getModeForUsageLocation(containingSource, literal, opts)
      return ts.resolveModuleName(literal.text, containingFile, opts, host, cache, redirected, mode)
    })
  const program = ts.createProgram({ rootNames: [...byPath.keys()], options, host })
  const errors = new Map<DocBlock, string[]>(blocks.map((b) => [b, []]))
  for (const diagnostic of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) {
    throw new Error(`the docs' compiler options are broken: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`)
  }
  for (const [path, block] of byPath) {
    const file = program.getSourceFile(path)
    if (file === undefined) throw new Error(`${block.location}: not in the program`)
    const preludeLines = block.prelude === '' ? 0 : block.prelude.split('\n').length - 1
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      const line = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line
      const where = line < preludeLines ? `${block.page}:${block.line} (in its ts-prelude)` : `${block.page}:${block.line + 1 + line - preludeLines}`
      errors.get(block)?.push(`${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    }
  }
  return errors
}
