import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { choice, experiment, grid, qloguniform, sampleFrom, uniform, withCheckpoint } from '@vitune/dsl'
import { afterAll, onTestFinished } from 'vitest'

/** The tutorial's toy quadratic, deterministic: PBT over `h0` values, checkpoints every 4 steps. */
export function quadraticPbt(name: string, h0: readonly number[] = [0, 1, 0.01, 0.99], iterations = 24) {
  return experiment(name)
    .space({ lr: 0.05, h0: grid([...h0]), h1: sampleFrom((c: { h0: number }) => 1 - c.h0) })
    .mutate({ lr: qloguniform(5e-3, 1e-1, 5e-4), h0: uniform(0, 1), h1: uniform(0, 1) })
    .pbt({ perturbationInterval: 4, quantileFraction: 0.5, resampleProbability: 0.5, synch: true })
    .metric('Q', 'max')
    .stop({ trainingIteration: iterations })
    .seed(3)
    .train(async function* ({ config, checkpoint }) {
      const saved = checkpoint as { theta: [number, number]; step: number } | undefined
      let [t0, t1] = saved?.theta ?? [0.9, 0.9]
      let step = saved === undefined ? 1 : saved.step + 1
      for (;;) {
        t0 += config.lr * -2 * config.h0 * t0 * 0.75
        t1 += config.lr * -2 * config.h1 * t1
        const metrics = { Q: 1.2 - (0.75 * t0 ** 2 + t1 ** 2), theta0: t0, theta1: t1 }
        yield step % 4 === 0 ? withCheckpoint(metrics, { theta: [t0, t1] as [number, number], step }) : metrics
        step++
      }
    })
}

/** A FIFO run whose names and config values try to break out of HTML. */
export function hostileFifo() {
  return experiment('<script>alert("name")</script> & "quotes"')
    .space({ label: choice(['<img src=x onerror=alert(1)>', 'a,"b"\nc']), x: grid([1, 2]) })
    .metric('score', 'max')
    .stop({ trainingIteration: 3 })
    .seed(1)
    .train(async function* ({ config }) {
      for (let i = 1; ; i++) yield { score: config.x * i, note: `<b>${config.label}</b>` }
    })
}

/**
 * A fresh temporary directory, removed when the test that asked for it ends; asked for while the
 * file is collected (at its top level), removed after the file.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vitune-${prefix}-`))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  try {
    onTestFinished(remove)
  } catch {
    // Not inside a test: onTestFinished refuses, and a file-level hook is the right scope.
    afterAll(remove)
  }
  return dir
}

/** A minimal RFC 4180 CSV reader: quoted cells, doubled quotes, newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(cell)
      cell = ''
    } else if (ch === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += ch
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell])
  return rows
}
