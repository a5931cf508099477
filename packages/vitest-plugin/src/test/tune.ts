import type { Config, Experiment, Metrics } from '@vitune/dsl'
import { validateExperiment } from '@vitune/dsl'
import { deriveStream, describeScheduler, generateVariants, type ResultGrid, trialLabels } from '@vitune/runtime'
import { describe, test } from 'vitest'
import { type AfterRun, ExperimentRun } from './experiment-run.js'
import { registerReplay, registerScheduleTest, type ScheduleOptions, scheduleRunMode, tuneCallSite } from './schedule.js'
import { trialErrorMessage } from './trial-error.js'

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
  readonly afterRun?: AfterRun<C, M>
  /**
   * Fail the test of a trial that ended in error (Ray's `raise_on_failed_trial`). Default true. With
   * false, such a trial's test is skipped with its error as the note, so CI passes; assert on
   * `result.errors` to bound how many may fail.
   */
  readonly raiseOnFailedTrial?: boolean
}

/**
 * Registers an experiment as a Vitest suite: a `run` test that tunes, one test per trial (it fails
 * when the trial errored), and the assertions on the result. The experiment runs in the first of
 * these tests that is selected, so `-t` on an assertion's name runs it too, and a suite with no
 * selected test does not run.
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
  const site = options.schedule === undefined ? undefined : tuneCallSite(new Error().stack)
  const variants = generateVariants(def, deriveStream(def.seed, 'variants'))
  const labels = trialLabels(variants.map((v) => v.config))
  const experimentRun = new ExperimentRun(experiment, variants.length, options.afterRun)

  describe(def.name, () => {
    test(`run (${variants.length} trials, ${describeScheduler(def).label})`, async (context) => {
      await experimentRun.result(context)
    })

    for (const variant of variants) {
      test(`trial ${labels[variant.index] ?? variant.tag}`, async (context) => {
        const result = await experimentRun.result(context)
        const trial = result.trials[variant.index]
        if (trial === undefined) return
        context.task.meta.vituneTrial = { trialId: trial.trialId, label: labels[variant.index] ?? trial.tag, status: trial.status, config: trial.config }
        if (trial.status !== 'ERROR') return
        const error = trialErrorMessage(def, trial, labels[variant.index])
        if (options.raiseOnFailedTrial === false) context.skip(`${error.message} (allowed: raiseOnFailedTrial is false)`)
        throw error
      })
    }

    registerScheduleTest(experiment, options, site, (context) => experimentRun.result(context))
    if (assertions === undefined) return
    const named = typeof assertions === 'function' ? { 'best result': assertions } : assertions
    for (const [name, check] of Object.entries(named)) {
      test(name, async (context) => {
        await check(await experimentRun.result(context))
      })
    }
  })
}
