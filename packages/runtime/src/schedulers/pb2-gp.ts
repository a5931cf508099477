/**
 * The Gaussian process behind PB2's explore step: the time-varying squared-exponential kernel of
 * Bogunovic et al. (2016) that Ray's `pb2_utils.TV_SquaredExp` uses, an exact log marginal
 * likelihood through ml-matrix's Cholesky decomposition, and hyperparameters fitted by a
 * deterministic bounded Nelder–Mead in log space. Pure: the same data give the same bits.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix'
import { nelderMead } from './nelder-mead.js'

/** Kernel hyperparameters: signal variance, squared length scale, forgetting rate, noise variance. */
export interface GpHyperparameters {
  readonly variance: number
  readonly lengthscale: number
  readonly epsilon: number
  readonly noise: number
}

/** Where the fit starts: Ray's σ² = 1, ℓ = 1, ε = 0.1; noise as GPy's Gaussian likelihood starts it. */
export const GP_START: GpHyperparameters = { variance: 1, lengthscale: 1, epsilon: 0.1, noise: 1 }

/**
 * Bounds of the fit, in natural units. σ² and ε as scikit-learn's generation of Ray's PB2; ℓ at
 * most 1, the cap Ray's GPy generation clips it to after the fit (inputs live in [0, 1]).
 */
export const GP_BOUNDS = {
  variance: [1e-5, 1e5],
  lengthscale: [1e-5, 1],
  epsilon: [1e-5, 0.5],
  noise: [1e-6, 1e1],
} as const

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
  return h.variance * Math.exp(-d2 / h.lengthscale) * (1 - h.epsilon) ** (dt / 2)
}

/** A factorised kernel matrix: rows of its lower Cholesky factor, and the log determinant. */
interface Factor {
  readonly lower: Float64Array[]
  readonly logDet: number
}

/** K + (noise + jitter)·I, built from its upper triangle and mirrored: ml-matrix wants exact symmetry. */
function kernelMatrix(X: readonly (readonly number[])[], h: GpHyperparameters): Matrix {
  const n = X.length
  const K = new Matrix(n, n)
  for (let i = 0; i < n; i++) {
    const xi = X[i] as readonly number[]
    K.set(i, i, h.variance + h.noise + JITTER)
    for (let j = i + 1; j < n; j++) {
      const v = tvKernel(xi, X[j] as readonly number[], h)
      K.set(i, j, v)
      K.set(j, i, v)
    }
  }
  return K
}

function factorise(X: readonly (readonly number[])[], h: GpHyperparameters): Factor | undefined {
  const chol = new CholeskyDecomposition(kernelMatrix(X, h))
  if (!chol.isPositiveDefinite()) return undefined
  const L = chol.lowerTriangularMatrix
  const lower = L.to2DArray().map((row) => Float64Array.from(row))
  let logDet = 0
  for (let i = 0; i < lower.length; i++) logDet += 2 * Math.log((lower[i] as Float64Array)[i] as number)
  return { lower, logDet }
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

/** The log marginal likelihood of y under the GP; −Infinity when the matrix cannot be factorised. */
export function logMarginalLikelihood(X: readonly (readonly number[])[], y: readonly number[], h: GpHyperparameters): number {
  const factor = factorise(X, h)
  if (factor === undefined) return Number.NEGATIVE_INFINITY
  const v = forward(factor.lower, y)
  let fit = 0
  for (const x of v) fit += x * x
  return -0.5 * fit - 0.5 * factor.logDet - 0.5 * X.length * Math.log(2 * Math.PI)
}

const BOUND_KEYS = ['variance', 'lengthscale', 'epsilon', 'noise'] as const
const toLog = (h: GpHyperparameters) => BOUND_KEYS.map((k) => Math.log(h[k]))
const fromLog = (u: readonly number[]): GpHyperparameters => ({
  variance: Math.exp(u[0] as number),
  lengthscale: Math.exp(u[1] as number),
  epsilon: Math.exp(u[2] as number),
  noise: Math.exp(u[3] as number),
})

/** Likelihood evaluations per fit at most: bounds the fit's time (4 parameters converge well within it). */
const FIT_EVALUATIONS = 120

/** Maximises the log marginal likelihood over the bounded hyperparameters, from GP_START. */
export function fitHyperparameters(X: readonly (readonly number[])[], y: readonly number[]): GpHyperparameters {
  const lower = BOUND_KEYS.map((k) => Math.log(GP_BOUNDS[k][0]))
  const upper = BOUND_KEYS.map((k) => Math.log(GP_BOUNDS[k][1]))
  const best = nelderMead((u) => -logMarginalLikelihood(X, y, fromLog(u)), toLog(GP_START), {
    lower,
    upper,
    step: 1,
    maxEvaluations: FIT_EVALUATIONS,
    tolerance: 1e-6,
  })
  return fromLog(best.x)
}

/** A GP conditioned on data: predictive mean and variance of the latent function at any point. */
export class GaussianProcess {
  readonly hyperparameters: GpHyperparameters
  readonly #X: readonly (readonly number[])[]
  readonly #lower: readonly Float64Array[]
  readonly #alpha: Float64Array

  private constructor(X: readonly (readonly number[])[], h: GpHyperparameters, factor: Factor, y: readonly number[]) {
    this.hyperparameters = h
    this.#X = X
    this.#lower = factor.lower
    this.#alpha = backward(factor.lower, forward(factor.lower, y))
  }

  /** Conditions a GP with hyperparameters `h` on (X, y). Throws when K cannot be factorised even with jitter. */
  static condition(X: readonly (readonly number[])[], y: readonly number[], h: GpHyperparameters): GaussianProcess {
    const factor = factorise(X, h) ?? factorise(X, { ...h, noise: h.noise + 1e-6 })
    if (factor === undefined) throw new Error('the GP kernel matrix is not positive definite')
    return new GaussianProcess(X, h, factor, y)
  }

  /** Fits the hyperparameters to (X, y), then conditions on them. */
  static fit(X: readonly (readonly number[])[], y: readonly number[]): GaussianProcess {
    return GaussianProcess.condition(X, y, fitHyperparameters(X, y))
  }

  /** The predictive mean at x. */
  mean(x: readonly number[]): number {
    let m = 0
    for (let i = 0; i < this.#X.length; i++) m += tvKernel(x, this.#X[i] as readonly number[], this.hyperparameters) * (this.#alpha[i] as number)
    return m
  }

  /** The predictive variance of the latent function at x (noise excluded), never below 0. */
  variance(x: readonly number[]): number {
    const k = this.#X.map((xi) => tvKernel(x, xi, this.hyperparameters))
    const v = forward(this.#lower, k)
    let explained = 0
    for (const t of v) explained += t * t
    return Math.max(0, this.hyperparameters.variance - explained)
  }
}
