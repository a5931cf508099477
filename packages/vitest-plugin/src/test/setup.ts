// Injected by the vitune() plugin in tune mode: registers vitune's matchers.
import { expect } from 'vitest'
import { matchers } from './matchers.js'

expect.extend(matchers)
