import { readFileSync, writeFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import type { ScheduleWriteRequest } from '../schedule-meta.js'
import { formatSettingsFor } from './format-settings.js'
import { writeSchedules } from './schedule-edit.js'

/**
 * Tune mode, main process: writes the schedules that tune-mode tests asked for into their tune
 * files, once each file has run. Vitest writes its own inline snapshots from the worker before a
 * file's end reaches us, so the calls are located in the text the file had when it ran (see
 * `writeSchedules`). ts-morph is loaded once here, not in every worker.
 */
export class ScheduleWriter implements Reporter {
  #vitest: Vitest | undefined
  readonly #originals = new Map<string, string>()
  /** Files this writer changed and the text it left, so watch mode does not rerun them for our own write. */
  readonly written = new Map<string, string>()

  onInit(vitest: Vitest): void {
    this.#vitest = vitest
  }

  onTestModuleQueued(module: TestModule): void {
    try {
      this.#originals.set(module.moduleId, readFileSync(module.moduleId, 'utf8'))
    } catch {
      // A virtual module has no text to write into.
    }
  }

  async onTestModuleEnd(module: TestModule): Promise<void> {
    const original = this.#originals.get(module.moduleId)
    this.#originals.delete(module.moduleId)
    const requests: ScheduleWriteRequest[] = []
    for (const test of module.children.allTests()) {
      const request = test.meta().vituneScheduleWrite
      if (request !== undefined) requests.push(request)
    }
    if (requests.length === 0) return
    const file = module.moduleId
    const current = readFileSync(file, 'utf8')
    const text = await writeSchedules(file, original ?? current, current, requests, formatSettingsFor(file, current))
    if (text === current) return
    writeFileSync(file, text)
    this.written.set(file, text)
    const shown = relative(this.#vitest?.config.root ?? process.cwd(), file)
    for (const request of requests) {
      this.#vitest?.logger.log(`[vitune] ${request.replaces ? 'updated' : 'wrote'} the tuned schedule of "${request.experiment}" in ${shown}`)
    }
  }
}

/** Plain runs: says once how many experiments wait for their first tune run. */
export class NotTunedNotice implements Reporter {
  #vitest: Vitest | undefined
  constructor(readonly pending: number) {}

  onInit(vitest: Vitest): void {
    this.#vitest = vitest
  }

  onTestRunEnd(): void {
    const n = this.pending
    this.#vitest?.logger.log(
      `[vitune] ${n} experiment${n === 1 ? '' : 's'} not tuned yet (schedule: true, nothing written): run \`vitune run\` to tune ${n === 1 ? 'it' : 'them'} and write the schedule${n === 1 ? '' : 's'}; plain runs leave ${n === 1 ? 'it' : 'them'} out until then.`,
    )
  }
}
