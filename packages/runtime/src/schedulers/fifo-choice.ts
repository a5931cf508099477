import type { RunnerView, TrialView } from './types.js'

/** Ray's FIFO choice, which ASHA and the median stopping rule inherit: the first PENDING trial, else the first PAUSED one. */
export function fifoChoice(runner: RunnerView): TrialView | undefined {
  return runner.trials.find((t) => t.status === 'PENDING') ?? runner.trials.find((t) => t.status === 'PAUSED')
}

/** What `count` successive FIFO choices would start: PENDING trials in list order, then PAUSED ones. */
export function fifoChoices(runner: RunnerView, count: number): readonly TrialView[] {
  const chosen: TrialView[] = []
  for (const status of ['PENDING', 'PAUSED'] as const) {
    for (const trial of runner.trials) {
      if (chosen.length >= count) return chosen
      if (trial.status === status) chosen.push(trial)
    }
  }
  return chosen
}
