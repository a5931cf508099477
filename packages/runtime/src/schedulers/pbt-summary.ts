import { type Config, isNestedSpec, type MutationSpecShape } from '@vitune/dsl'

/** The mutated keys of a config, nested ones included, in the config's key order (Ray's `_filter_mutated_params_from_config`). */
export function filterMutatedParams(config: Config, mutations: MutationSpecShape): Config {
  const kept: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(config)) {
    if (!Object.hasOwn(mutations, key)) continue
    const mutation = mutations[key]
    kept[key] =
      isNestedSpec(mutation) && typeof mutation !== 'function' && isNestedSpec(value) ? filterMutatedParams(value, mutation as MutationSpecShape) : value
  }
  return kept
}

const show = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value))

/**
 * Ray's explore summary, one line per key: `lr : 0.5 --- (* 0.8) --> 0.4`, or `lr : 0.5 -----> 0.4`
 * without an operation; nested keys under a `name :` line, indented by four spaces. Empty when
 * `oldParams` is (Ray then prints "No hyperparameters mutated.").
 */
export function summarizeHyperparamChanges(oldParams: Config, newParams: Config, operations: Readonly<Record<string, unknown>> = {}, prefix = ''): string {
  let summary = ''
  for (const [key, oldValue] of Object.entries(oldParams)) {
    if (!Object.hasOwn(newParams, key)) {
      throw new TypeError(
        `summarizeHyperparamChanges: the new params lack \`${key}\` (old keys: ${Object.keys(oldParams).join(', ')}; new keys: ${Object.keys(newParams).join(', ')})`,
      )
    }
    const newValue = newParams[key]
    summary += `${prefix}${key} : `
    if (isNestedSpec(oldValue)) {
      const nested = operations[key]
      summary += `\n${summarizeHyperparamChanges(oldValue, (newValue ?? {}) as Config, isNestedSpec(nested) ? nested : {}, `${prefix}    `)}`
    } else {
      const op = operations[key]
      const arrow = typeof op === 'string' && op.length > 0 ? `--- (${op}) -->` : '----->'
      summary += `${show(oldValue)} ${arrow} ${show(newValue)}\n`
    }
  }
  return summary
}
