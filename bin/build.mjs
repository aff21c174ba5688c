#!/usr/bin/env node
// `npm run build`: the Vite build of the task pane, functions.js, functions.json and the manifest into
// dist/, then the manifest lint on what was built; exit code 1 on any error (custom-functions-metadata
// errors included) with the message, not a stack trace.
//   ADDIN_ORIGIN=https://addin.example.com npm run build   → a manifest for that origin
//   node bin/build.mjs --validate [--online]                → also XSD + functions contract (npm run validate);
//     --online adds Microsoft's validation service (office-addin-manifest validate), which needs the network.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { register } from 'tsx/esm/api';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
register();
const { buildAddin } = await import('../src/server/build/build.ts');
try {
  const { distDir, origin } = await buildAddin({ repoRoot });
  process.stdout.write(`built ${distDir} for ${origin}\n`);
  if (args.has('--validate')) {
    const { validateBuild } = await import('../src/server/build/validate.ts');
    // strict: a check that could not run (no XSD folder) fails the command instead of passing quietly.
    const report = await validateBuild(distDir, { origin, strict: true });
    for (const s of report.skipped) process.stdout.write(`skipped: ${s}\n`);
    for (const p of report.problems) process.stderr.write(`${p}\n`);
    if (report.problems.length > 0) process.exitCode = 1;
    else process.stdout.write('offline checks passed: XSD, manifest lint, functions.json = functions.js registrations\n');
    if (args.has('--online')) {
      const cli = join(repoRoot, 'node_modules/office-addin-manifest/cli.js');
      const online = spawnSync(process.execPath, [cli, 'validate', join(distDir, 'manifest.xml')], { stdio: 'inherit' });
      if (online.status !== 0) process.exitCode = 1;
    }
  }
} catch (err) {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
