import { defineConfig } from 'vitest/config'

// The project's own tests. Tune files (*.tune.ts) run through `pnpm tune`, not here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/fixtures/**', '**/.tmp/**'],
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 60_000,
    // A temp root per run, checked empty at the end (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
  },
})
