// The executor conformance suite on the BullMQ executor, against a real redis-server started for
// this file, with a worker taking the jobs.
import { describeExecutorConformance } from '../../runtime/test/helpers/executor-conformance.js'
import { useFleet } from './helpers/fleet.js'

const fleet = useFleet()

describeExecutorConformance('bullmq', {
  create: async () => {
    await fleet.worker({ concurrency: 8 })
    const executor = fleet.executor()
    await executor.ready()
    return executor
  },
})
