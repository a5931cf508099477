import { vitune } from '@vitune/vitest-plugin'
import { defineConfig } from 'vitest/config'

// Trials run on this machine; with VITUNE_REDIS_URL set they run on the workers of that Redis
// (`npx vitune worker --redis <url>` in this folder), and the tune file does not change.
export default defineConfig({
  plugins: [vitune({ outDir: 'results' })],
})
