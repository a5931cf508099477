import { describe, expect, test } from 'vitest'
import { run, type TuneEvent } from '../src/index.js'
import { DirectoryStorage } from '../src/node/index.js'
import { clock, interrupt, scratchDirectories } from './helpers/interrupted-runs.js'
import { comparable, noisyQuadratic } from './helpers/noisy-quadratic.js'

const scratch = scratchDirectories('rerun')

// docs/fault-tolerance.md: a finished run in the directory is not resumed, running again starts a
// new run there, also after the definition was edited (issue 13 item 5).
describe('rerunning over a finished run', () => {
  test('a finished run, rerun after editing the definition, is replaced by a run of the new definition', async () => {
    const dir = scratch()
    await run(noisyQuadratic('edited', { iterations: 12 }), { clock, storage: new DirectoryStorage(dir) })
    const edited = noisyQuadratic('edited', { iterations: 16 }).seed(8)
    const events: TuneEvent[] = []
    const rerun = await run(edited, { clock, storage: new DirectoryStorage(dir), onEvent: (e) => events.push(e) })
    expect(events.some((e) => e.type === 'experimentResume')).toBe(false)
    expect(comparable(rerun)).toBe(comparable(await run(edited, { clock })))
    // The new run is now the one in the directory: interrupting and resuming it works as usual.
    await interrupt(edited, dir, 20)
    const resumed = await run(edited, { clock, storage: new DirectoryStorage(dir) })
    expect(comparable(resumed)).toBe(comparable(rerun))
  })

  test('a finished run of another experiment is still refused: two experiments never share a directory by accident', async () => {
    const dir = scratch()
    await run(noisyQuadratic('first', { iterations: 8 }), { clock, storage: new DirectoryStorage(dir) })
    await expect(run(noisyQuadratic('second', { iterations: 8 }), { clock, storage: new DirectoryStorage(dir) })).rejects.toMatchObject({
      code: 'VITUNE_STATE_MISMATCH',
      message: expect.stringMatching(/experiment "second": .* holds a finished run of experiment "first"/),
    })
  })
})
