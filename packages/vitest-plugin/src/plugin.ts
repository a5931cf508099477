import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { configDefaults, type Plugin } from 'vitest/config'
import { type ExecutorSetting, resolveExecutorSetting } from './executor-setting.js'
import type { ProvidedOptions } from './meta.js'
import { isTuneMode, TUNE_FILE_GLOB } from './mode.js'
import { globFor, scanTuneFiles } from './node/schedule-scan.js'
import { NotTunedNotice, ScheduleWriter } from './node/schedule-writer.js'
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
  /**
   * Where trials run: `'local'` (default: worker threads or this process, as the experiment says), or
   * a fleet of `vitune worker` processes, `{ bullmq: { redis: 'redis://host:6379' } }` (needs
   * @vitune/bullmq; docs/distributed.md). `VITUNE_REDIS_URL` sends a run to the fleet without this option.
   */
  readonly executor?: ExecutorSetting
}

const setupFile = fileURLToPath(new URL('./test/setup.js', import.meta.url))

/** Where Vitest keeps its copies of the figures attached to tests, inside the artifacts root (unless `test.attachmentsDir` is set). */
export const ATTACHMENTS_DIR = '.attachments'

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
      test.provide = { ...test.provide, 'vitune:run': tune ? 'tune' : 'replay' }
      if (!tune) {
        // configureVitest lets back in the tune files that hold a tuned schedule.
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
        executor: resolveExecutorSetting(options.executor),
      }
      test.provide = { ...test.provide, vitune: provided }
      // Vitest copies each figure attached to a test (for its UI and HTML reporter) into attachmentsDir;
      // keep those copies with the artifacts rather than in a new folder at the project root.
      test.attachmentsDir ??= join(provided.outDir, ATTACHMENTS_DIR)
    },
    async configureVitest({ vitest, project }) {
      if (!tune) {
        // A plain run replays the tuned schedules: their files join the run, the others stay out.
        const dir = project.config.dir || project.config.root
        const exclude = project.config.exclude.filter((glob) => !include.includes(glob))
        const scan = await scanTuneFiles(dir, include, exclude)
        const tuned = await Promise.all(scan.tuned.map((file) => globFor(dir, file)))
        const untuned = await Promise.all(scan.untuned.map((file) => globFor(dir, file)))
        project.config.include = [...project.config.include, ...tuned]
        project.config.exclude = [...exclude, ...untuned]
        // The replays run the same assertions, so they need the same matchers.
        if (tuned.length > 0) project.config.setupFiles = [...project.config.setupFiles, setupFile]
        if (scan.pending > 0) vitest.config.reporters.push(new NotTunedNotice(scan.pending) as never)
        return
      }
      const writer = new ScheduleWriter()
      vitest.config.reporters.push(writer as never)
      // Our own write would rerun the file in watch mode; a later edit by someone else still does.
      vitest.onFilterWatchedSpecification((spec) => {
        const mine = writer.written.get(spec.moduleId)
        if (mine === undefined) return true
        writer.written.delete(spec.moduleId)
        return readFileSync(spec.moduleId, 'utf8') !== mine
      })
      // Push into the resolved config so a CLI --reporter does not drop ours.
      const reporter = new TuneReporter({
        progressIntervalMs: options.progressIntervalMs ?? 1000,
        outDir: options.artifacts === false ? undefined : outDirOf(vitest.config.root),
      })
      vitest.config.reporters.push(reporter as never)
    },
  }
}
