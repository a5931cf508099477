/** The tutorial's figures, drawn with vitune's plotting API after each experiment. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ResultGrid } from '@vitune/runtime'
import { animateParameterHistory, composeFigures, type ParameterHistoryOptions, plotMetric, plotParameterHistory, writeFigure } from '@vitune/runtime/node'
import { initTheta, Q } from './quadratic.js'

/** `h = [h0, h1]` from each trial's initial config, so labels always match the trials they name. */
function labels(result: ResultGrid<unknown, unknown>): string[] {
  return result.trials.map((t) => {
    const c = t.initialConfig as { h0: number; h1: number }
    return `h = [${Number(c.h0.toFixed(2))}, ${Number(c.h1.toFixed(2))}]`
  })
}

/**
 * Writes the tutorial's figures into an experiment's `plots/` folder: the parameter history, the Q
 * history, both side by side as in the tutorial, and the animation as a GIF.
 */
export async function writeTutorialFigures(result: ResultGrid<unknown, unknown>, outDir: string | undefined, perturbationInterval = 4): Promise<void> {
  if (outDir === undefined) return
  // vitune's colours by trial index (not the tutorial's black and red), so a trial looks the same
  // here as in the standard plots beside these figures.
  const style = { labels: labels(result) }
  const history: ParameterHistoryOptions = {
    ...style,
    x: 'theta0',
    y: 'theta1',
    objective: (theta0, theta1) => Q([theta0, theta1]),
    objectiveLabel: 'Q',
    levels: 20,
    domain: { x: [-0.2, 1], y: [-0.2, 1] },
    initial: initTheta(),
    perturbationInterval,
    title: 'Q(theta)',
  }
  const dir = join(outDir, 'plots')
  const parameters = plotParameterHistory(result, history)
  const q = plotMetric(result, { ...style, metric: 'Q', name: 'q-history', title: 'True function (Q) value over training iterations', height: 470 })
  await writeFigure(parameters, dir)
  await writeFigure(q, dir)
  // The side-by-side figure is wide already: its PNG at 1x keeps the main job fast.
  await writeFigure(composeFigures('tutorial', [parameters, q], { title: result.experiment }), dir, { scale: 1 })
  await writeFile(join(dir, 'animation.gif'), animateParameterHistory(result, { ...history, frames: 100 }))
}
