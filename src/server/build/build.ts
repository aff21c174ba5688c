/**
 * The whole add-in build as a function (used by `npm run build`, `crego serve` and the tests):
 * Vite, then the manifest lint on the built output, so a build that would fail in Excel fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { lintManifest } from './manifest-lint';
import { resolveAddinOrigin } from './origin';
import { addinViteConfig } from './vite-config';

export interface BuildResult {
  distDir: string;
  origin: string;
}

/** `env` supplies ADDIN_ORIGIN / PORT (default process.env); `outDir` defaults to <repoRoot>/dist. */
export async function buildAddin(opts: { repoRoot: string; env?: NodeJS.ProcessEnv; outDir?: string; functionSources?: string[] }): Promise<BuildResult> {
  const origin = resolveAddinOrigin(opts.env ?? process.env); // a bad ADDIN_ORIGIN fails before any work
  const distDir = opts.outDir ?? join(opts.repoRoot, 'dist');
  await build({ configFile: false, ...addinViteConfig({ repoRoot: opts.repoRoot, origin, outDir: distDir, functionSources: opts.functionSources }) });
  const problems = lintManifest(readFileSync(join(distDir, 'manifest.xml'), 'utf8'), { origin, distDir });
  if (problems.length > 0) throw new Error(`${join(distDir, 'manifest.xml')} has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  return { distDir, origin };
}
