/**
 * All offline checks of a built add-in, for `npm run validate` and the tests: the XSD (when the
 * schema set is available), the manifest lint, and the functions.js / functions.json contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintManifest } from './manifest-lint';
import { findSchemaDir, validateManifestXsd } from './manifest-xsd';
import { functionsContractProblems } from './functions-contract';

export interface ValidationReport {
  problems: string[];
  /** Why a check did not run (e.g. no schema folder). */
  skipped: string[];
}

export async function validateBuild(distDir: string, opts: { origin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ValidationReport> {
  const xml = readFileSync(join(distDir, 'manifest.xml'), 'utf8');
  const problems: string[] = [];
  const skipped: string[] = [];
  const schemaDir = findSchemaDir(opts.env);
  if (schemaDir) {
    const xsd = await validateManifestXsd(xml, schemaDir);
    problems.push(...xsd.errors.map((e) => `XSD: ${e}`));
  } else {
    skipped.push('XSD validation: no schema folder (set OFFICE_SCHEMAS_DIR or place shared/office-schemas beside the repository).');
  }
  problems.push(...lintManifest(xml, { origin: opts.origin, distDir }).map((p) => `lint: ${p}`));
  const js = readFileSync(join(distDir, 'functions.js'), 'utf8');
  const json = readFileSync(join(distDir, 'functions.json'), 'utf8');
  problems.push(...functionsContractProblems(js, json).map((p) => `functions: ${p}`));
  return { problems, skipped };
}
