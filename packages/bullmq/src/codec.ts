// How values cross the network: V8's serializer, the same structured clone worker threads use, so a
// checkpoint's typed arrays, Maps, NaN and -0 arrive as they left (JSON would lose all of them).
import { createHash } from 'node:crypto'
import { deserialize, serialize } from 'node:v8'

/** Bytes of a structured-cloneable value. */
export const encode = (value: unknown): Buffer => serialize(value)

/** The value back from `encode`'s bytes. */
export const decode = (bytes: Buffer): unknown => deserialize(bytes)

/** A short digest of some bytes, to recognise a replayed report as the one sent before. */
export function digest(...parts: readonly (Buffer | string)[]): string {
  const hash = createHash('sha1')
  for (const part of parts) {
    hash.update(typeof part === 'string' ? part : part)
    hash.update('\u0000')
  }
  return hash.digest('base64')
}

/** A trainable's error as plain data: what crosses to the driver. */
export interface ErrorData {
  /** False when the trainable threw something that is not an Error (a string, a number...). */
  readonly isError: boolean
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  readonly code: string | undefined
  /** The thrown value itself when it was not an Error and could be cloned. */
  readonly value: unknown
}

/** Plain data of a thrown value. */
export function errorToData(error: unknown): ErrorData {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return { isError: true, name: error.name, message: error.message, stack: error.stack, code: typeof code === 'string' ? code : undefined, value: undefined }
  }
  let value: unknown = String(error)
  try {
    value = structuredClone(error)
  } catch {
    // a function or a symbol: its string is what there is
  }
  return { isError: false, name: 'Error', message: String(error), stack: undefined, code: undefined, value }
}

/**
 * The thrown value again, as close to the original as plain data allows: an Error with the same
 * name, message, stack and code (a VITUNE_* code survives), or the non-Error value itself.
 */
export function errorFromData(data: ErrorData): unknown {
  if (!data.isError) return data.value
  const error = new Error(data.message)
  error.name = data.name
  if (data.stack !== undefined) error.stack = data.stack
  if (data.code !== undefined) Object.assign(error, { code: data.code })
  return error
}
