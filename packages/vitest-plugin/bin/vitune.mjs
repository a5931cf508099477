#!/usr/bin/env node
// `vitune [vitest args]` is `vitest [vitest args] --mode tune`: it accepts a literal --tune and
// passes every other flag through to Vitest's own CLI.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const args = process.argv.slice(2).filter((arg) => arg !== '--tune')
if (!args.some((arg) => arg === '--mode' || arg.startsWith('--mode='))) args.push('--mode', 'tune')
process.argv = [process.argv[0], process.argv[1], ...args]

const require = createRequire(join(process.cwd(), 'noop.js'))
let vitestPackage
try {
  vitestPackage = require.resolve('vitest/package.json')
} catch {
  vitestPackage = createRequire(import.meta.url).resolve('vitest/package.json')
}
await import(pathToFileURL(join(dirname(vitestPackage), 'vitest.mjs')).href)
