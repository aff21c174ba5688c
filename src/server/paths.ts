import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json, manifest.xml and dist/ live), wherever the process was started. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
