import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Config, Experiment, Metrics } from '@vitune/dsl'
import { formatNumber, ResultGrid, run } from '@vitune/runtime'
import { inject, type TestContext } from 'vitest'
import { STOP_REASONS } from '../format.js'
import type { BestSummary, ExperimentSummary, ProvidedOptions } from '../meta.js'
import { createRunExecutor } from './executor.js'
import { endlessRunNotice, Progress } from './progress.js'
import { RunOnce } from './run-once.js'
import { summarize } from './summary.js'

const DEFAULTS: ProvidedOptions = { outDir: '.vitune', artifacts: false, allowOtherFiles: false, progressIntervalMs: 500, executor: 'local' }

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

/** What `tune()` does once the grid exists: its `afterRun` hook. */
export type AfterRun<C extends Config, M extends Metrics> = (result: ResultGrid<C, M>, context: { readonly outDir: string | undefined }) => unknown

const bestText = (b: BestSummary, metric: string | undefined) =>
  `${metric}=${formatNumber(b.value)} (${b.scope === 'last' ? 'last result' : 'best ever'}) by trial ${b.trialId} (${b.label}) at iteration ${b.trainingIteration}, config ${JSON.stringify(b.config)}`

/**
 * The annotations of the test that ran an experiment: the best value and config, what stopped the
 * run, and every figure as an attachment. JUnit shows them as properties, GitHub Actions as
 * notices, Vitest's UI and HTML reporter show the figures with the test.
 */
async function annotate(context: TestContext, summary: ExperimentSummary, figures: readonly string[]): Promise<void> {
  if (summary.best !== undefined) await context.annotate(`${bestText(summary.best, summary.metric)}; seed ${summary.seed}`, 'vitune:best')
  else if (summary.noBest !== undefined) await context.annotate(summary.noBest, 'vitune:no-best')
  if (summary.bestEver !== undefined && summary.bestEver.value !== summary.best?.value)
    await context.annotate(bestText(summary.bestEver, summary.metric), 'vitune:best-ever')
  if (summary.stopReason !== undefined) await context.annotate(`every trial was stopped by ${STOP_REASONS[summary.stopReason]}`, 'vitune:stopped')
  if (summary.artifactsDir !== undefined) await context.annotate(join(summary.artifactsDir, 'index.html'), 'vitune:artifacts')
  for (const file of figures) {
    await context.annotate(file, 'vitune:figure', { path: join(summary.artifactsDir as string, file), contentType: 'image/png' })
  }
}

/** The PNG figures in an experiment's `plots/` folder (standard ones and those `afterRun` added), relative to it. */
async function pngFigures(outDir: string): Promise<string[]> {
  const files = await readdir(join(outDir, 'plots')).catch(() => [] as string[])
  return files
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => `plots/${f}`)
}

/**
 * An experiment's run, started by the first test of its suite that needs the result: the `run`
 * test, or, when `-t` selects only trials or assertions, the first of those. A suite none of whose
 * tests is selected never runs its experiment.
 */
export class ExperimentRun<C extends Config, M extends Metrics, K> {
  readonly #once: RunOnce<ResultGrid<C, M>>

  constructor(
    readonly experiment: Experiment<C, M, K>,
    readonly population: number,
    readonly afterRun: AfterRun<C, M> | undefined,
  ) {
    this.#once = new RunOnce(`experiment "${experiment.name}"`, (context) => this.#run(context))
  }

  /** The result grid, running the experiment in `context`'s test when no test has started it. */
  result(context: TestContext): Promise<ResultGrid<C, M>> {
    return this.#once.get(context)
  }

  async #run(context: TestContext): Promise<ResultGrid<C, M>> {
    const def = this.experiment.def
    const settings = provided()
    const outDir = settings.artifacts ? await checkArtifactDirectory(def.name, settings) : undefined
    const resumable = def.storage !== undefined
    const progress = new Progress(context.task, def.name, this.population, def.metric, def.mode, settings.progressIntervalMs, {
      artifactsDir: outDir,
      resumable,
    })
    const endless = endlessRunNotice(def)
    if (endless !== undefined) progress.notice(endless)
    const started = performance.now()
    const interrupt = new Interrupt(context.signal, () => progress.silence())
    let result: ResultGrid<C, M>
    const fleet = await createRunExecutor(settings.executor, def.name)
    try {
      // A fleet that fails (Redis gone) stops the run rather than failing every trial in turn.
      const signal = fleet.signal === undefined ? interrupt.signal : AbortSignal.any([interrupt.signal, fleet.signal])
      const options = { signal, onEvent: progress.onEvent, ...(fleet.executor === undefined ? {} : { executor: fleet.executor }) }
      // With .storage() the run keeps its state on disk and resumes after a crash (docs/fault-tolerance.md).
      result =
        def.storage === undefined ? await run(this.experiment, options) : await (await import('@vitune/runtime/node')).runResumable(this.experiment, options)
    } catch (error) {
      interrupt.dispose()
      const partial = partialOf(error)
      // Write what ran: after Ctrl-C, a cancelled watch run or a failure that kept its results.
      if (partial !== undefined && outDir !== undefined) await writePartial(partial, outDir, settings.allowOtherFiles)
      // The main process is gone (Ctrl-C): nobody is left to tell, and the artifacts are written.
      if (interrupt.byProcess) process.exit(130)
      const message = error instanceof Error ? error.message : String(error)
      await progress.send(partial !== undefined && isAbort(error) ? 'interrupted' : 'failed', message.split('\n')[0])
      throw error
    } finally {
      await fleet.shutdown()
    }
    interrupt.dispose()
    await progress.send(progress.stopReason === undefined ? 'finished' : 'stopped')
    const grid = result as unknown as ResultGrid<Config, Metrics>
    if (outDir !== undefined) await (await import('@vitune/runtime/node')).writeArtifacts(grid, outDir, { allowOtherFiles: settings.allowOtherFiles })
    await this.afterRun?.(result, { outDir })
    // Link what afterRun added (extra figures) from the experiment's index page.
    if (outDir !== undefined && this.afterRun !== undefined) await (await import('@vitune/runtime/node')).writeExperimentIndex(outDir)
    const figures = outDir === undefined ? [] : await pngFigures(outDir)
    const summary = summarize(grid as unknown as ResultGrid, { file: context.task.file.name, durationMs: performance.now() - started, artifactsDir: outDir })
    context.task.meta.vitune = summary
    await annotate(context, summary, figures)
    return result
  }
}

/** The result grid of what ran, when a failed run kept one (an abort does: `RunAborted.partial`). */
function partialOf(error: unknown): ResultGrid<Config, Metrics> | undefined {
  const partial = typeof error === 'object' && error !== null ? (error as { partial?: unknown }).partial : undefined
  return partial instanceof ResultGrid ? (partial as ResultGrid<Config, Metrics>) : undefined
}

const isAbort = (error: unknown) => (error as { code?: unknown } | undefined)?.code === 'VITUNE_ABORTED'

async function writePartial(grid: ResultGrid<Config, Metrics>, outDir: string, allowOtherFiles: boolean): Promise<void> {
  const node = await import('@vitune/runtime/node')
  await node.writeArtifacts(grid, outDir, { allowOtherFiles })
  await node.writeRunIndex(dirname(outDir))
}

/**
 * Ctrl-C while an experiment runs. The terminal sends SIGINT to Vitest and to its workers (the
 * default forks pool); Vitest's main process exits at once, so this worker aborts the run itself
 * and writes the artifacts of what ran. It also aborts when its connection to the main process
 * closes (the main process was killed) and when the test's own signal fires (a cancelled watch
 * run, a timeout): then the main process is still there and reports it.
 */
class Interrupt {
  readonly #controller = new AbortController()
  readonly #onSignal = (signal: NodeJS.Signals) => this.#stop(`interrupted (${signal === 'SIGINT' ? 'Ctrl-C' : signal})`)
  readonly #onDisconnect = () => this.#stop('interrupted (the Vitest main process went away)')
  readonly #onTestAbort = () => this.#controller.abort(this.test.reason)
  /** The process was interrupted: the main process is gone, nothing can be reported any more. */
  byProcess = false

  constructor(
    readonly test: AbortSignal,
    readonly silence: () => void,
  ) {
    if (test.aborted) this.#controller.abort(test.reason)
    test.addEventListener('abort', this.#onTestAbort)
    // Only in a child process (the forks pool): in a thread, the main process owns the signals.
    if (typeof process.send === 'function') {
      process.on('SIGINT', this.#onSignal)
      process.on('SIGTERM', this.#onSignal)
      process.on('disconnect', this.#onDisconnect)
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  #stop(reason: string): void {
    this.byProcess = true
    this.silence()
    this.#controller.abort(reason)
  }

  dispose(): void {
    this.test.removeEventListener('abort', this.#onTestAbort)
    process.off('SIGINT', this.#onSignal)
    process.off('SIGTERM', this.#onSignal)
    process.off('disconnect', this.#onDisconnect)
  }
}
