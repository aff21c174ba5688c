/**
 * Reading a sheet of an .xlsx or .csv file as plain values (what the engine takes), and writing the
 * result columns back atomically: the new file is written beside the old one, the old one is kept
 * as `<file>.bak`, then the new one is renamed over it. Only result cells are set; every other
 * cell keeps the value exceljs read. Node only (the CLI); uses exceljs, never hand-written zip/XML.
 */
import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import ExcelJS from 'exceljs';
import type { CellValue } from '../cells';
import type { ResultValues } from '../results';
import { STAMP_PATTERN } from '../sheet';
import { LOG_SHEET_NAME } from '../log';

export type FileFormat = 'xlsx' | 'csv';

export class FileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileError';
  }
}

export interface LoadedSheet {
  file: string;
  format: FileFormat;
  sheetName: string;
  values: CellValue[][];
  /** Write result cells (one entry per values row, null = unchanged) at `resultColumn`; atomic, keeps a backup. */
  save(results: ReadonlyArray<ResultValues | null>, resultColumn: number): Promise<void>;
}

export function formatOf(file: string): FileFormat | null {
  const ext = extname(file).toLowerCase();
  return ext === '.xlsx' ? 'xlsx' : ext === '.csv' ? 'csv' : null;
}

/** An exceljs cell value → what Office.js would hand the engine (formula results, plain text of rich text). */
function plain(v: ExcelJS.CellValue): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || v instanceof Date) return v;
  if ('result' in v) return plain((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('');
  if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
  if ('error' in v) return String((v as ExcelJS.CellErrorValue).error);
  return null;
}

function valuesOf(ws: ExcelJS.Worksheet): CellValue[][] {
  const width = ws.columnCount;
  const out: CellValue[][] = [];
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells: CellValue[] = new Array(width);
    for (let c = 1; c <= width; c++) cells[c - 1] = plain(row.getCell(c).value);
    out.push(cells);
  }
  return out;
}

function pickSheet(wb: ExcelJS.Workbook, wanted: string | undefined, file: string): ExcelJS.Worksheet {
  const sheets = wb.worksheets;
  if (wanted) {
    const ws = sheets.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
    if (!ws) throw new FileError(`${basename(file)} has no sheet '${wanted}'; its sheets are ${sheets.map((s) => `'${s.name}'`).join(', ')}`);
    return ws;
  }
  const usable = sheets.filter((s) => s.state === 'visible' && s.name !== LOG_SHEET_NAME);
  const stamped = usable.find((s) => typeof s.getCell(1, 1).value === 'string' && STAMP_PATTERN.test(String(s.getCell(1, 1).value)));
  const ws = stamped ?? usable[0];
  if (!ws) throw new FileError(`${basename(file)} has no visible sheet`);
  return ws;
}

function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/** Replace `file` by `tmp` atomically, keeping the previous version as `<file>.bak`. */
async function replaceKeepingBackup(file: string, tmp: string): Promise<void> {
  await copyFile(file, `${file}.bak`);
  await rename(tmp, file);
}

export async function loadSheet(file: string, sheetName?: string): Promise<LoadedSheet> {
  const format = formatOf(file);
  if (!format) throw new FileError(`${basename(file)}: only .xlsx and .csv files can be pushed`);
  if (!(await stat(file).then((s) => s.isFile(), () => false))) throw new FileError(`${file} does not exist`);
  const wb = new ExcelJS.Workbook();
  let ws: ExcelJS.Worksheet;
  try {
    if (format === 'xlsx') {
      await wb.xlsx.readFile(file);
      ws = pickSheet(wb, sheetName, file);
    } else {
      // Keep every CSV field as the text it is: the engine parses amounts and dates itself.
      ws = await wb.csv.readFile(file, { map: (d: string) => (d === '' ? null : d) } as never);
    }
  } catch (err) {
    if (err instanceof FileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileError(code === 'ENOENT' ? `${file} does not exist` : `Cannot read ${basename(file)}: ${(err as Error).message}`);
  }
  return {
    file,
    format,
    sheetName: ws.name,
    values: valuesOf(ws),
    async save(results, resultColumn) {
      results.forEach((vals, i) => {
        if (!vals) return;
        const row = ws.getRow(i + 1);
        vals.forEach((v, j) => {
          row.getCell(resultColumn + 1 + j).value = v === '' ? null : v;
        });
      });
      const tmp = tempPath(file);
      try {
        if (format === 'xlsx') await wb.xlsx.writeFile(tmp);
        else await wb.csv.writeFile(tmp, { map: (v: unknown) => v } as never);
        await replaceKeepingBackup(file, tmp);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
  };
}

/** Write a fresh workbook to `file` (template), atomically; an existing file is kept as `.bak`. */
export async function writeWorkbookAtomically(wb: ExcelJS.Workbook, file: string, keepBackup: boolean): Promise<void> {
  const tmp = tempPath(file);
  try {
    await wb.xlsx.writeFile(tmp);
    if (keepBackup) await replaceKeepingBackup(file, tmp);
    else await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
