/** Environment variables that switch tune mode on (`VITUNE=1 vitest run`). */
export const TUNE_ENV_VARS = ['VITUNE', 'VITEST_TUNE'] as const

/** The Vite mode that means tune mode (`vitest --mode tune`). */
export const TUNE_MODE = 'tune'

/** Files tune mode runs, and normal runs leave alone. */
export const TUNE_FILE_GLOB = '**/*.tune.?(c|m)[jt]s?(x)'

const truthy = (value: string | undefined) => value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'

/**
 * Tune mode is on with `--mode tune`, with `VITUNE=1` (or `VITEST_TUNE=1`), or with `-- --tune`
 * after Vitest's own flags (Vitest rejects an unknown `--tune` before any config loads).
 */
export function isTuneMode(mode: string | undefined, env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): boolean {
  if (mode === TUNE_MODE) return true
  if (TUNE_ENV_VARS.some((name) => truthy(env[name]))) return true
  const separator = argv.indexOf('--')
  return separator !== -1 && argv.slice(separator + 1).includes('--tune')
}
