import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildAddin } from '../../src/server/build/build';

export const REPO = resolve(__dirname, '../..');
export const SOURCE_MANIFEST = readFileSync(join(REPO, 'manifest.xml'), 'utf8');

/** A real build of this repository into a fresh temporary folder (never dist/: tests run in parallel). */
export async function buildInto(env: NodeJS.ProcessEnv = {}): Promise<{ dir: string; origin: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'crego-build-'));
  const { origin } = await buildAddin({ repoRoot: REPO, env, outDir: join(dir, 'dist') });
  return { dir: join(dir, 'dist'), origin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
