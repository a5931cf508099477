/**
 * The Gaussian process behind PB2's explore step: the time-varying squared-exponential kernel of
 * Bogunovic et al. (2016) that Ray's `pb2_utils.TV_SquaredExp` uses, an exact log marginal
 * likelihood through ml-matrix's Cholesky decomposition, and hyperparameters fitted by a
 * deterministic bounded Nelder–Mead in log space. Pure: the same data give the same bits.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix'
import { nelderMead } from './nelder-mead.js'

/** Kernel hyperparameters: signal variance σ², squared length scale ℓ, forgetting rate ε, noise variance. */
export interface GpHyperparameters {
  readonly variance: number
  readonly lengthscale: number
  readonly epsilon: number
  readonly noise: number
}

/** Where a cold fit starts: Ray's σ² = 1, ℓ = 1, ε = 0.1, and GPy's initial noise of 1. */
export const GP_START: GpHyperparameters = { variance: 1, lengthscale: 1, epsilon: 0.1, noise: 1 }

/** Bounds of the fit: σ², ℓ and ε as scikit-learn's generation of Ray's PB2; noise from 1e-6 to 10 times σ². */
export const GP_BOUNDS = {
  variance: [1e-5, 1e5],
  lengthscale: [1e-5, 1e5],
  epsilon: [1e-5, 0.5],
  noiseRatio: [1e-6, 10],
} as const

/**
 * Standard deviation of the log-normal priors on ℓ and ε, centred on Ray's start. PB2 fits a GP to
 * a handful of intervals; plain maximum likelihood then swings ℓ to its bounds (a flat or a spiky
 * model) and the acquisition follows. Ray's single L-BFGS-B start rarely leaves the neighbourhood of
 * (ℓ, ε) = (1, 0.1) on so little data; the prior says so explicitly (docs/ray-differences.md).
 */
export const GP_PRIOR_SD = 0.5

/** Added to the diagonal so that duplicated rows never break the factorisation. */
const JITTER = 1e-8

/**
 * k(a, b) = σ² · exp(−‖a_space − b_space‖² / ℓ) · (1 − ε)^(|a_time − b_time| / 2), where column 0
 * is time and the rest (reward before, hyperparameters) is space. Note ‖·‖²/ℓ, not /(2ℓ²): Ray's.
 */
export function tvKernel(a: ArrayLike<number>, b: ArrayLike<number>, h: GpHyperparameters): number {
  let d2 = 0
  for (let i = 1; i < a.length; i++) {
    const t = (a[i] as number) - (b[i] as number)
    d2 += t * t
  }
  const dt = Math.abs((a[0] as number) - (b[0] as number))
  return h.variance * Math.exp(-d2 / h.lengthscale + (Math.log1p(-h.epsilon) * dt) / 2)
}

/** Training inputs with what the kernel needs of every pair precomputed: the fit changes only the hyperparameters. */
class Inputs {
  readonly n: number
  /** Squared space distance and time distance of pair (i, j), i < j, at i·n + j. */
  readonly space: Float64Array
  readonly time: Float64Array

  constructor(readonly X: readonly (readonly number[])[]) {
    const n = X.length
    this.n = n
    this.space = new Float64Array(n * n)
    this.time = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      const a = X[i] as readonly number[]
      for (let j = i + 1; j < n; j++) {
        const b = X[j] as readonly number[]
        let d2 = 0
        for (let k = 1; k < a.length; k++) {
          const t = (a[k] as number) - (b[k] as number)
          d2 += t * t
        }
        this.space[i * n + j] = d2
        this.time[i * n + j] = Math.abs((a[0] as number) - (b[0] as number))
      }
    }
  }

  /**
   * The lower Cholesky factor of σ²·(C + g·I), C the unit-variance kernel matrix, as rows; undefined
   * when ml-matrix finds the matrix not positive definite. The matrix is built from its upper
   * triangle and mirrored: ml-matrix requires exact symmetry.
   */
  factor(variance: number, lengthscale: number, epsilon: number, noiseRatio: number): Float64Array[] | undefined {
    const n = this.n
    const K = new Matrix(n, n)
    const decay = Math.log1p(-epsilon) / 2
    const diagonal = variance * (1 + noiseRatio) + JITTER
    for (let i = 0; i < n; i++) {
      K.set(i, i, diagonal)
      for (let j = i + 1; j < n; j++) {
        const v = variance * Math.exp(-(this.space[i * n + j] as number) / lengthscale + decay * (this.time[i * n + j] as number))
        K.set(i, j, v)
        K.set(j, i, v)
      }
    }
    const chol = new CholeskyDecomposition(K)
    if (!chol.isPositiveDefinite()) return undefined
    return chol.lowerTriangularMatrix.to2DArray().map((row) => Float64Array.from(row))
  }
}

/** Solves L·v = b by forward substitution. */
function forward(lower: readonly Float64Array[], b: ArrayLike<number>): Float64Array {
  const n = lower.length
  const v = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const row = lower[i] as Float64Array
    let s = b[i] as number
    for (let k = 0; k < i; k++) s -= (row[k] as number) * (v[k] as number)
    v[i] = s / (row[i] as number)
  }
  return v
}

/** Solves Lᵀ·x = v by back substitution. */
function backward(lower: readonly Float64Array[], v: Float64Array): Float64Array {
  const n = lower.length
  const x = new Float64Array(n)
  for (let i = n - 1; i >= 0; i--) {
    let s = v[i] as number
    for (let k = i + 1; k < n; k++) s -= ((lower[k] as Float64Array)[i] as number) * (x[k] as number)
    x[i] = s / ((lower[i] as Float64Array)[i] as number)
  }
  return x
}

const clamp = (x: number, [low, high]: readonly [number, number]) => Math.min(high, Math.max(low, x))

/**
 * The log marginal likelihood with σ² at its maximiser for the other hyperparameters (σ̂² =
 * yᵀ(C + gI)⁻¹y / n, clamped to its bounds): one parameter fewer to search, the same optimum.
 */
function profiledLikelihood(inputs: Inputs, y: readonly number[], lengthscale: number, epsilon: number, noiseRatio: number): { lml: number; variance: number } {
  const lower = inputs.factor(1, lengthscale, epsilon, noiseRatio)
  if (lower === undefined) return { lml: Number.NEGATIVE_INFINITY, variance: 1 }
  const v = forward(lower, y)
  let q = 0
  for (const x of v) q += x * x
  let logDet = 0
  for (let i = 0; i < lower.length; i++) logDet += 2 * Math.log((lower[i] as Float64Array)[i] as number)
  const n = inputs.n
  const variance = clamp(q / n, GP_BOUNDS.variance)
  // log|σ²C'| = n·ln σ² + log|C'|, and yᵀ(σ²C')⁻¹y = q / σ².
  return { lml: -0.5 * (q / variance) - 0.5 * (n * Math.log(variance) + logDet) - 0.5 * n * Math.log(2 * Math.PI), variance }
}

/** The log marginal likelihood of y under the GP with hyperparameters h; −Infinity when K cannot be factorised. */
export function logMarginalLikelihood(X: readonly (readonly number[])[], y: readonly number[], h: GpHyperparameters): number {
  const lower = new Inputs(X).factor(h.variance, h.lengthscale, h.epsilon, h.noise / h.variance)
  if (lower === undefined) return Number.NEGATIVE_INFINITY
  const v = forward(lower, y)
  let fit = 0
  for (const x of v) fit += x * x
  let logDet = 0
  for (let i = 0; i < lower.length; i++) logDet += 2 * Math.log((lower[i] as Float64Array)[i] as number)
  return -0.5 * fit - 0.5 * logDet - 0.5 * X.length * Math.log(2 * Math.PI)
}

/** Likelihood evaluations per fit at most: from a cold start, and from the previous fit's optimum. */
const COLD_EVALUATIONS = 40
const WARM_EVALUATIONS = 16

/**
 * Maximises the log marginal likelihood (with the priors on ℓ and ε) over the bounded
 * hyperparameters: σ² in closed form, the rest by Nelder–Mead in log space from `start` (the
 * previous fit's optimum, when there is one: the data change little between two choices).
 */
export function fitHyperparameters(X: readonly (readonly number[])[], y: readonly number[], start?: GpHyperparameters): GpHyperparameters {
  const inputs = new Inputs(X)
  const from = start ?? GP_START
  const b = [GP_BOUNDS.lengthscale, GP_BOUNDS.epsilon, GP_BOUNDS.noiseRatio] as const
  const u0 = [from.lengthscale, from.epsilon, from.noise / from.variance].map((v, i) => Math.log(clamp(v, b[i] as readonly [number, number])))
  const at = (u: readonly number[]) => profiledLikelihood(inputs, y, Math.exp(u[0] as number), Math.exp(u[1] as number), Math.exp(u[2] as number))
  const prior = (u: readonly number[]) =>
    -(((u[0] as number) - Math.log(GP_START.lengthscale)) ** 2 + ((u[1] as number) - Math.log(GP_START.epsilon)) ** 2) / (2 * GP_PRIOR_SD ** 2)
  const best = nelderMead((u) => -(at(u).lml + prior(u)), u0, {
    lower: b.map(([low]) => Math.log(low)),
    upper: b.map(([, high]) => Math.log(high)),
    step: start === undefined ? 1 : 0.3,
    maxEvaluations: start === undefined ? COLD_EVALUATIONS : WARM_EVALUATIONS,
    tolerance: 1e-6,
  })
  const [lengthscale, epsilon, ratio] = best.x.map(Math.exp) as [number, number, number]
  const { variance } = at(best.x)
  return { variance, lengthscale, epsilon, noise: ratio * variance }
}

/** A GP conditioned on data: predictive mean and variance of the latent function at any point. */
export class GaussianProcess {
  readonly hyperparameters: GpHyperparameters
  readonly #X: readonly (readonly number[])[]
  readonly #lower: readonly Float64Array[]
  readonly #alpha: Float64Array

  private constructor(X: readonly (readonly number[])[], h: GpHyperparameters, lower: readonly Float64Array[], y: readonly number[]) {
    this.hyperparameters = h
    this.#X = X
    this.#lower = lower
    this.#alpha = backward(lower, forward(lower, y))
  }

  /** Conditions a GP with hyperparameters `h` on (X, y). Throws when K cannot be factorised even with extra jitter. */
  static condition(X: readonly (readonly number[])[], y: readonly number[], h: GpHyperparameters): GaussianProcess {
    const inputs = new Inputs(X)
    const ratio = h.noise / h.variance
    const lower = inputs.factor(h.variance, h.lengthscale, h.epsilon, ratio) ?? inputs.factor(h.variance, h.lengthscale, h.epsilon, ratio + 1e-6)
    if (lower === undefined) throw new Error('the GP kernel matrix is not positive definite')
    return new GaussianProcess(X, h, lower, y)
  }

  /** Fits the hyperparameters to (X, y) (from `start`, if given), then conditions on them. */
  static fit(X: readonly (readonly number[])[], y: readonly number[], start?: GpHyperparameters): GaussianProcess {
    return GaussianProcess.condition(X, y, fitHyperparameters(X, y, start))
  }

  /** The kernel between x and every training input. */
  covariances(x: readonly number[]): Float64Array {
    const k = new Float64Array(this.#X.length)
    for (let i = 0; i < k.length; i++) k[i] = tvKernel(x, this.#X[i] as readonly number[], this.hyperparameters)
    return k
  }

  /** The predictive mean at x, from its covariances with the training inputs. */
  mean(k: Float64Array): number {
    let m = 0
    for (let i = 0; i < k.length; i++) m += (k[i] as number) * (this.#alpha[i] as number)
    return m
  }

  /** The predictive variance of the latent function (noise excluded, never below 0), from its covariances. */
  variance(k: Float64Array): number {
    const v = forward(this.#lower, k)
    let explained = 0
    for (const t of v) explained += t * t
    return Math.max(0, this.hyperparameters.variance - explained)
  }
}
