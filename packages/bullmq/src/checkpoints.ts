// How checkpoints travel: through Redis by default (bytes in the job's hash, and inside the report
// message when small), or through files in a folder every machine mounts, for states too big for
// Redis' memory. Only the latest checkpoint of a job is kept: it is the job's resume point.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { FleetError } from './errors.js'

/** `12.3 MB`, for messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
}

/** Throws VITUNE_CHECKPOINT_TOO_LARGE when a checkpoint cannot go through Redis. */
export function checkCheckpointSize(bytes: number, limit: number, where: string): void {
  if (bytes <= limit) return
  throw new FleetError(
    'VITUNE_CHECKPOINT_TOO_LARGE',
    `${where}: its checkpoint is ${formatBytes(bytes)} serialized, more than the ${formatBytes(limit)} that may go through Redis (maxCheckpointBytes). ` +
      'Keep less state in the checkpoint, raise bullmqExecutor({ maxCheckpointBytes }) (Redis holds one checkpoint per running trial in memory), ' +
      "or pass checkpoints through a folder every worker mounts: bullmqExecutor({ checkpointDir: '/mnt/shared/vitune' }).",
  )
}

/** A checkpoint file's path below the shared folder: the same on every machine that mounts it. */
export function checkpointFile(runId: string, jobId: string, seq: number): string {
  return join(jobCheckpointFolder(runId, jobId), `${seq}.ckpt`)
}

function dirError(root: string, doing: string, error: unknown, who: string): FleetError {
  return new FleetError(
    'VITUNE_CHECKPOINT_DIR',
    `${who} cannot ${doing} checkpoint files in ${root}: ${error instanceof Error ? error.message : String(error)}. ` +
      'The checkpoint folder must be shared by the driver and every worker (an NFS or similar mount); mount it at the same path everywhere, or tell a worker where it is with `vitune worker --checkpoint-dir <path>`.',
    { cause: error },
  )
}

/** The folder of one job's checkpoint files, below the shared folder. */
export function jobCheckpointFolder(runId: string, jobId: string): string {
  return join(runId, jobId)
}

/** Writes a checkpoint file atomically (a reader never sees half of it). */
export async function writeCheckpointFile(root: string, file: string, bytes: Buffer, who: string): Promise<void> {
  const path = join(root, file)
  const partial = `${path}.${process.pid}.partial`
  try {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(partial, bytes)
    await rename(partial, path)
  } catch (error) {
    await rm(partial, { force: true })
    throw dirError(root, 'write', error, who)
  }
}

/** Reads a checkpoint file. */
export async function readCheckpointFile(root: string, file: string, who: string): Promise<Buffer> {
  try {
    return await readFile(join(root, file))
  } catch (error) {
    throw dirError(root, 'read', error, who)
  }
}

/** Removes one checkpoint file, or a job's or run's folder of them; what is already gone is fine. */
export async function removeCheckpointFiles(root: string, path: string): Promise<void> {
  await rm(join(root, path), { recursive: true, force: true })
}
