import { isAbsolute, relative } from 'node:path'

/**
 * The directory the user typed the command in. npm, pnpm and yarn run a package's scripts in the
 * package's own folder (`pnpm -r tune` in each example) and keep the caller's folder in INIT_CWD.
 */
export function invocationDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const init = env.INIT_CWD
  return init !== undefined && isAbsolute(init) ? init : cwd
}

/**
 * A path to print for the user: relative to where they started the command when it lies below
 * it, so it works pasted as is; absolute otherwise, since `../..` chains are hard to read.
 */
export function displayPath(path: string, from: string = invocationDir()): string {
  const rel = relative(from, path)
  if (rel === '') return '.'
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel
}
