import { isNestedSpec } from '@vitune/dsl'

const DEPTH_LIMIT = 64

/**
 * Why `value` cannot be (part of) a config, or undefined when it is plain data: finite numbers,
 * strings, booleans, null, and plain objects and lists of these, a finite tree. The same rule the
 * builder applies to constants in `.space()`, for what a `sampleFrom` function returns.
 */
export function configValueProblem(value: unknown): string | undefined {
  const ancestors = new Set<object>()
  const walk = (node: unknown, at: string, depth: number): string | undefined => {
    const where = at === '' ? '' : ` at \`${at}\``
    if (typeof node === 'number') return Number.isFinite(node) ? undefined : `${node}${where}, which does not survive JSON (use a finite number, or null)`
    if (typeof node === 'string' || typeof node === 'boolean' || node === null) return undefined
    if (node === undefined) return `undefined${where} (return null for "no value")`
    if (typeof node === 'function') return `a function${where}; configs are plain data (call it inside the trainable instead)`
    if (typeof node !== 'object') return `a ${typeof node}${where}; configs are plain data`
    if (!Array.isArray(node) && !isNestedSpec(node)) return `a ${(node as object).constructor?.name ?? 'object'}${where}; configs are plain data`
    if (ancestors.has(node)) return `a value that contains itself${where}`
    if (depth > DEPTH_LIMIT) return `a value nested deeper than ${DEPTH_LIMIT} levels`
    ancestors.add(node)
    const entries: [string, unknown][] = Array.isArray(node)
      ? node.map((v, i) => [`${at}[${i}]`, v])
      : Object.entries(node).map(([k, v]) => [at === '' ? k : `${at}.${k}`, v])
    if (!Array.isArray(node) && Object.hasOwn(node, '__proto__')) return `a \`__proto__\` key${where}, which a config cannot hold`
    for (const [path, child] of entries) {
      const problem = walk(child, path, depth + 1)
      if (problem !== undefined) return problem
    }
    ancestors.delete(node)
    return undefined
  }
  return walk(value, '', 0)
}
