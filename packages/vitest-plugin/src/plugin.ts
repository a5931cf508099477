import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { configDefaults, type Plugin } from 'vitest/config'
import type { ProvidedOptions } from './meta.js'
import { isTuneMode, TUNE_FILE_GLOB } from './mode.js'
import { TuneReporter } from './reporter.js'

/** Options of the `vitune()` plugin. */
export interface VituneOptions {
  /** Globs of experiment files. Default: `**\/*.tune.{ts,js,...}`. */
  readonly include?: readonly string[]
  /** Where artifacts go, relative to the project root: one folder per experiment, `<outDir>/<experiment slug>/`. Default `.vitune`. */
  readonly outDir?: string
  /** Write result files, policy logs and plots. Default true. */
  readonly artifacts?: boolean
  /**
   * Write an experiment's artifacts into a directory that holds files vitune did not write (say
   * `outDir: '.'` next to your own folders). Default false: such a directory fails the experiment
   * before it runs (`VITUNE_ARTIFACT_OTHER_FILES`). vitune never deletes or overwrites those files.
   */
  readonly allowOtherFiles?: boolean
  /** Milliseconds between progress lines. Default 1000. */
  readonly progressIntervalMs?: number
  /** Per-test timeout in tune mode, in ms; 0 means none. Default 0. */
  readonly testTimeout?: number
}

const setupFile = fileURLToPath(new URL('./test/setup.js', import.meta.url))

/**
 * The Vitest plugin. In tune mode (`vitest --mode tune`, `VITUNE=1`, or the `vitune` bin) it runs
 * only `*.tune.ts` files, with no timeout, vitune's matchers and reporter; otherwise it keeps
 * tune files out of the run.
 */
export function vitune(options: VituneOptions = {}): Plugin {
  let tune = false
  const include = [...(options.include ?? [TUNE_FILE_GLOB])]
  const outDirOf = (root: string | undefined) => resolve(root ?? process.cwd(), options.outDir ?? '.vitune')
  return {
    name: 'vitune',
    config(config, env) {
      tune = isTuneMode(env.mode)
      config.test ??= {}
      const test = config.test
      if (!tune) {
        test.exclude = [...(test.exclude ?? configDefaults.exclude), ...include]
        return
      }
      // Assign rather than return: Vite's mergeConfig would concatenate the user's include with ours.
      test.include = include
      test.testTimeout = options.testTimeout ?? 0
      test.hookTimeout = options.testTimeout ?? 0
      const setup = test.setupFiles === undefined ? [] : Array.isArray(test.setupFiles) ? test.setupFiles : [test.setupFiles]
      test.setupFiles = [...setup, setupFile]
      const provided: ProvidedOptions = {
        // Absolute, so workers write where the project is, whatever their working directory.
        outDir: outDirOf(test.root ?? config.root),
        artifacts: options.artifacts ?? true,
        allowOtherFiles: options.allowOtherFiles ?? false,
        progressIntervalMs: Math.max(50, Math.floor((options.progressIntervalMs ?? 1000) / 2)),
      }
      test.provide = { ...test.provide, vitune: provided }
    },
    configureVitest({ vitest }) {
      if (!tune) return
      // Push into the resolved config so a CLI --reporter does not drop ours.
      const reporter = new TuneReporter({
        progressIntervalMs: options.progressIntervalMs ?? 1000,
        outDir: options.artifacts === false ? undefined : outDirOf(vitest.config.root),
      })
      vitest.config.reporters.push(reporter as never)
    },
  }
}
