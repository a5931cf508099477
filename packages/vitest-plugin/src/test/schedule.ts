import { fileURLToPath } from 'node:url'
import type { Config, Experiment, ExperimentDef, Metrics } from '@vitune/dsl'
import {
  checkSchedule,
  describeScheduleDifference,
  formatReached,
  type ResultGrid,
  replayDefinition,
  run,
  ScheduleError,
  sameValue,
  scheduleOf,
  type TunedSchedule,
} from '@vitune/runtime'
import { describe, expect, inject, type TestContext, test } from 'vitest'
import type { ScheduleRunMode, ScheduleWriteRequest } from '../schedule-meta.js'
import { RunOnce } from './run-once.js'
import type { TuneAssertions } from './tune.js'

/** The options of `tune()` that keep a tuned schedule in the tune file. */
export interface ScheduleOptions<C extends Config = Config> {
  /**
   * Keep the best trial's tuned schedule in this file: write `schedule: true`; tune mode replaces
   * `true` with the schedule (like an inline snapshot), and a plain `vitest run` replays it as one
   * trial and runs the same assertions. See "Tune once, check every commit" in docs/guide.md.
   */
  readonly schedule?: true | TunedSchedule<C>
  /**
   * The trainable is deterministic (a function of its config and checkpoint), so replaying the
   * schedule must reach exactly the tuned value: tune mode checks it before writing, and plain runs
   * add a test for it. Default false.
   */
  readonly deterministic?: boolean
}

/** Tune or replay: the plugin says which; without the plugin a tune file tunes, as it always did. */
export function scheduleRunMode(): ScheduleRunMode {
  try {
    return inject('vitune:run') ?? 'tune'
  } catch {
    return 'tune'
  }
}

/** Where the `tune()` call is: the first stack frame in the test file (Vitest maps frames to the TS source). */
export interface CallSite {
  readonly file: string
  readonly line: number
  readonly column: number
}

/** The call site of the function that called `tune()`, read from a stack taken inside `tune()`. */
export function tuneCallSite(stack: string | undefined): CallSite | undefined {
  const testPath = expect.getState().testPath
  if (stack === undefined || testPath === undefined) return undefined
  for (const line of stack.split('\n')) {
    const match = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line.trim())
    if (match === null) continue
    const file = (match[1] as string).startsWith('file://') ? fileURLToPath(match[1] as string) : (match[1] as string)
    if (file === testPath) return { file, line: Number(match[2]), column: Number(match[3]) }
  }
  return undefined
}

/** Vitest's snapshot update mode for this test: `all` with -u, `none` in CI, else `new`; it follows watch mode's `u` key. */
function updateMode(): 'all' | 'new' | 'none' {
  const state = expect.getState().snapshotState as { readonly snapshotUpdateState?: 'all' | 'new' | 'none' } | undefined
  // Never write when unsure.
  return state?.snapshotUpdateState ?? 'none'
}

/** Throws unless the replay reached exactly what the tuned best trial reached. */
function checkReached(def: ExperimentDef, schedule: TunedSchedule, replay: ResultGrid): void {
  if (def.metric === undefined) return
  const reached = (replay.best.metrics as Readonly<Record<string, unknown>> | undefined)?.[def.metric]
  const tuned = schedule.reached[def.metric]
  if (Object.is(reached, tuned)) return
  throw new ScheduleError(
    'VITUNE_REPLAY_DIVERGED',
    def.name,
    `with \`deterministic: true\`, the replay of its tuned schedule must reach what the tuned best trial reached, ${def.metric}=${tuned}, but it reached ${def.metric}=${String(reached)}. Either the trainable is not deterministic (it reads Math.random, the trial's \`random\`, the clock, or state outside its config and checkpoint), or code the fingerprint cannot see changed (a helper the trainable calls): re-tune with \`vitune run -u\`, or drop \`deterministic: true\`.`,
  )
}

/**
 * Tune mode: the `tuned schedule` test. It takes the best trial's schedule from the finished run
 * and follows Vitest's inline-snapshot rules: equal to the stored one, it passes; missing, it is
 * written unless updates are off (CI); different, it is rewritten only with -u. The write itself
 * happens in the main process after the file has run (see `ScheduleWriter`).
 */
export function registerScheduleTest<C extends Config, M extends Metrics, K>(
  experiment: Experiment<C, M, K>,
  options: ScheduleOptions<C>,
  site: CallSite | undefined,
  result: (context: TestContext) => Promise<ResultGrid<C, M>>,
): void {
  if (options.schedule === undefined) return
  const def = experiment.def
  test('tuned schedule', async (context) => {
    const { task, signal } = context
    const tuned = scheduleOf(await result(context), def) as TunedSchedule
    if (options.deterministic === true) checkReached(def, tuned, await run(replayDefinition(def, tuned), { signal }))
    const stored = options.schedule === true ? undefined : (options.schedule as TunedSchedule | undefined)
    if (stored !== undefined && sameValue(stored, tuned)) return
    const mode = updateMode()
    if (mode === 'all' || (mode === 'new' && stored === undefined)) {
      if (site === undefined) {
        throw new ScheduleError(
          'VITUNE_SCHEDULE_LOCATION',
          def.name,
          'its tune() call was not found in the stack of the tune file, so its tuned schedule cannot be written. Call tune() directly in the tune file, not through a helper in another file.',
        )
      }
      const request: ScheduleWriteRequest = { experiment: def.name, ...site, schedule: tuned, replaces: stored !== undefined }
      task.meta.vituneScheduleWrite = request
      return
    }
    if (stored === undefined) {
      throw new ScheduleError(
        'VITUNE_SCHEDULE_MISSING',
        def.name,
        `it has \`schedule: true\` but no tuned schedule yet, and snapshot updates are off (CI is set, or --update=none), so it was not written. Tuning found: ${formatReached(tuned.reached)}. Run \`vitune run\` where CI is not set (locally or in a nightly job) and commit the file.`,
      )
    }
    throw new ScheduleError(
      'VITUNE_SCHEDULE_MISMATCH',
      def.name,
      `the schedule tuning found differs from the one in the tune file: ${describeScheduleDifference(stored, tuned)}. Run \`vitune run -u\` to replace it (Vitest's rule: a stored snapshot is replaced only with -u), or find what made tuning change.`,
    )
  })
}

/**
 * A plain run: a `tune()` whose schedule is written becomes a suite that replays it as one trial
 * (Ray's PBT replay) and runs the same assertions on that trial's result. A stale schedule (the
 * experiment changed since) fails with a coded error instead of replaying against the wrong
 * experiment. Without a written schedule nothing is registered: the plugin keeps such files out of
 * plain runs and says how many experiments are not tuned yet.
 */
export function registerReplay<C extends Config, M extends Metrics, K>(
  experiment: Experiment<C, M, K>,
  assertions: TuneAssertions<C, M> | undefined,
  options: ScheduleOptions<C>,
): void {
  const stored = options.schedule
  if (stored === undefined || stored === true) return
  const def = experiment.def
  let schedule: TunedSchedule | undefined
  let problem: unknown
  try {
    schedule = checkSchedule(stored, def)
  } catch (error) {
    problem = error
  }
  describe(`${def.name} (replay of the tuned schedule)`, () => {
    if (schedule === undefined) {
      test('replay', () => {
        throw problem
      })
      return
    }
    const tuned = schedule
    // The first selected test replays, so `-t` on an assertion works here too (see RunOnce).
    const replay = new RunOnce(
      `the replay of experiment "${def.name}"`,
      async ({ signal }) => (await run(replayDefinition(def, tuned), { signal })) as unknown as ResultGrid<C, M>,
    )
    const changes = tuned.changes.length
    test(`replay (1 trial, ${changes} config change${changes === 1 ? '' : 's'}, seed ${tuned.seed})`, async (context) => {
      await replay.get(context)
    })
    if (options.deterministic === true) {
      test(`reaches the tuned ${formatReached(tuned.reached)} exactly`, async (context) => {
        checkReached(def, tuned, (await replay.get(context)) as unknown as ResultGrid)
      })
    }
    if (assertions === undefined) return
    const named = typeof assertions === 'function' ? { 'best result': assertions } : assertions
    for (const [name, check] of Object.entries(named)) {
      test(name, async (context) => {
        await check(await replay.get(context))
      })
    }
  })
}
