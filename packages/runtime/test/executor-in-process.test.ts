import { InProcessExecutor } from '../src/index.js'
import { describeExecutorConformance } from './helpers/executor-conformance.js'

describeExecutorConformance('in-process', { create: () => new InProcessExecutor() })
