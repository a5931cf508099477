// What crosses from a worker thread when a trainable fails, and how a trial's checkpoint crosses.
import { type Config, type TrainableModule, trainableModuleOf } from '@vitune/dsl'
import { afterAll, describe, expect, test } from 'vitest'
import { deriveStream, RunError, type TrialStart } from '../src/index.js'
import { ThreadExecutor } from '../src/node/index.js'
import { mutatingInPlace, throwing } from './fixtures/thread-trainables.js'

const executor = new ThreadExecutor({ threads: 1 })
afterAll(() => executor.shutdown())

let count = 0
function startOf(fn: unknown, config: Config, extra: Partial<TrialStart> = {}): TrialStart {
  const trialId = `errors_${count++}`
  return {
    trialId,
    config,
    checkpoint: undefined,
    trainable: { fn: undefined, module: trainableModuleOf(fn) },
    randomState: deriveStream(1, trialId).state(),
    signal: new AbortController().signal,
    where: `experiment "errors", trial ${trialId}`,
    ...extra,
  }
}

async function failureOf(config: Config): Promise<unknown> {
  const handle = executor.start(startOf(throwing, config))
  try {
    await handle.next()
  } catch (error) {
    return error
  } finally {
    await handle.close().catch(() => undefined)
  }
  throw new Error('the trainable did not fail')
}

describe('errors from a worker thread', () => {
  test("an Error keeps its name, message, stack (the worker's), code and cause", async () => {
    const error = (await failureOf({ kind: 'custom' })) as Error & { code: string; cause: Error }
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('DataError')
    expect(error.message).toBe('bad batch 7')
    expect(error.code).toBe('E_DATA')
    expect(error.stack).toContain('thread-trainables.ts')
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.cause.message).toBe('the cause')
  })

  test('a thrown plain object arrives as that value; a thrown function (which cannot cross) as an Error that shows it', async () => {
    expect(await failureOf({ kind: 'object' })).toEqual({ reason: 'plain object', at: 1 })
    const fn = await failureOf({ kind: 'function' })
    expect(fn).toBeInstanceOf(Error)
    // The function's source as the thread compiled it (tsx may reformat it).
    expect((fn as Error).message).toMatch(/^the trainable threw \(\) ?=> ?["']a function["'], not an Error/)
  })

  test("vitune's own errors raised in the worker are RunErrors with their code", async () => {
    const error = await failureOf({ kind: 'string-report' })
    expect(error).toBeInstanceOf(RunError)
    expect(error).toMatchObject({ code: 'VITUNE_BAD_REPORT' })
    expect((error as Error).message).toMatch(/^\[VITUNE_BAD_REPORT\] experiment "errors", trial errors_\d+: a report must be an object/)
  })

  test('a report that cannot be copied to the runner fails its trial, not the thread: VITUNE_BAD_REPORT for its metrics, VITUNE_CHECKPOINT_CORRUPT for its checkpoint', async () => {
    const error = await failureOf({ kind: 'function-report' })
    expect(error).toMatchObject({ code: 'VITUNE_BAD_REPORT' })
    expect((error as Error).message).toMatch(/trial errors_\d+: its report cannot be sent from the worker thread/)
    const checkpoint = await failureOf({ kind: 'function-checkpoint' })
    expect(checkpoint).toMatchObject({ code: 'VITUNE_CHECKPOINT_CORRUPT' })
    expect((checkpoint as Error).message).toMatch(/trial errors_\d+: its checkpoint cannot be sent from the worker thread/)
    // The thread survived: the next trial runs on it.
    const handle = executor.start(startOf(throwing, { kind: 'none' }))
    expect((await handle.next())?.metrics).toEqual({ ok: 1 })
    await handle.close()
  })

  test('a module without the named export fails the trial with VITUNE_TRAINABLE_IMPORT, naming the module and its exports', async () => {
    const module = trainableModuleOf(throwing) as TrainableModule
    const handle = executor.start(startOf(throwing, {}, { trainable: { fn: undefined, module: { ...module, exportName: 'missing' } } }))
    const error = await handle.next().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VITUNE_TRAINABLE_IMPORT' })
    expect((error as Error).message).toContain('has no function exported as "missing"')
    expect((error as Error).message).toContain('throwing')
    await handle.close()
  })

  test('a module that cannot be imported fails the trial with VITUNE_TRAINABLE_IMPORT', async () => {
    const handle = executor.start(startOf(throwing, {}, { trainable: { fn: undefined, module: { url: 'file:///no/such/module.ts', exportName: 'train' } } }))
    const error = await handle.next().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VITUNE_TRAINABLE_IMPORT' })
    expect((error as Error).message).toContain('file:///no/such/module.ts cannot be imported in a worker thread')
    await handle.close()
  })

  test('a closure is refused at start with a coded error that says how to name it', () => {
    expect(() => executor.start({ ...startOf(throwing, {}), trainable: { fn: (() => undefined) as never, module: undefined } })).toThrow(
      /VITUNE_TRAINABLE_MISSING.*trainable\(import\.meta\.url, 'trainModel'/,
    )
  })
})

describe('checkpoints across the thread boundary', () => {
  test('the checkpoint a trial starts from moves to the thread (its buffers are transferred, not copied), and arrives whole', async () => {
    const checkpoint = { weights: Float64Array.from([1, 2, 3, 4]) }
    const handle = executor.start(startOf(mutatingInPlace, {}, { checkpoint }))
    // Detached here: the loaded copy was handed over, not duplicated.
    expect(checkpoint.weights.byteLength).toBe(0)
    expect((await handle.next())?.metrics).toEqual({ sum: 10, first: 1 })
    await handle.close()
  })

  test('a reported checkpoint is a copy: the trainable changing its arrays afterwards does not change it', async () => {
    const handle = executor.start(startOf(mutatingInPlace, {}))
    await handle.next()
    const first = await handle.next()
    const second = await handle.next()
    expect(first?.checkpoint).toEqual({ weights: Float64Array.from([1, 1, 1, 1]) })
    expect(second?.checkpoint).toEqual({ weights: Float64Array.from([2, 2, 2, 2]) })
    await handle.close()
  })
})
