import { ThreadExecutor } from '../src/node/index.js'
import { describeExecutorConformance } from './helpers/executor-conformance.js'

describeExecutorConformance('threads (1 thread)', { create: () => new ThreadExecutor({ threads: 1 }) })
describeExecutorConformance('threads (2 threads)', { create: () => new ThreadExecutor({ threads: 2 }) })
