/**
 * PB2's explore step (Ray's `PB2._get_new_config` and `pb2_utils`), a pure function: from the
 * table of (trial, time, hyperparameters, reward) rows, the change in reward per unit of time over
 * each perturbation interval is modelled by a time-varying GP, and the donor's hyperparameters are
 * replaced by the maximiser of the UCB acquisition within the bounds.
 */
import type { Config } from '@vitune/dsl'
import type { RandomStream } from '../random.js'
import { nelderMead } from './nelder-mead.js'
import { npMean } from './numpy.js'
import { GaussianProcess, type GpHyperparameters } from './pb2-gp.js'

/** One continuous hyperparameter PB2 explores: its key path in the config and its bounds. */
export interface Pb2Bound {
  /** `['lr']`, or `['optimizer', 'lr']` for a nested key. */
  readonly path: readonly string[]
  readonly low: number
  readonly high: number
  /** Round explored values (the space draws integers here). */
  readonly integer: boolean
}

/** A row of PB2's data table: a trial's hyperparameters and signed score at a perturbation-ready result. */
export interface Pb2Row {
  readonly trialId: string
  readonly time: number
  /** Values of the bounded hyperparameters, in bound order. */
  readonly values: readonly number[]
  /** sign × metric: higher is better. */
  readonly reward: number
}

/** One interval of one trial with fixed hyperparameters: the GP's training data. */
interface Difference {
  readonly trialId: string
  readonly time: number
  readonly rewardBefore: number
  readonly reward: number
  readonly values: readonly number[]
  /** Reward gained per unit of time over the interval. */
  readonly rate: number
}

/** What PB2's explore needs. */
export interface Pb2ExploreInput {
  readonly rows: readonly Pb2Row[]
  readonly bounds: readonly Pb2Bound[]
  /** The trial being exploited (it receives the new config). */
  readonly targetId: string
  readonly donorId: string
  readonly donorConfig: Config
  /** Normalised hyperparameter vectors already chosen in this round: the batch's pending points. */
  readonly pending: readonly (readonly number[])[]
  readonly stream: RandomStream
  /** The previous fit's hyperparameters, where this fit starts (a cold start without). */
  readonly start?: GpHyperparameters | undefined
}

/** The explored config and what to remember of the choice. */
export interface Pb2Choice {
  readonly config: Config
  /** The chosen point in [0, 1]^d (the donor's own when it was cloned): a pending point for the round. */
  readonly vector: readonly number[]
  /** The row Ray appends for the target: the donor's last interval end, with the new values. */
  readonly row: Pb2Row | undefined
  /** How the GP saw it, for reports; undefined for a clone. */
  readonly model: { readonly rows: number; readonly hyperparameters: GpHyperparameters; readonly ucb: number } | undefined
}

/** Rows the GP is fitted on at most: the most recent (Ray searches windows of 200 or more; docs/ray-differences.md). */
export const PB2_WINDOW = 100
/** Random restarts of the acquisition search, as in Ray. */
const RESTARTS = 10

/**
 * Ray's difference table: rows grouped by trial and exact hyperparameter values, each row against
 * its predecessor in time; intervals of no time and NaN rates dropped; sorted by time.
 */
export function differences(rows: readonly Pb2Row[]): Difference[] {
  const sorted = rows.map((row, order) => ({ row, order })).sort((a, b) => a.row.time - b.row.time || a.order - b.order)
  const previous = new Map<string, Pb2Row>()
  const out: (Difference & { order: number })[] = []
  for (const { row, order } of sorted) {
    const key = `${row.trialId}\u0000${row.values.join('\u0000')}`
    const before = previous.get(key)
    previous.set(key, row)
    if (before === undefined) continue
    const dt = row.time - before.time
    if (!(dt > 0)) continue
    const rate = (row.reward - before.reward) / dt
    if (Number.isNaN(rate)) continue
    out.push({ trialId: row.trialId, time: row.time, rewardBefore: before.reward, reward: row.reward, values: row.values, rate, order })
  }
  return out.sort((a, b) => a.time - b.time || a.order - b.order)
}

/** Ray's UCB weight: κ = √(0.2 + max(0, ln(0.4·N))) for N training rows (PR #28342). */
export function ucbKappa(n: number): number {
  return Math.sqrt(0.2 + Math.max(0, Math.log(0.4 * n)))
}

const minMax = (values: readonly number[]) => {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  return { min, max }
}

/** Population standard deviation (NumPy's `np.std`). */
function std(values: readonly number[], mean: number): number {
  return Math.sqrt(npMean(values.map((v) => (v - mean) ** 2)))
}

/** Reads a possibly nested key. */
export function getPath(config: Config, path: readonly string[]): unknown {
  let value: unknown = config
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
  return value
}

/** A copy of `config` with the value at `path` replaced; nested objects on the way are copied. */
export function setPath(config: Config, path: readonly string[], value: unknown): Config {
  const [head, ...rest] = path as [string, ...string[]]
  const inner = config[head]
  const next = rest.length === 0 ? value : setPath(typeof inner === 'object' && inner !== null ? (inner as Config) : {}, rest, value)
  return { ...config, [head]: next }
}

/** PB2's explore: a pure function of the data, the donor and the stream. */
export function pb2Explore(input: Pb2ExploreInput): Pb2Choice {
  const { bounds, stream } = input
  const all = differences(input.rows)
  let donorLast: Difference | undefined
  for (const d of all) if (d.trialId === input.donorId) donorLast = d
  const normalise = (values: readonly number[]) => bounds.map((b, i) => ((values[i] as number) - b.low) / (b.high - b.low + 1e-8))
  // No interval measured for the donor yet (every first round): clone its hyperparameters, as Ray.
  // Its point still counts as pending for the rest of the round.
  if (donorLast === undefined) {
    const donorValues = bounds.map((b) => Number(getPath(input.donorConfig, b.path)))
    return { config: input.donorConfig, vector: normalise(donorValues), row: undefined, model: undefined }
  }

  const window = all.slice(-PB2_WINDOW)
  const time = minMax(window.map((d) => d.time))
  const before = minMax(window.map((d) => d.rewardBefore))
  const scale = (v: number, r: { min: number; max: number }) => (v - r.min) / (r.max - r.min + 1e-8)
  const context = [scale(donorLast.time, time), scale(donorLast.rewardBefore, before)]
  const X = window.map((d) => [scale(d.time, time), scale(d.rewardBefore, before), ...normalise(d.values)])
  const rates = window.map((d) => d.rate)
  const mean = npMean(rates)
  const sd = std(rates, mean)
  const y = rates.map((r) => Math.min(2, Math.max(-2, (r - mean) / (sd + 1e-8))))

  const gp = GaussianProcess.fit(X, y, input.start)
  // Pending points of this round shrink the variance near them, steering the batch apart (GP-BUCB).
  // Their y does not enter the variance; the fitted hyperparameters are kept (Ray refits).
  const spread =
    input.pending.length === 0
      ? gp
      : GaussianProcess.condition([...X, ...input.pending.map((p) => [...context, ...p])], [...y, ...input.pending.map(() => 0)], gp.hyperparameters)
  const kappa = ucbKappa(X.length)
  const ucb = (x: readonly number[]) => {
    const point = [...context, ...x]
    const k = gp.covariances(point)
    return gp.mean(k) + kappa * (spread === gp ? gp.variance(k) : spread.variance(spread.covariances(point)))
  }

  const d = bounds.length
  const zeros = new Array<number>(d).fill(0)
  const ones = new Array<number>(d).fill(1)
  let best: readonly number[] | undefined
  let bestValue = Number.NEGATIVE_INFINITY
  for (let restart = 0; restart < RESTARTS; restart++) {
    const start = bounds.map(() => stream.next())
    const found = nelderMead((x) => -ucb(x), start, { lower: zeros, upper: ones, step: 0.2, maxEvaluations: 10 + 10 * d, tolerance: 1e-7 })
    if (-found.value > bestValue) {
      bestValue = -found.value
      best = found.x
    }
  }
  // Every restart failed (a NaN acquisition): keep the donor's own point rather than Ray's crash.
  const vector = (best ?? normalise(donorLast.values)).map((v) => Math.min(1, Math.max(0, v)))
  const values = bounds.map((b, i) => {
    const v = (vector[i] as number) * (b.high - b.low) + b.low
    return b.integer ? Math.min(b.high, Math.max(b.low, Math.round(v))) : v
  })
  let config = input.donorConfig
  bounds.forEach((b, i) => {
    config = setPath(config, b.path, values[i])
  })
  return {
    config,
    vector,
    row: { trialId: input.targetId, time: donorLast.time, values, reward: donorLast.reward },
    model: { rows: X.length, hyperparameters: gp.hyperparameters, ucb: bestValue },
  }
}
