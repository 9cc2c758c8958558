import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Vite warns about every inlined dependency's missing source files (the workflow parser ships
  // source maps without sources); errors still show.
  logLevel: 'error',
  test: {
    include: ['packages/*/test/**/*.test.ts', 'actions/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests spawn the built bundles; two cores on CI.
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    setupFiles: ['./test/support/fast-check.ts'],
    // GitHub's workflow parser imports its JSON schemas without import attributes, which Node
    // refuses; through Vite's transform (inlined) they load.
    server: { deps: { inline: ['@actions/workflow-parser', '@actions/expressions'] } },
  },
})
