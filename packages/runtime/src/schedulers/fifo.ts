import type { Config } from '@vitune/dsl'
import { decide, type RunnerView, type Scheduler, type SchedulerDecision, type TrialView } from './types.js'

/** First in, first out: every trial runs to its stop criteria (Ray's FIFOScheduler). */
export class FifoScheduler implements Scheduler {
  onTrialAdd(): Config | undefined {
    return undefined
  }
  onTrialResult(): SchedulerDecision {
    return decide('CONTINUE')
  }
  onTrialComplete() {
    return []
  }
  onTrialError() {
    return []
  }
  chooseTrialToRun(runner: RunnerView): TrialView | undefined {
    return runner.trials.find((t) => t.status === 'PENDING') ?? runner.trials.find((t) => t.status === 'PAUSED')
  }
  stats() {
    return {}
  }
  /** FIFO keeps no state of its own: nothing to save. */
  snapshot(): undefined {
    return undefined
  }
  restore(): void {}
}
