// The wire protocol between the driver and the workers, beside BullMQ's own job handling.
//
// One BullMQ job is one started trainable (a TrialHandle's lifetime). Its hash holds the spec and
// the resume point (latest checkpoint, the random state after it, digests of the reports sent
// since); its command stream carries the driver's pulls; the run's out stream carries the reports
// back. A worker that takes the job over resumes from the hash and replays the reports after the
// checkpoint silently, checking each against its digest, so nothing is lost or counted twice.
import type { TrainableModule } from '@vitune/dsl'

/** What BullMQ carries for one trial job (plain JSON, readable in any BullMQ dashboard); the rest is in the job's hash. */
export interface TrialJobData {
  readonly v: 1
  readonly runId: string
  readonly trialId: string
  readonly where: string
  readonly module: TrainableModule
}

/** The part of a trial's start that does not change when it is taken over: the hash's `spec` field. */
export interface TrialSpec {
  readonly trialId: string
  readonly where: string
  readonly config: unknown
  readonly module: TrainableModule
  readonly maxCheckpointBytes: number
  /** Checkpoints go through files below this folder instead of Redis. */
  readonly checkpointDir: string | undefined
}

/** A command from the driver to the worker running a trial. */
export type Command = { readonly op: 'pull'; readonly seq: number } | { readonly op: 'close' } | { readonly op: 'abort'; readonly reason: string }

/** Where a report's checkpoint is: in the message, in the job's hash (too big to inline), or in a file. */
export type CheckpointLocation = { readonly inline: Buffer } | { readonly inHash: true } | { readonly file: string }

/** Why a worker starts a job's trainable. */
export type StartKind = 'fresh' | 'resumed' | 'takeover'

/** A message from a worker to the driver of a run. */
export type WorkerMessage =
  | {
      readonly kind: 'started'
      readonly jobId: string
      readonly worker: string
      /** fresh: its first start; resumed: after a worker parked or handed it back; takeover: after its worker was lost. */
      readonly how: StartKind
      /** Reports the worker runs again, unsent, to get from the checkpoint to where the trial was. */
      readonly replay: number
    }
  | {
      readonly kind: 'report'
      readonly jobId: string
      readonly seq: number
      readonly digest: string
      readonly metrics: Buffer
      readonly random: Buffer
      readonly checkpoint: CheckpointLocation | undefined
    }
  | { readonly kind: 'end'; readonly jobId: string; readonly seq: number; readonly digest: string; readonly random: Buffer }
  | { readonly kind: 'error'; readonly jobId: string; readonly seq: number; readonly digest: string; readonly error: Buffer; readonly random: Buffer }
  | { readonly kind: 'closed'; readonly jobId: string; readonly random: Buffer }
  /** The job waits, delayed, until the driver pulls it again (its worker made room, or stopped). */
  | { readonly kind: 'parked'; readonly jobId: string }

/** Fields of a stream entry as ioredis' `xreadBuffer` gives them: name, value, name, value... */
function fieldsOf(flat: readonly Buffer[]): Map<string, Buffer> {
  const fields = new Map<string, Buffer>()
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set((flat[i] as Buffer).toString(), flat[i + 1] as Buffer)
  return fields
}

const text = (fields: Map<string, Buffer>, name: string): string => fields.get(name)?.toString() ?? ''
const int = (fields: Map<string, Buffer>, name: string): number => Number.parseInt(text(fields, name), 10)
const bytes = (fields: Map<string, Buffer>, name: string): Buffer => fields.get(name) ?? Buffer.alloc(0)

/** Reads a command entry; undefined for an entry this version does not know. */
export function parseCommand(flat: readonly Buffer[]): Command | undefined {
  const fields = fieldsOf(flat)
  const op = text(fields, 'op')
  if (op === 'pull') return { op, seq: int(fields, 'seq') }
  if (op === 'close') return { op }
  if (op === 'abort') return { op, reason: text(fields, 'reason') }
  return undefined
}

/** The stream fields of a command. */
export function commandFields(command: Command): string[] {
  if (command.op === 'pull') return ['op', 'pull', 'seq', String(command.seq)]
  if (command.op === 'abort') return ['op', 'abort', 'reason', command.reason]
  return ['op', 'close']
}

/** Reads a worker's message; undefined for an entry this version does not know. */
export function parseMessage(flat: readonly Buffer[]): WorkerMessage | undefined {
  const fields = fieldsOf(flat)
  const kind = text(fields, 'kind')
  const jobId = text(fields, 'job')
  switch (kind) {
    case 'started':
      return { kind, jobId, worker: text(fields, 'worker'), how: text(fields, 'how') as StartKind, replay: int(fields, 'replay') }
    case 'report': {
      const inline = fields.get('c')
      const ref = text(fields, 'cref')
      const checkpoint: CheckpointLocation | undefined =
        inline !== undefined ? { inline } : ref === 'hash' ? { inHash: true } : ref.length > 0 ? { file: ref } : undefined
      return { kind, jobId, seq: int(fields, 'seq'), digest: text(fields, 'd'), metrics: bytes(fields, 'm'), random: bytes(fields, 'r'), checkpoint }
    }
    case 'end':
      return { kind, jobId, seq: int(fields, 'seq'), digest: text(fields, 'd'), random: bytes(fields, 'r') }
    case 'error':
      return { kind, jobId, seq: int(fields, 'seq'), digest: text(fields, 'd'), error: bytes(fields, 'e'), random: bytes(fields, 'r') }
    case 'closed':
      return { kind, jobId, random: bytes(fields, 'r') }
    case 'parked':
      return { kind, jobId }
    default:
      return undefined
  }
}

/** The start of the failure a worker gives a job it dropped (its driver seemed gone, or Redis lost it). */
export const ABANDONED = 'vitune:abandoned'

/** What the send script answered. */
export const SEND = { sent: 1, duplicate: 0, diverged: -1, gap: -2, gone: -3 } as const

/**
 * Sends one message from a worker, atomically with the job's resume point. A sequenced message
 * (seq > 0: a report, the end, an error) is sent only if it is the next one: a duplicate (a second
 * worker running the same job after a lost lock) is dropped, or flagged when its digest differs.
 * A report with a checkpoint becomes the new resume point. Unsequenced messages (started, closed)
 * go out as long as the job's hash exists.
 *
 * KEYS: job hash, out stream, command stream.
 * ARGV: jobId, seq, kind, digest, ttlMs, then name/value pairs of the message's other fields,
 *       then (last four) checkpoint mode ('' | 'bytes' | 'file'), checkpoint bytes, file, random state.
 */
export const SEND_SCRIPT = `
local h, out, cmd = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', h) == 0 then return -3 end
local seq = tonumber(ARGV[2])
local n = #ARGV
local mode, ckpt, file, random = ARGV[n - 3], ARGV[n - 2], ARGV[n - 1], ARGV[n]
if seq > 0 then
  local sent = tonumber(redis.call('HGET', h, 'sent'))
  if seq <= sent then
    local d = redis.call('HGET', h, 'd:' .. seq)
    if d and d ~= ARGV[4] then return -1 end
    return 0
  end
  if seq ~= sent + 1 then return -2 end
  if mode ~= '' then
    local from = tonumber(redis.call('HGET', h, 'ckptSeq'))
    for s = from + 1, sent do redis.call('HDEL', h, 'd:' .. s) end
    redis.call('HSET', h, 'ckptSeq', seq, 'random', random)
    if mode == 'file' then
      redis.call('HSET', h, 'ckptFile', file)
      redis.call('HDEL', h, 'ckpt')
    else
      redis.call('HSET', h, 'ckpt', ckpt)
      redis.call('HDEL', h, 'ckptFile')
    end
  else
    redis.call('HSET', h, 'd:' .. seq, ARGV[4])
  end
  redis.call('HSET', h, 'sent', seq)
end
local fields = { 'job', ARGV[1], 'kind', ARGV[3], 'seq', ARGV[2], 'd', ARGV[4] }
for i = 6, n - 4 do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', out, '*', unpack(fields))
redis.call('PEXPIRE', h, ARGV[5])
redis.call('PEXPIRE', out, ARGV[5])
if redis.call('EXISTS', cmd) == 1 then redis.call('PEXPIRE', cmd, ARGV[5]) end
return 1
`
