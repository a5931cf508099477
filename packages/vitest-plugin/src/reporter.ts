import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import type { ExperimentSummary, ProgressArtifact } from './meta.js'

/** Options of the tune reporter. */
export interface TuneReporterOptions {
  /** Milliseconds between progress lines per experiment. */
  readonly progressIntervalMs: number
}

const fmt = (value: number | undefined) => (value === undefined ? '-' : Number.isInteger(value) ? String(value) : value.toPrecision(6))

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  const line = (r: readonly string[]) => `│ ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' │ ')} │`
  const rule = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`
  const [head, ...body] = rows
  return [rule('┌', '┬', '┐'), line(head ?? []), rule('├', '┼', '┤'), ...body.map(line), rule('└', '┴', '┘')].join('\n')
}

/** Prints live progress per experiment and a summary table at the end of a tune run. */
export class TuneReporter implements Reporter {
  #vitest: Vitest | undefined
  #summaries: ExperimentSummary[] = []
  #lastLine = new Map<string, number>()
  readonly #options: TuneReporterOptions

  constructor(options: Partial<TuneReporterOptions> = {}) {
    this.#options = { progressIntervalMs: options.progressIntervalMs ?? 1000 }
  }

  onInit(vitest: Vitest): void {
    this.#vitest = vitest
  }

  onTestRunStart(): void {
    // Watch mode reuses the reporter: start every run from scratch.
    this.#summaries = []
    this.#lastLine.clear()
  }

  #log(message: string): void {
    if (this.#vitest === undefined) console.log(message)
    else this.#vitest.logger.log(message)
  }

  onTestCaseArtifactRecord(_testCase: TestCase, artifact: { type: string }): void {
    if (artifact.type !== 'vitune:progress') return
    const p = artifact as ProgressArtifact
    const now = Date.now()
    if (!p.done && now - (this.#lastLine.get(p.experiment) ?? 0) < this.#options.progressIntervalMs) return
    this.#lastLine.set(p.experiment, now)
    const best = p.metric === undefined ? '' : `  best ${p.metric}=${fmt(p.best)}`
    this.#log(
      `[vitune] ${p.done ? '✔' : '…'} ${p.experiment}: iteration ${p.iteration}, ${p.finished}/${p.population} trials finished${best}, ${p.exploits} exploits`,
    )
  }

  onTestCaseResult(testCase: TestCase): void {
    const summary = testCase.meta().vitune
    if (summary !== undefined) this.#summaries.push(summary)
  }

  onTestRunEnd(_modules: readonly TestModule[], _errors: readonly unknown[], _reason: TestRunEndReason): void {
    if (this.#summaries.length === 0) return
    const rows = [['experiment', 'metric', 'best', 'held by trial', 'trials', 'exploits', 'time']]
    for (const s of this.#summaries) {
      rows.push([
        s.experiment,
        s.metric === undefined ? '-' : `${s.metric} (${s.mode})`,
        fmt(s.best?.value),
        s.best === undefined ? '-' : `${s.best.trialId} ${s.best.tag}`,
        String(s.trials.length),
        String(s.exploits),
        `${(s.durationMs / 1000).toFixed(2)}s`,
      ])
    }
    this.#log(`\n${table(rows)}`)
    const dirs = this.#summaries.map((s) => s.artifactsDir).filter((d): d is string => d !== undefined)
    if (dirs.length > 0) this.#log(`[vitune] artifacts: ${[...new Set(dirs)].join(', ')}`)
  }
}
