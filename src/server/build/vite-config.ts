/**
 * The Vite configuration of the add-in build, as a function so the CLI, vite.config.ts and the
 * tests (which build into temporary folders for several origins) share one definition.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InlineConfig } from 'vite';
import { officeAddin } from './vite-plugin.js';
import { manifestVersion } from './origin.js';

export interface AddinBuildSettings {
  repoRoot: string;
  /** Public origin the manifest points at (see resolveAddinOrigin). */
  origin: string;
  /** Default <repoRoot>/dist. */
  outDir?: string;
  /** Default [<repoRoot>/src/functions/functions.ts]. */
  functionSources?: string[];
}

export function addinViteConfig(s: AddinBuildSettings): InlineConfig {
  const pkg = JSON.parse(readFileSync(join(s.repoRoot, 'package.json'), 'utf8')) as { version: string };
  return {
    // The page lives in src/taskpane/, and dist/taskpane.html must sit at the top of dist/.
    root: join(s.repoRoot, 'src/taskpane'),
    // Relative URLs in the page, so dist/ also works when deployed under a path (https://cdn.example.com/crego/).
    base: './',
    publicDir: false,
    logLevel: 'warn',
    mode: 'production',
    build: {
      outDir: s.outDir ?? join(s.repoRoot, 'dist'),
      emptyOutDir: true,
      target: 'es2020',
      sourcemap: true,
      rollupOptions: { input: { taskpane: join(s.repoRoot, 'src/taskpane/taskpane.html') } },
    },
    plugins: [
      officeAddin({
        repoRoot: s.repoRoot,
        functionSources: s.functionSources ?? [join(s.repoRoot, 'src/functions/functions.ts')],
        origin: s.origin,
        version: manifestVersion(pkg.version),
      }),
    ],
  };
}
