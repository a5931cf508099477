import type { ExperimentDef } from './definition.js'
import { isDomain, isNestedSpec } from './domains.js'
import type { DefinitionErrorCode } from './errors.js'
import { type Fail, show } from './validate.js'

/**
 * How deep a space or mutations spec may nest (objects and lists). Real configs are a few levels
 * deep; the limit turns a runaway structure into a coded error instead of a stack overflow.
 */
export const MAX_SPEC_DEPTH = 64

/** The most trials an experiment may make (grid points × samples) unless `.maxTrials()` raises it. */
export const DEFAULT_MAX_TRIALS = 1_000_000

/**
 * Checks that a space or mutations spec is a finite tree of plain data: no cycle, no more than
 * `MAX_SPEC_DEPTH` levels, no `__proto__` key (assigning it would set the config's prototype
 * instead of a key). Runs before any recursive validation, so those never overflow the stack.
 */
export function validateShape(fail: Fail, spec: unknown, prefix: string): void {
  const ancestors = new Set<object>()
  const walk = (value: unknown, key: string, depth: number): void => {
    if (typeof value !== 'object' || value === null) return
    if (ancestors.has(value))
      fail(
        'VITUNE_SPACE_SHAPE',
        key,
        'the structure is circular: this value contains itself',
        'Write a tree of plain values; share an object only where it does not contain itself.',
      )
    if (depth > MAX_SPEC_DEPTH)
      fail(
        'VITUNE_SPACE_SHAPE',
        prefix,
        `the structure nests deeper than ${MAX_SPEC_DEPTH} levels (at \`${key.length > 200 ? `${key.slice(0, 200)}…` : key}\`)`,
        'Flatten it: a config is a few levels of objects and lists.',
      )
    ancestors.add(value)
    const items = Array.isArray(value) ? value : isDomain(value) ? (value as { values?: unknown }).values : undefined
    if (Array.isArray(items)) {
      for (const [i, item] of items.entries()) walk(item, `${key}[${i}]`, depth + 1)
    } else if (isNestedSpec(value)) {
      for (const name of Object.keys(value)) {
        if (name === '__proto__')
          fail(
            'VITUNE_SPACE_SHAPE',
            `${key}.__proto__`,
            '`__proto__` cannot be a config key: assigning it sets an object’s prototype instead of a key, so the value would be lost',
            'Rename the key.',
          )
        walk(value[name], `${key}.${name}`, depth + 1)
      }
    }
    ancestors.delete(value)
  }
  walk(spec, prefix, 0)
}

/** The number of grid points of a space: the product of the sizes of its grids (Ray's `grid_search`), outside domain values. */
export function gridPoints(space: unknown): number {
  if (isDomain(space)) return space.$domain === 'grid' && Array.isArray(space.values) ? space.values.length : 1
  let product = 1
  const children = Array.isArray(space) ? space : isNestedSpec(space) ? Object.values(space) : []
  for (const child of children) product *= gridPoints(child)
  return product
}

const count = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'more than 10^308')

/**
 * Refuses an experiment that would make more trials than `maxTrials` (default
 * `DEFAULT_MAX_TRIALS`) before any trial is built: a grid or `samples()` typed one power of ten too
 * high would otherwise run the process out of memory.
 */
export function validateTrialCount(fail: Fail, def: Pick<ExperimentDef, 'space' | 'samples' | 'maxTrials'>): void {
  const limit = def.maxTrials ?? DEFAULT_MAX_TRIALS
  const points = gridPoints(def.space)
  const trials = points * def.samples
  if (trials <= limit) return
  const where = points > limit || def.samples === 1 ? 'space' : 'samples'
  const raise = Number.isSafeInteger(trials) ? `.maxTrials(${trials})` : '.maxTrials(n)'
  fail(
    'VITUNE_MAX_TRIALS',
    where,
    `the experiment would make ${count(trials)} trials (${count(points)} grid point${points === 1 ? '' : 's'} × samples ${def.samples}), more than the limit of ${count(limit)}`,
    `If you mean it, raise the limit with ${raise} (every trial keeps its config and results in memory); otherwise shrink the grid or samples().`,
  )
}

/** Ray's snake_case spelling of an option, in ours. */
export const camelCase = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** Rejects keys a scheduler does not take; Ray drops them silently, which hides typos. */
export function checkKeys(fail: Fail, code: DefinitionErrorCode, scope: string, given: object, allowed: readonly string[] | ReadonlySet<string>): void {
  const known = [...allowed]
  for (const name of Object.keys(given)) {
    if (known.includes(name)) continue
    const hint = known.includes(camelCase(name)) ? `Write \`${camelCase(name)}\` (camelCase).` : `Use one of: ${known.join(', ')}.`
    fail(code, `${scope}.${name}`, `is not a ${scope}() option`, hint)
  }
}

/** A scheduler's `timeAttr`: the name of a result key. */
export function checkTimeAttr(fail: Fail, code: DefinitionErrorCode, scope: string, timeAttr: unknown): void {
  if (typeof timeAttr !== 'string' || timeAttr.length === 0)
    fail(code, `${scope}.timeAttr`, `must name a result key, got ${show(timeAttr)}`, 'Leave it out for trainingIteration.')
}

/** A scheduler's boolean option. */
export function checkFlag(fail: Fail, code: DefinitionErrorCode, scope: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') fail(code, `${scope}.${name}`, `must be true or false, got ${show(value)}`, `Write ${name}: true.`)
}

/**
 * Checks that a builder step got an options object with only the keys it knows, so a Ray spelling
 * (`max_failures`) or a guessed name (`dir`) is an error naming the key instead of silently ignored.
 * `aliases` maps likely guesses to the option meant.
 */
export function validateOptionsObject(
  fail: Fail,
  code: 'VITUNE_STORAGE' | 'VITUNE_MAX_FAILURES',
  step: string,
  options: unknown,
  known: readonly string[],
  example: string,
  aliases: Readonly<Record<string, string>> = {},
): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const got = typeof options === 'string' ? `the string ${JSON.stringify(options)}` : Array.isArray(options) ? 'a list' : String(options)
    fail(code, step, `takes an options object, got ${got}`, `Write ${example}.`)
  }
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue
    const meant = known.includes(camelCase(name)) ? camelCase(name) : aliases[name.toLowerCase()]
    fail(
      code,
      `${step}.${name}`,
      `\`${name}\` is not an option of .${step}()`,
      meant === undefined ? `Use ${known.map((k) => `\`${k}\``).join(' or ')}.` : `Write \`${meant}\`.`,
    )
  }
}
