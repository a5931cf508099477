import { join } from 'node:path'
import { type Config, type Experiment, type ExperimentDef, type Metrics, validateExperiment } from '@vitune/dsl'
import { deriveStream, describeScheduler, generateVariants, type ResultGrid, run, type TuneEvent } from '@vitune/runtime'
import { describe, inject, recordArtifact, type RunnerTestCase as Test, test } from 'vitest'
import type { ProgressArtifact, ProvidedOptions } from '../meta.js'
import { registerReplay, registerScheduleTest, type ScheduleOptions, scheduleRunMode, tuneCallSite } from './schedule.js'
import { summarize } from './summary.js'

/**
 * One check of a finished experiment. It may return anything (`(r) => expect(r).toReachMetric(1)` is
 * an expression); a returned promise is awaited, as Vitest does with a test function's.
 */
export type TuneAssertion<C extends Config, M extends Metrics> = (result: ResultGrid<C, M>) => unknown

/** Assertions on a finished experiment: one function, or named functions that each become a test. */
export type TuneAssertions<C extends Config, M extends Metrics> = TuneAssertion<C, M> | Readonly<Record<string, TuneAssertion<C, M>>>

/** Per-experiment options of `tune()`. */
export interface TuneOptions<C extends Config = Config, M extends Metrics = Metrics> extends ScheduleOptions<C> {
  /**
   * Hook called with the result grid after the run and its artifacts, before assertions: write extra
   * figures into `outDir` (the experiment's artifacts directory; undefined when artifacts are off)
   * and the experiment's index.html links them too. A returned promise is awaited.
   */
  readonly afterRun?: (result: ResultGrid<C, M>, context: { readonly outDir: string | undefined }) => unknown
}

const DEFAULTS: ProvidedOptions = { outDir: '.vitune', artifacts: false, allowOtherFiles: false, progressIntervalMs: 500 }

function provided(): ProvidedOptions {
  try {
    return { ...DEFAULTS, ...(inject('vitune') ?? {}) }
  } catch {
    return DEFAULTS
  }
}

/**
 * Checks, before an experiment runs, that its artifacts directory `<outDir>/<experiment slug>/` and
 * the run index may be written, so a refused directory costs no tuning time. The node entry (plots,
 * file writers) loads only when artifacts are on, so runs without them do not pay for it.
 */
async function checkArtifactDirectory(name: string, settings: ProvidedOptions): Promise<string> {
  const node = await import('@vitune/runtime/node')
  const dir = join(settings.outDir, node.experimentSlug(name))
  await node.assertArtifactDirectory(name, dir, { allowOtherFiles: settings.allowOtherFiles })
  await node.assertRunIndexWritable(settings.outDir)
  return dir
}

/** Tracks progress from run events and sends throttled updates to the reporter. */
class Progress {
  iteration = 0
  best: number | undefined
  exploits = 0
  finished = 0
  running = 0
  #last = 0
  #pending: Promise<unknown> = Promise.resolve()

  constructor(
    readonly task: Test,
    readonly experiment: string,
    readonly population: number,
    readonly metric: string | undefined,
    readonly mode: 'min' | 'max' | undefined,
    readonly intervalMs: number,
  ) {}

  onEvent = (event: TuneEvent): void => {
    if (event.type === 'result') {
      this.iteration = Math.max(this.iteration, event.result.trainingIteration)
      const value = this.metric === undefined ? undefined : event.result[this.metric]
      if (typeof value === 'number' && Number.isFinite(value)) {
        if (this.best === undefined || (this.mode === 'min' ? value < this.best : value > this.best)) this.best = value
      }
    } else if (event.type === 'exploit') this.exploits++
    else if (event.type === 'trialEnd') this.finished++
    else if (event.type === 'trialStart') this.running++
    // Updates follow results, so the first line already has an iteration and a best value.
    if (event.type !== 'result') return
    const now = Date.now()
    if (now - this.#last >= this.intervalMs) {
      this.#last = now
      this.send(false)
    }
  }

  send(done: boolean): Promise<unknown> {
    const artifact: ProgressArtifact = {
      type: 'vitune:progress',
      experiment: this.experiment,
      iteration: this.iteration,
      population: this.population,
      running: Math.min(this.running, this.population - this.finished),
      finished: this.finished,
      best: this.best,
      metric: this.metric,
      exploits: this.exploits,
      done,
    }
    this.#pending = this.#pending.then(() => recordArtifact(this.task, artifact)).catch(() => undefined)
    return this.#pending
  }
}

/**
 * Registers an experiment as a Vitest suite: a `run` test that tunes, one test per trial (it fails
 * when the trial errored), and the assertions on the result.
 */
export function tune<C extends Config, M extends Metrics, K>(
  experiment: Experiment<C, M, K>,
  assertions?: TuneAssertions<C, M>,
  // NoInfer: the config type comes from the experiment, so a written schedule is checked against it.
  options: TuneOptions<NoInfer<C>, NoInfer<M>> = {},
): void {
  const def = experiment.def
  validateExperiment(def)
  // A plain run replays the tuned schedule, if the file holds one (see schedule.ts).
  if (scheduleRunMode() === 'replay') {
    registerReplay(experiment, assertions, options)
    return
  }
  const site = tuneCallSite(new Error().stack)
  const variants = generateVariants(def, deriveStream(def.seed, 'variants'))
  let result: ResultGrid<C, M> | undefined
  let runError: unknown
  const needResult = (): ResultGrid<C, M> => {
    if (result !== undefined) return result
    throw new Error(
      `experiment "${def.name}" did not finish, so there is nothing to check: see the failure of its "run" test${runError instanceof Error ? ` (${runError.message})` : ''}.`,
    )
  }

  describe(def.name, () => {
    test(`run (${variants.length} trials, ${describeScheduler(def).label})`, async ({ task, signal }) => {
      const settings = provided()
      const artifactsDir = settings.artifacts ? await checkArtifactDirectory(def.name, settings) : undefined
      const progress = new Progress(task, def.name, variants.length, def.metric, def.mode, settings.progressIntervalMs)
      const started = performance.now()
      try {
        // With .storage() the run keeps its state on disk and resumes after a crash (docs/fault-tolerance.md).
        result =
          def.storage === undefined
            ? await run(experiment, { signal, onEvent: progress.onEvent })
            : await (await import('@vitune/runtime/node')).runResumable(experiment, { signal, onEvent: progress.onEvent })
      } catch (error) {
        runError = error
        throw error
      } finally {
        await progress.send(true)
      }
      const grid = result as unknown as ResultGrid<Config, Metrics>
      const outDir = artifactsDir
      if (outDir !== undefined) await (await import('@vitune/runtime/node')).writeArtifacts(grid, outDir, { allowOtherFiles: settings.allowOtherFiles })
      await options.afterRun?.(result, { outDir })
      // Link what afterRun added (extra figures) from the experiment's index page.
      if (outDir !== undefined && options.afterRun !== undefined) await (await import('@vitune/runtime/node')).writeExperimentIndex(outDir)
      task.meta.vitune = summarize(grid as unknown as ResultGrid, task.file.name, performance.now() - started, outDir)
    })

    for (const variant of variants) {
      test(`trial ${variant.tag}`, () => {
        const trial = needResult().trials[variant.index]
        if (trial?.status === 'ERROR') {
          const failure = trial.error
          const error = new Error(
            `trial ${trial.trialId} (${trial.tag}) failed after ${trial.numFailures} attempt(s) at iteration ${failure?.trainingIteration}: ${failure?.message}`,
          )
          if (failure?.stack !== undefined) error.stack = `${error.message}\ncaused by: ${failure.stack}`
          throw error
        }
      })
    }

    registerScheduleTest(experiment, options, site, needResult)
    if (assertions === undefined) return
    const named = typeof assertions === 'function' ? { 'best result': assertions } : assertions
    for (const [name, check] of Object.entries(named)) {
      test(name, async () => {
        await check(needResult())
      })
    }
  })
}
