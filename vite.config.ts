import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { addinViteConfig } from './src/server/build/vite-config.js';
import { resolveAddinOrigin } from './src/server/build/origin.js';

const repoRoot = dirname(fileURLToPath(import.meta.url));

// `npx vite build` builds the add-in into dist/ (`npm run build` does the same plus the manifest lint):
// see src/server/build/vite-config.ts. Vitest reads this file with mode 'test' and gets only the `test`
// section, because the build root (src/taskpane) must not become the root test files are searched from.
export default defineConfig(({ mode }) => {
  const test: ViteUserConfig['test'] = {
    include: ['test/**/*.test.ts'],
    // Chromium, openpyxl and LibreOffice found, or installed with apt-get as root (scripts/test-deps.mjs).
    globalSetup: ['scripts/test-deps.mjs'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  };
  if (mode === 'test') return { test };
  return { ...addinViteConfig({ repoRoot, origin: resolveAddinOrigin(process.env) }), test };
});
