// Builds @vitune/dsl and @vitune/runtime as they were before worker threads (issue 10), so the
// worker benchmark can time the in-process path against them in the same run. The baseline is
// the parent of the commit that added packages/dsl/src/workers.ts, or VITUNE_BENCH_BASELINE (any
// commit). Prints the directory holding the build (node_modules/.cache/vitune-bench-baseline/<commit>).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()

const added = git('log', '--diff-filter=A', '--format=%H', '--', 'packages/dsl/src/workers.ts').split('\n').pop()
const commit = git('rev-parse', '--short', process.env.VITUNE_BENCH_BASELINE ?? `${added}^`)
const dir = join(root, 'node_modules', '.cache', 'vitune-bench-baseline', commit)
if (!existsSync(join(dir, 'packages', 'runtime', 'dist', 'index.js'))) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const archive = execFileSync('git', ['archive', commit, 'tsconfig.base.json', 'packages/dsl', 'packages/runtime'], { cwd: root, maxBuffer: 1 << 30 })
  execFileSync('tar', ['-x', '-C', dir], { input: archive })
  // The runtime's dependencies as installed now, except @vitune/dsl: the baseline's own.
  const modules = join(dir, 'packages', 'runtime', 'node_modules')
  mkdirSync(join(modules, '@vitune'), { recursive: true })
  const installed = join(root, 'packages', 'runtime', 'node_modules')
  for (const name of readdirSync(installed)) if (name !== '@vitune') symlinkSync(join(installed, name), join(modules, name))
  symlinkSync(join(dir, 'packages', 'dsl'), join(modules, '@vitune', 'dsl'))
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b', join(dir, 'packages', 'dsl'), join(dir, 'packages', 'runtime')], {
    cwd: dir,
    stdio: 'inherit',
  })
}
console.log(dir)
