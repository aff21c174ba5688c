/**
 * The real spreadsheet programs the interop tests drive: openpyxl (Debian's python3-openpyxl, run
 * through xlsx_tool.py) and LibreOffice headless (`soffice --convert-to`, with a private profile per
 * run and a time limit). scripts/test-deps.mjs finds them, or installs them before `npm test`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { findPython, findSoffice, missingMessage } from '../../scripts/test-deps.mjs';

const run = promisify(execFile);
const TOOL = join(dirname(fileURLToPath(import.meta.url)), 'xlsx_tool.py');

/** A python3 that imports openpyxl (Debian's first: a `python3` earlier on PATH may lack it), else what to install. */
function python(): string {
  const found = findPython();
  if (!found) throw new Error(missingMessage('python3-openpyxl'));
  return found;
}

function soffice(): string {
  const found = findSoffice();
  if (!found) throw new Error(missingMessage('libreoffice-calc-nogui'));
  return found;
}

export interface Inspected {
  sheets: Array<{
    title: string;
    state: string;
    freeze: string | null;
    validations: Array<{ sqref: string; type: string; operator: string | null; formula1: string | null; formula2: string | null; errorStyle: string; errorTitle: string | null; error: string | null; promptTitle: string | null; prompt: string | null }>;
    notes: Record<string, string>;
    merged: string[];
    print: { orientation: string | null; fitToWidth: number | null; fitToHeight: number | null; fitToPage: boolean };
    maxRow: number;
    /** Number formats set on whole columns (column styles), by column letter. */
    columnFormats: Record<string, string>;
    cells: Record<string, { value: unknown; format: string; bold: boolean; italic: boolean }>;
  }>;
}

/** openpyxl.load_workbook(file): fails (with openpyxl's own message) when openpyxl refuses the file. */
export async function openpyxlInspect(file: string, rows = 8, cols = 20): Promise<Inspected> {
  const { stdout } = await run(python(), [TOOL, 'inspect', file, String(rows), String(cols)], { maxBuffer: 64 << 20, timeout: 60_000 });
  return JSON.parse(stdout) as Inspected;
}

export interface FillSpec {
  sheet?: string;
  rename?: string;
  rows?: Record<number, unknown[]>;
  cells?: Record<string, unknown>;
  notes?: Record<string, string>;
  bold?: string[];
  merges?: string[];
  sheets?: Record<string, Record<string, unknown>>;
}

/** Open `file` in openpyxl, change it as `spec` says, save it as `out`. */
export async function openpyxlFill(file: string, out: string, spec: FillSpec): Promise<void> {
  const specFile = `${out}.spec.json`;
  await writeFile(specFile, JSON.stringify(spec));
  try {
    await run(python(), [TOOL, 'fill', file, out, specFile], { timeout: 60_000 });
  } finally {
    await rm(specFile, { force: true });
  }
}

/**
 * Open each file in LibreOffice and save it as .xlsx into `outDir` (same base names), in one
 * `soffice` run with its own throw-away profile, so parallel runs and a user's LibreOffice never meet.
 */
export async function libreOfficeResave(files: string[], outDir: string): Promise<string[]> {
  const profile = await mkdtemp(join(tmpdir(), 'crego-lo-profile-'));
  try {
    await run(soffice(), [
      `-env:UserInstallation=${pathToFileURL(profile).href}`, '--headless', '--norestore', '--nolockcheck',
      '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', outDir, ...files,
    ], { timeout: 180_000 });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
  const out = files.map((f) => join(outDir, basename(f)));
  const missing = out.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`LibreOffice did not write ${missing.join(', ')}`);
  return out;
}
