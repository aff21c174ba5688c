/**
 * All offline checks of a built add-in, for `npm run validate` and the tests: the XSD (when the
 * schema set is available), the manifest lint, and the functions.js / functions.json contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintManifest } from './manifest-lint';
import { findSchemaDir, MAIN_SCHEMA, validateManifestXsd } from './manifest-xsd';
import { functionsContractProblems } from './functions-contract';

export interface ValidationReport {
  problems: string[];
  /** Why a check did not run (e.g. no schema folder). */
  skipped: string[];
}

/**
 * `strict` (npm run validate): a check that could not run is a failure, not a note, so "passed"
 * always means the XSD ran too. The tests' builds use the lenient default.
 */
export async function validateBuild(distDir: string, opts: { origin?: string; env?: NodeJS.ProcessEnv; strict?: boolean; repoRoot?: string } = {}): Promise<ValidationReport> {
  const xml = readFileSync(join(distDir, 'manifest.xml'), 'utf8');
  const problems: string[] = [];
  const skipped: string[] = [];
  const env = opts.env ?? process.env;
  const given = env.OFFICE_SCHEMAS_DIR;
  const schemaDir = findSchemaDir(env, opts.repoRoot);
  if (given?.trim() && schemaDir !== given) {
    // Named but wrong: never fall back to another folder behind the person's back.
    problems.push(`XSD: OFFICE_SCHEMAS_DIR='${given}' holds no ${MAIN_SCHEMA}; point it at the office-schemas folder (the one with ${MAIN_SCHEMA}).`);
  } else if (schemaDir) {
    const xsd = await validateManifestXsd(xml, schemaDir);
    problems.push(...xsd.errors.map((e) => `XSD: ${e}`));
  } else {
    const why = 'XSD validation: no schema folder (set OFFICE_SCHEMAS_DIR or place shared/office-schemas beside the repository).';
    if (opts.strict) problems.push(`${why} The manifest was not checked against the schema.`);
    else skipped.push(why);
  }
  problems.push(...lintManifest(xml, { origin: opts.origin, distDir }).map((p) => `lint: ${p}`));
  const js = readFileSync(join(distDir, 'functions.js'), 'utf8');
  const json = readFileSync(join(distDir, 'functions.json'), 'utf8');
  problems.push(...functionsContractProblems(js, json).map((p) => `functions: ${p}`));
  return { problems, skipped };
}
