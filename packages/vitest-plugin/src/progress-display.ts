import { displayPath } from './display-path.js'
import { formatMetric, STOP_REASONS } from './format.js'
import type { ProgressArtifact } from './meta.js'

/** Where and how progress is shown. */
export interface ProgressDisplayOptions {
  /** Writes text as is (the reporter's output stream). */
  readonly write: (text: string) => void
  /** Redraw one block in place (a terminal), or print occasional plain lines (CI logs, pipes). */
  readonly tty: boolean
  /** Milliseconds between redraws in a terminal. */
  readonly intervalMs: number
  /** Milliseconds between plain lines of one experiment. */
  readonly plainIntervalMs: number
  /** The clock; injectable so tests need no timing. */
  readonly now?: () => number
}

const UP = (n: number) => `\x1b[${n}A`
const CLEAR_DOWN = '\x1b[0J'

/** One experiment's progress as a line of text; it says how the run ended once it has. */
export function progressLine(p: ProgressArtifact): string {
  // The best of the trials' last results: the scope result.best and the summary use.
  const best = p.metric === undefined ? '' : `, best ${p.metric}=${formatMetric(p.best)} (last result)`
  const trials = `${p.finished}/${p.population} trials finished${p.errored > 0 ? `, ${p.errored} errored` : ''}`
  switch (p.state) {
    case 'running':
      return `[vitune] … ${p.experiment}: iteration ${p.iteration}, ${trials}, ${p.running} running${best}, ${p.exploits} exploits`
    case 'finished':
      return `[vitune] ✔ ${p.experiment}: iteration ${p.iteration}, ${trials}${best}, ${p.exploits} exploits`
    case 'stopped':
      return `[vitune] ■ ${p.experiment}: stopped by ${p.stopReason === undefined ? 'a stop rule' : STOP_REASONS[p.stopReason]} at iteration ${p.iteration}${best}, ${p.exploits} exploits`
    case 'failed':
      return `[vitune] ✘ ${p.experiment}: failed at iteration ${p.iteration}, ${trials}: ${p.error ?? 'see the error of its test'}`
    case 'interrupted':
      return `[vitune] ✘ ${interruptedLine(p)}`
  }
}

/**
 * An interrupted experiment: how far it got, where the artifacts of what ran are, and how it goes
 * on: with `.storage()` the next run resumes it; without, it starts over.
 */
export function interruptedLine(p: ProgressArtifact): string {
  const written = p.artifactsDir === undefined ? '' : `; artifacts of what ran in ${displayPath(p.artifactsDir)}/`
  const next = p.resumable
    ? 'run it again to resume where it stopped (it has .storage())'
    : 'it starts over next time; add .storage() to resume instead (docs/fault-tolerance.md)'
  return `${p.experiment}: interrupted at iteration ${p.iteration}${written}; ${next}`
}

/** Whether the run is over, so its line is final. */
const isOver = (p: ProgressArtifact) => p.state !== 'running'

/**
 * Live progress of running experiments. In a terminal it keeps one block of lines, one per
 * experiment, and redraws it in place at most every `intervalMs`; once other output has been
 * printed below it, it starts a new block. Elsewhere it prints a plain line per experiment at
 * start, every `plainIntervalMs`, and when it finishes.
 */
export class ProgressDisplay {
  readonly #o: Required<ProgressDisplayOptions>
  readonly #latest = new Map<string, ProgressArtifact>()
  /** Lines of the block currently on screen, below which nothing else was printed. */
  #blockLines = 0
  #lastDraw = Number.NEGATIVE_INFINITY
  readonly #lastPlain = new Map<string, number>()
  readonly #shownDone = new Set<string>()

  constructor(options: ProgressDisplayOptions) {
    this.#o = { now: () => Date.now(), ...options }
  }

  /** Records an update and shows it if the throttle allows (always when an experiment finishes). */
  update(p: ProgressArtifact): void {
    this.#latest.set(p.experiment, p)
    const now = this.#o.now()
    if (this.#o.tty) {
      if (!isOver(p) && now - this.#lastDraw < this.#o.intervalMs) return
      this.#lastDraw = now
      this.#draw()
      return
    }
    const last = this.#lastPlain.get(p.experiment)
    if (!isOver(p) && last !== undefined && now - last < this.#o.plainIntervalMs) return
    if (isOver(p) && this.#shownDone.has(p.experiment)) return
    this.#lastPlain.set(p.experiment, now)
    if (isOver(p)) this.#shownDone.add(p.experiment)
    this.#o.write(`${progressLine(p)}\n`)
  }

  #draw(): void {
    const lines = [...this.#latest.values()].map(progressLine)
    const erase = this.#blockLines > 0 ? UP(this.#blockLines) + CLEAR_DOWN : ''
    this.#o.write(`${erase}${lines.join('\n')}\n`)
    this.#blockLines = lines.length
  }

  /**
   * Other output was printed below the block: the next redraw starts a new block, without the
   * experiments that were already shown as finished.
   */
  interrupt(): void {
    if (this.#blockLines === 0) return
    this.#blockLines = 0
    for (const p of this.#latest.values()) if (isOver(p)) this.#shownDone.add(p.experiment)
    for (const name of this.#shownDone) this.#latest.delete(name)
  }

  /** Forgets everything, for a new run in watch mode. */
  reset(): void {
    this.#latest.clear()
    this.#lastPlain.clear()
    this.#shownDone.clear()
    this.#blockLines = 0
    this.#lastDraw = Number.NEGATIVE_INFINITY
  }
}
