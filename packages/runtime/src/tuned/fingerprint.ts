import type { ExperimentDef, TrainableModule } from '@vitune/dsl'

/**
 * What a tuned schedule was tuned against, one short hash per part, so a stale schedule can say
 * what changed. A part changes only when the replay would compute something else or could hold
 * values the experiment no longer allows; how the search was run (seed, population, PBT settings,
 * concurrency, name) is left out: the schedule stays a valid replay when only those change.
 */
export interface DefinitionFingerprint {
  /** The search space: keys, domains, constants, `sampleFrom` functions. */
  readonly space: string
  /** PBT's mutations and `customExplore`: where changes may move the config. */
  readonly mutations: string
  /** The metric and its mode: what "reached" means. */
  readonly metric: string
  /** The stop criteria: how long the replay trains. */
  readonly stop: string
  /** The trainable: its source, and for a module trainable (`trainable(import.meta.url, name, fn)`) its module file and export name. */
  readonly trainable: string
}

/** The parts of a fingerprint, in the order messages list them. */
export const FINGERPRINT_PARTS = ['space', 'mutations', 'metric', 'stop', 'trainable'] as const satisfies readonly (keyof DefinitionFingerprint)[]

/** The fingerprint of an experiment definition (see `DefinitionFingerprint` for what each part covers). */
export function definitionFingerprint(def: ExperimentDef): DefinitionFingerprint {
  const customExplore = def.scheduler.kind === 'pbt' ? def.scheduler.customExplore : undefined
  return {
    space: hash32(canonical(def.space)),
    mutations: hash32(canonical({ mutations: def.mutations, customExplore })),
    metric: hash32(canonical({ metric: def.metric, mode: def.mode })),
    stop: hash32(canonical(def.stop)),
    trainable: hash32(trainableIdentity(def.trainable, def.trainableModule)),
  }
}

/** The parts whose hashes differ. */
export function changedParts(stored: DefinitionFingerprint, current: DefinitionFingerprint): (keyof DefinitionFingerprint)[] {
  return FINGERPRINT_PARTS.filter((part) => stored[part] !== current[part])
}

/**
 * What identifies a trainable: its own source (code it calls, in helpers or other modules, is not
 * seen), and for a module trainable the module's file name and the export's name. Only the file
 * name: the URL is absolute, and a schedule tuned in one checkout must replay in another.
 */
export function trainableIdentity(trainable: unknown, module?: TrainableModule): string {
  const source = typeof trainable === 'function' ? `fn:${normalizeSource(trainable.toString())}` : canonical(trainable)
  if (module === undefined) return source
  const file = module.url.slice(module.url.lastIndexOf('/') + 1)
  return `module:${file}#${module.exportName}|${source}`
}

/**
 * Function source with comments and layout removed, and Vite's numbered import bindings
 * (`__vite_ssr_import_3__`) unnumbered: Vitest hands us transformed code, where adding an import
 * renumbers them and comments survive, and neither changes what the function does.
 */
export function normalizeSource(source: string): string {
  let out = ''
  let i = 0
  while (i < source.length) {
    const ch = source[i] as string
    const next = source[i + 1]
    if (ch === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++
      out += ' '
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      i = end === -1 ? source.length : end + 2
      out += ' '
    } else if (ch === '"' || ch === "'" || ch === '`') {
      // Strings are copied whole, so a `//` inside one is not taken for a comment.
      let j = i + 1
      while (j < source.length && source[j] !== ch) j += source[j] === '\\' ? 2 : 1
      out += source.slice(i, j + 1)
      i = j + 1
    } else {
      out += ch
      i++
    }
  }
  return out
    .replace(/__vi(?:te_ssr)?_import_\d+__/g, '__import__')
    .replace(/\s+/g, ' ')
    .replace(/ ?([{}()[\];,:=<>+\-*/!?&|.]) ?/g, '$1')
    .trim()
}

/** JSON-like text with sorted keys and functions by their normalized source: equal definitions give equal text. */
function canonical(value: unknown): string {
  if (typeof value === 'function') return `fn:${normalizeSource(value.toString())}`
  if (value === undefined) return 'undefined'
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const record = value as Readonly<Record<string, unknown>>
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? String(value)
}

/** FNV-1a, 32 bits as 8 hex digits: enough to tell two versions of one part apart. */
function hash32(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0')
}
