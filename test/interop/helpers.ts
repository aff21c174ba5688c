/**
 * The real spreadsheet programs the interop tests drive: openpyxl (Debian's python3-openpyxl, run
 * by /usr/bin/python3 through xlsx_tool.py) and LibreOffice headless (`soffice --convert-to`, with a
 * private profile per run and a time limit). bin/test-tools.sh installs both before `npm test`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TOOL = join(dirname(fileURLToPath(import.meta.url)), 'xlsx_tool.py');
/** Debian's python, which has python3-openpyxl (a `python3` earlier on PATH may be another one). */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

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
    cells: Record<string, { value: unknown; format: string; bold: boolean; italic: boolean }>;
  }>;
}

/** openpyxl.load_workbook(file): fails (with openpyxl's own message) when openpyxl refuses the file. */
export async function openpyxlInspect(file: string, rows = 8, cols = 20): Promise<Inspected> {
  const { stdout } = await run(PYTHON, [TOOL, 'inspect', file, String(rows), String(cols)], { maxBuffer: 64 << 20, timeout: 60_000 });
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
    await run(PYTHON, [TOOL, 'fill', file, out, specFile], { timeout: 60_000 });
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
    await run('soffice', [
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
