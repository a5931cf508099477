import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { deserialize, serialize } from 'node:v8'

const MAGIC = Buffer.from('VTN1')
const DIGEST = 32
const HEADER = MAGIC.length + DIGEST

/** Why a sealed file could not be read; the caller turns it into an error naming the file. */
export class UnsealError extends Error {}

/** `value` as v8-serialised bytes behind a magic number and a SHA-256 digest, so corruption is detected, not deserialised. */
export function seal(value: unknown): Buffer {
  const payload = serialize(value)
  return Buffer.concat([MAGIC, createHash('sha256').update(payload).digest(), payload])
}

/** The value `seal` stored; throws UnsealError when the bytes are truncated, foreign or altered. */
export function unseal(bytes: Buffer): unknown {
  if (bytes.length < HEADER || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new UnsealError('it is not a vitune file, or it is truncated')
  const payload = bytes.subarray(HEADER)
  const digest = createHash('sha256').update(payload).digest()
  if (!digest.equals(bytes.subarray(MAGIC.length, HEADER))) throw new UnsealError('its checksum does not match its contents (the file is corrupt)')
  try {
    return deserialize(payload)
  } catch (error) {
    throw new UnsealError(`it cannot be deserialised: ${(error as Error).message}`)
  }
}

/**
 * Writes `bytes` to `path` atomically: to a temporary file in the same directory, then renamed over
 * the target. A killed process leaves either the old file or the new one, never half of one; with
 * `fsync` the data is on disk before the rename, so a power loss cannot leave an empty file either.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, fsync: boolean): void {
  const temporary = `${path}.${process.pid}.tmp`
  const fd = openSync(temporary, 'w')
  try {
    writeSync(fd, bytes)
    if (fsync) fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    unlinkSync(temporary)
    throw error
  }
  closeSync(fd)
  renameSync(temporary, path)
}

/** Reads a file, or undefined when it does not exist. */
export function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
