// Benchmarks time the built packages (run `pnpm build` first), never the TypeScript sources.
export * from '../../packages/dsl/dist/index.js'
export * from '../../packages/runtime/dist/index.js'
