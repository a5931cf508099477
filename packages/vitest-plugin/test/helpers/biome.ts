import { spawnSync } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')

/** `biome format` on files, with the configuration found from `cwd`: exit code 0 and no output when they are formatted. */
export function biomeFormatCheck(cwd: string, files: readonly string[]): { readonly code: number | null; readonly output: string } {
  const out = spawnSync(join(repoRoot, 'node_modules', '.bin', 'biome'), ['format', ...files], { cwd, encoding: 'utf8', timeout: 60_000 })
  return { code: out.status, output: `${out.stdout}\n${out.stderr}` }
}
