import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import { displayPath } from './display-path.js'
import type { ExperimentSummary, NoticeArtifact, ProgressArtifact } from './meta.js'
import { interruptedLine, ProgressDisplay } from './progress-display.js'
import { experimentTable } from './summary-table.js'

/** Options of the tune reporter. */
export interface TuneReporterOptions {
  /** Milliseconds between progress redraws in a terminal. Default 1000. */
  readonly progressIntervalMs: number
  /** Milliseconds between plain progress lines of one experiment when output is not a terminal. Default 10000. */
  readonly plainIntervalMs: number
  /** Absolute root of the artifacts; the reporter writes its index.html. Undefined: no artifacts. */
  readonly outDir: string | undefined
  /** Show progress as a terminal block redrawn in place; default: when the output is a terminal and not CI. */
  readonly tty: boolean | undefined
}

/** Reporters that print their machine-readable output to stdout unless given an output file. */
const STDOUT_REPORTERS = new Set(['json', 'junit', 'tap', 'tap-flat'])

interface ReporterConfig {
  readonly reporters: readonly unknown[]
  readonly outputFile?: string | Partial<Record<string, string>> | undefined
}

/** Whether a configured reporter writes JSON, XML or TAP to stdout, where our lines would corrupt it. */
export function stdoutIsTaken(config: ReporterConfig): boolean {
  for (const entry of config.reporters) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, undefined]
    if (typeof name !== 'string' || !STDOUT_REPORTERS.has(name)) continue
    const own = (options as { outputFile?: unknown } | undefined)?.outputFile
    const shared = typeof config.outputFile === 'string' ? config.outputFile : config.outputFile?.[name]
    if (name.startsWith('tap') || (own === undefined && shared === undefined)) return true
  }
  return false
}

const truthy = (value: string | undefined) => value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'

/**
 * Prints live progress per experiment and, at the end, a table per experiment (trial, initial and
 * final config, best metric, exploits) and where the artifacts are. It adds to the other reporters
 * (default, verbose, json, junit) and moves to stderr when one of them owns stdout.
 */
export class TuneReporter implements Reporter {
  #summaries: ExperimentSummary[] = []
  #display: ProgressDisplay | undefined
  #stream: NodeJS.WritableStream = process.stdout
  readonly #options: TuneReporterOptions

  constructor(options: Partial<TuneReporterOptions> = {}) {
    this.#options = {
      progressIntervalMs: options.progressIntervalMs ?? 1000,
      plainIntervalMs: options.plainIntervalMs ?? 10_000,
      outDir: options.outDir,
      tty: options.tty,
    }
  }

  onInit(vitest: Vitest): void {
    // Ctrl-C: Vitest's main process exits at once, so say now what happens to the running experiments.
    process.off('SIGINT', this.#onInterrupt)
    process.on('SIGINT', this.#onInterrupt)
    vitest.onClose(() => {
      process.off('SIGINT', this.#onInterrupt)
    })
    const logger = vitest.logger
    this.#stream = stdoutIsTaken(vitest.config as unknown as ReporterConfig) ? logger.errorStream : logger.outputStream
    const tty = this.#options.tty ?? ((this.#stream as { isTTY?: boolean }).isTTY === true && !truthy(process.env.CI))
    this.#display = new ProgressDisplay({
      write: (text) => this.#write(text),
      tty,
      intervalMs: this.#options.progressIntervalMs,
      plainIntervalMs: this.#options.plainIntervalMs,
    })
  }

  #write(text: string): void {
    this.#stream.write(text)
  }

  /** Experiments whose latest progress says they are running. */
  readonly #running = new Map<string, ProgressArtifact>()

  readonly #onInterrupt = (): void => {
    if (this.#running.size === 0) return
    this.#display?.interrupt()
    const lines = [`[vitune] interrupted: ${this.#running.size} experiment(s) stop now, each writing the artifacts of what ran:`]
    for (const p of this.#running.values()) lines.push(`[vitune]   ${interruptedLine(p)}`)
    // Synchronous on Linux for terminals, files and pipes: it is out before Vitest's exit.
    this.#write(`${lines.join('\n')}\n`)
    this.#running.clear()
  }

  #displayOrInit(): ProgressDisplay {
    this.#display ??= new ProgressDisplay({
      write: (text) => this.#write(text),
      tty: this.#options.tty ?? false,
      intervalMs: this.#options.progressIntervalMs,
      plainIntervalMs: this.#options.plainIntervalMs,
    })
    return this.#display
  }

  onTestRunStart(): void {
    // Watch mode reuses the reporter: every run starts from scratch.
    this.#summaries = []
    this.#running.clear()
    this.#display?.reset()
  }

  onWatcherRerun(): void {
    this.onTestRunStart()
  }

  onTestCaseArtifactRecord(_testCase: TestCase, artifact: { type: string }): void {
    if (artifact.type === 'vitune:progress') {
      const progress = artifact as ProgressArtifact
      if (progress.state === 'running') this.#running.set(progress.experiment, progress)
      else this.#running.delete(progress.experiment)
      this.#displayOrInit().update(progress)
    } else if (artifact.type === 'vitune:notice') {
      // A warning is printed at once, below the progress block, which then starts anew.
      const notice = artifact as NoticeArtifact
      this.#display?.interrupt()
      this.#write(`[vitune] ⚠ ${notice.experiment}: ${notice.message}\n`)
    }
  }

  onTestCaseResult(testCase: TestCase): void {
    // The verbose reporter prints a line per test: the progress block is no longer the last output.
    this.#display?.interrupt()
    const summary = testCase.meta().vitune
    if (summary !== undefined) this.#summaries.push(summary)
  }

  onTestModuleEnd(): void {
    this.#display?.interrupt()
  }

  onUserConsoleLog(): void {
    this.#display?.interrupt()
  }

  async onTestRunEnd(_modules: readonly TestModule[], _errors: readonly unknown[], _reason: TestRunEndReason): Promise<void> {
    this.#display?.interrupt()
    if (this.#summaries.length === 0) return
    const tables = this.#summaries.map(experimentTable)
    const lines = [`\n${tables.join('\n\n')}`]
    const written = this.#summaries.filter((s) => s.artifactsDir !== undefined)
    if (this.#options.outDir !== undefined && written.length > 0) {
      const { writeRunIndex } = await import('@vitune/runtime/node')
      // In the order the experiments ran, as the tables above.
      const index = await writeRunIndex(this.#options.outDir, { order: this.#summaries.map((s) => s.experiment) })
      lines.push(`[vitune] artifacts of ${written.length} experiment(s): open ${displayPath(index)} in a browser`)
      for (const s of written) lines.push(`[vitune]   ${s.experiment}: ${displayPath(s.artifactsDir as string)}/`)
    }
    this.#write(`${lines.join('\n')}\n`)
  }
}
