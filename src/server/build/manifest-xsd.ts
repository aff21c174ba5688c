/**
 * XSD validation of the manifest against the schema set in ../shared/office-schemas/ (see its
 * README), with xmllint compiled to WebAssembly so it runs on any machine without libxml2-utils.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { REPO_ROOT } from '../paths';

export const MAIN_SCHEMA = 'OfficeAppManifestV1_1.xsd';

/**
 * The schema folder: OFFICE_SCHEMAS_DIR, else shared/office-schemas beside the repository (the
 * checkout layout of this project and of CI), else inside it.
 */
export function findSchemaDir(env: NodeJS.ProcessEnv = process.env, repoRoot: string = REPO_ROOT): string | undefined {
  const candidates = [env.OFFICE_SCHEMAS_DIR, join(repoRoot, '../shared/office-schemas'), join(repoRoot, 'shared/office-schemas')];
  return candidates.find((dir): dir is string => !!dir && existsSync(join(dir, MAIN_SCHEMA)));
}

export interface XsdResult {
  valid: boolean;
  /** "line N: message" for each schema error. */
  errors: string[];
}

export async function validateManifestXsd(xml: string, schemaDir: string): Promise<XsdResult> {
  // The schemas import each other by relative file name, so all of them go into xmllint's
  // in-memory file system under their own names, with the main one as the entry schema.
  const files = readdirSync(schemaDir).filter((f) => f.endsWith('.xsd'));
  const load = (f: string) => ({ fileName: f, contents: readFileSync(join(schemaDir, f), 'utf8') });
  const result = await validateXML({
    xml: { fileName: 'manifest.xml', contents: xml },
    schema: load(MAIN_SCHEMA),
    preload: files.filter((f) => f !== MAIN_SCHEMA).map(load),
  });
  const errors = result.errors.map((e) => (e.loc ? `line ${e.loc.lineNumber}: ${shorten(e.message)}` : shorten(e.message)));
  if (!result.valid && errors.length === 0) errors.push(result.rawOutput.trim() || 'xmllint rejected the manifest without a message');
  return { valid: result.valid, errors };
}

/** xmllint spells every element with its namespace URI; the local name is what a person looks for. */
function shorten(message: string): string {
  return message.replace(/\{http:\/\/schemas\.microsoft\.com\/office\/[^}]+\}/g, '');
}
