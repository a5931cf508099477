// Looks at the queue from the outside, as a BullMQ dashboard would: which worker holds which job.
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'

/** Names of the workers holding active jobs now, with how many each. */
export async function activeWorkers(redisUrl: string, queueName = 'vitune'): Promise<Map<string, number>> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
  const queue = new Queue(queueName, { connection })
  try {
    const held = new Map<string, number>()
    for (const job of await queue.getActive()) {
      if (job?.processedBy !== undefined) held.set(job.processedBy, (held.get(job.processedBy) ?? 0) + 1)
    }
    return held
  } finally {
    await queue.close()
    connection.disconnect()
  }
}

/** Jobs waiting for a worker (waiting and prioritized). */
export async function waitingJobs(redisUrl: string, queueName = 'vitune'): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
  const queue = new Queue(queueName, { connection })
  try {
    return await queue.getWaitingCount()
  } finally {
    await queue.close()
    connection.disconnect()
  }
}

/** Jobs BullMQ keeps as completed (vitune keeps them an hour). */
export async function completedJobs(redisUrl: string, queueName = 'vitune'): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
  const queue = new Queue(queueName, { connection })
  try {
    return await queue.getCompletedCount()
  } finally {
    await queue.close()
    connection.disconnect()
  }
}
