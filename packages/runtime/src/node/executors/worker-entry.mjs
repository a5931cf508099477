// Every worker thread of the thread executor starts here. It is plain JavaScript because Node 20
// cannot start a worker from a .ts file; it loads the worker's code (worker-main), through tsx when
// that code is TypeScript (the runtime's own sources, as its tests use them). Trainables written
// in TypeScript are loaded through tsx by worker-main itself, on first need.
import { workerData } from 'node:worker_threads'

const main = workerData.main
if (/\.[cm]?tsx?$/.test(new URL(main).pathname)) {
  const { register } = await import('tsx/esm/api')
  register()
  // worker-main must not register tsx a second time for a TypeScript trainable.
  globalThis[Symbol.for('vitune.tsxRegistered')] = true
}
await import(main)
