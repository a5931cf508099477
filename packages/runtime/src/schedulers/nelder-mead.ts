/** Settings of a bounded Nelder–Mead search. */
export interface NelderMeadOptions {
  readonly lower: readonly number[]
  readonly upper: readonly number[]
  /** Objective evaluations at most. */
  readonly maxEvaluations: number
  /** Initial simplex step per coordinate. */
  readonly step: readonly number[] | number
  /** Stop when the simplex's values differ by less than this. */
  readonly tolerance?: number
}

/** The best point found and its value. */
export interface Minimum {
  readonly x: readonly number[]
  readonly value: number
}

const clamp = (x: readonly number[], lower: readonly number[], upper: readonly number[]) =>
  x.map((v, i) => Math.min(upper[i] as number, Math.max(lower[i] as number, v)))

/**
 * Minimises `f` within a box by Nelder–Mead, projecting every trial point into the box. No
 * randomness and a fixed evaluation budget: the same start gives the same bits and a bounded time.
 * A NaN value counts as +Infinity, so a failed evaluation is simply never chosen.
 */
export function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], o: NelderMeadOptions): Minimum {
  const d = start.length
  const tolerance = o.tolerance ?? 1e-9
  let evaluations = 0
  const evaluate = (x: readonly number[]): number => {
    evaluations++
    const v = f(x)
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v
  }
  const x0 = clamp(start, o.lower, o.upper)
  const simplex: { x: number[]; v: number }[] = [{ x: x0, v: evaluate(x0) }]
  for (let i = 0; i < d; i++) {
    const step = typeof o.step === 'number' ? o.step : (o.step[i] as number)
    const x = [...x0]
    // Step inwards when the start sits on the upper bound, so the simplex does not collapse.
    x[i] = (x[i] as number) + step <= (o.upper[i] as number) ? (x[i] as number) + step : (x[i] as number) - step
    const p = clamp(x, o.lower, o.upper)
    simplex.push({ x: p, v: evaluate(p) })
  }
  const order = () => simplex.sort((a, b) => a.v - b.v || 0)
  while (evaluations < o.maxEvaluations) {
    order()
    const best = simplex[0] as { x: number[]; v: number }
    const worst = simplex[d] as { x: number[]; v: number }
    if (Math.abs(worst.v - best.v) <= tolerance * (Math.abs(best.v) + tolerance)) break
    const centroid = new Array<number>(d).fill(0)
    for (let k = 0; k < d; k++) for (let i = 0; i < d; i++) centroid[i] = (centroid[i] as number) + (simplex[k]?.x[i] as number) / d
    const along = (t: number) =>
      clamp(
        centroid.map((c, i) => c + t * ((worst.x[i] as number) - c)),
        o.lower,
        o.upper,
      )
    const reflected = along(-1)
    const vr = evaluate(reflected)
    if (vr < best.v) {
      const expanded = along(-2)
      const ve = evaluate(expanded)
      simplex[d] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr }
      continue
    }
    if (vr < (simplex[d - 1] as { v: number }).v) {
      simplex[d] = { x: reflected, v: vr }
      continue
    }
    const contracted = vr < worst.v ? along(-0.5) : along(0.5)
    const vc = evaluate(contracted)
    if (vc < Math.min(vr, worst.v)) {
      simplex[d] = { x: contracted, v: vc }
      continue
    }
    // Shrink towards the best point.
    for (let k = 1; k <= d; k++) {
      const p = simplex[k] as { x: number[]; v: number }
      const x = p.x.map((v, i) => (best.x[i] as number) + 0.5 * (v - (best.x[i] as number)))
      simplex[k] = { x, v: evaluate(x) }
    }
  }
  order()
  const best = simplex[0] as { x: number[]; v: number }
  return { x: best.x, value: best.v }
}
