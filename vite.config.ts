import { defineConfig } from 'vitest/config';

// Build configuration for the task pane and functions bundle is added by the foundation work;
// this file also carries the Vitest settings so `npm test` needs no other config.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
