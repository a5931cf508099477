import type { ExperimentDef } from '@vitune/dsl'
import { describeWaiting, formatNumber, type TuneEvent } from '@vitune/runtime'
import { recordArtifact, type RunnerTestCase as Test } from 'vitest'
import type { NoticeArtifact, ProgressArtifact, ProgressState } from '../meta.js'

/** Result fields the runtime adds: not what the trainable reported. */
const RUNTIME_FIELDS = new Set(['trainingIteration', 'iterationsSinceRestore', 'timeThisIterS', 'timeTotalS', 'trialId', 'config', 'checkpointed'])

/** The keys a result holds beyond the runtime's own fields, for messages. */
export const reportedKeys = (result: object): string[] => Object.keys(result).filter((k) => !RUNTIME_FIELDS.has(k))

/**
 * Why a run may never end by itself: no stop rule, no time budget, no experiment-wide stop. A
 * trainable that loops forever then runs until it is killed.
 */
export function endlessRunNotice(def: ExperimentDef): string | undefined {
  if (def.stop !== undefined || def.timeBudgetS !== undefined || def.stopExperiment !== undefined) return undefined
  return (
    'it has no .stop(), .timeBudget() or .stopExperiment(), so it ends only when every trainable returns on its own; ' +
    'a trainable that loops forever runs until you stop it. Add .stop({ trainingIteration: 100 }) or .timeBudget(600).'
  )
}

/**
 * Follows a run's events and tells the reporter: throttled progress (the best value is the best of
 * the trials' last results, the scope `result.best` uses), and notices that should not wait for the
 * end: a metric the trainable does not report, NaN values (once per trial), trial errors.
 */
export class Progress {
  iteration = 0
  exploits = 0
  finished = 0
  errored = 0
  running = 0
  /** Each trial's metric in its last result; NaN when it was not a finite number. */
  readonly #latest = new Map<string, number>()
  #stopReason: ProgressArtifact['stopReason']
  readonly #nanWarned = new Set<string>()
  #missingWarned = false
  /** Keys of the last result seen, for error messages. */
  lastKeys: string[] = []
  #last = 0
  #pending: Promise<unknown> = Promise.resolve()
  #silent = false

  constructor(
    readonly task: Test,
    readonly experiment: string,
    readonly population: number,
    readonly metric: string | undefined,
    readonly mode: 'min' | 'max' | undefined,
    readonly intervalMs: number,
    /** Where the experiment's artifacts go, and whether it keeps state to resume from (for Ctrl-C). */
    readonly where: Pick<ProgressArtifact, 'artifactsDir' | 'resumable'> = { artifactsDir: undefined, resumable: false },
  ) {}

  /** What stopped every trial at once, when something did. */
  get stopReason(): ProgressArtifact['stopReason'] {
    return this.#stopReason
  }

  /** The best of the trials' last results. */
  get best(): number | undefined {
    let best: number | undefined
    for (const value of this.#latest.values()) {
      if (Number.isNaN(value)) continue
      if (best === undefined || (this.mode === 'min' ? value < best : value > best)) best = value
    }
    return best
  }

  onEvent = (event: TuneEvent): void => {
    switch (event.type) {
      case 'result':
        this.#onResult(event.trialId, event.result)
        break
      case 'exploit':
        this.exploits++
        break
      case 'trialEnd':
        if (event.status === 'ERROR') this.errored++
        else this.finished++
        break
      case 'trialStart':
        this.running++
        break
      case 'trialError': {
        const message = event.error instanceof Error ? event.error.message : String(event.error)
        if (event.willRetry) this.notice(`trial ${event.trialId} failed (${message}); retrying it from its last checkpoint (.failures({ maxFailures }))`)
        break
      }
      case 'experimentStop':
        this.#stopReason = event.reason
        break
      case 'trialWaiting':
        this.notice(describeWaiting(`trial ${event.trialId}`, event))
        break
    }
    // Updates follow results, so the first line already has an iteration and a best value.
    if (event.type !== 'result') return
    const now = Date.now()
    if (now - this.#last >= this.intervalMs) {
      this.#last = now
      void this.send('running')
    }
  }

  #onResult(trialId: string, result: Readonly<Record<string, unknown>> & { readonly trainingIteration: number }): void {
    this.iteration = Math.max(this.iteration, result.trainingIteration)
    const metric = this.metric
    if (metric === undefined) return
    const value = result[metric]
    this.#latest.set(trialId, typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN)
    if (value === undefined) {
      this.lastKeys = reportedKeys(result)
      if (!this.#missingWarned) {
        this.#missingWarned = true
        const keys = this.lastKeys
        this.notice(
          `trial ${trialId} reported a result without \`${metric}\` (the metric); it reported ${keys.length === 0 ? 'no keys of its own' : keys.map((k) => `\`${k}\``).join(', ')}. ` +
            'Report the metric from the trainable, or name one of these keys in .metric().',
        )
      }
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      if (!this.#nanWarned.has(trialId)) {
        this.#nanWarned.add(trialId)
        const shown = typeof value === 'number' ? formatNumber(value) : JSON.stringify(value)
        this.notice(
          `trial ${trialId} reported ${metric}=${shown} at iteration ${result.trainingIteration} (warned once per trial); ` +
            'such results never make a trial best, as in Ray.',
        )
      }
    }
  }

  /** Sends a notice line to the reporter at once. */
  notice(message: string): void {
    const artifact: NoticeArtifact = { type: 'vitune:notice', experiment: this.experiment, message }
    this.#enqueue(artifact)
  }

  /** Sends the progress as it is now; `state` says whether the run is still going and how it ended. */
  send(state: ProgressState, error?: string): Promise<unknown> {
    const artifact: ProgressArtifact = {
      type: 'vitune:progress',
      experiment: this.experiment,
      iteration: this.iteration,
      population: this.population,
      running: Math.max(0, Math.min(this.running, this.population - this.finished - this.errored)),
      finished: this.finished,
      errored: this.errored,
      best: this.best,
      metric: this.metric,
      mode: this.mode,
      exploits: this.exploits,
      state,
      stopReason: this.#stopReason,
      error,
      ...this.where,
    }
    return this.#enqueue(artifact)
  }

  /** After Ctrl-C the main process is gone: sending would only fail, and the worker exits on a failed send. */
  silence(): void {
    this.#silent = true
  }

  #enqueue(artifact: ProgressArtifact | NoticeArtifact): Promise<unknown> {
    if (this.#silent) return this.#pending
    this.#pending = this.#pending.then(() => recordArtifact(this.task, artifact)).catch(() => undefined)
    return this.#pending
  }
}
