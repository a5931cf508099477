import { vitune } from '@vitune/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [vitune({ outDir: 'results' })],
})
