/**
 * Reading a sheet of an .xlsx or .csv file as plain values (what the engine takes), and writing the
 * result columns back atomically: the new file is written beside the old one, the old one is kept
 * as `<file>.bak`, then the new one is renamed over it. Only result cells are set: an .xlsx keeps
 * every other part byte for byte (xlsx-file.ts), a CSV every other field.
 * Reading is bounded (READ_LIMITS): file size, unpacked size and rows.
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type ExcelJS from 'exceljs';
import { loadCsv } from './csv-file';
import { fileErrorInWords, FileError, writeThenReplace, type FileFormat, type LoadedSheet } from './file-io';
import { loadXlsx } from './xlsx-file';
import { PackageError } from './xlsx-package';

export { FileError, fileErrorInWords, type FileFormat, type LoadedSheet };
export { READ_LIMITS } from './xlsx-package';

export function formatOf(file: string): FileFormat | null {
  const ext = extname(file).toLowerCase();
  return ext === '.xlsx' ? 'xlsx' : ext === '.csv' ? 'csv' : null;
}

export async function loadSheet(file: string, sheetName?: string): Promise<LoadedSheet> {
  const format = formatOf(file);
  if (!format) throw new FileError(`${basename(file)}: only .xlsx and .csv files can be pushed`);
  if (!(await stat(file).then((s) => s.isFile(), () => false))) throw new FileError(`${file} does not exist`);
  try {
    return format === 'csv' ? await loadCsv(file) : await loadXlsx(file, sheetName);
  } catch (err) {
    if (err instanceof PackageError) throw new FileError(err.message);
    throw fileErrorInWords(err, file, 'read');
  }
}

/** Write a fresh workbook to `file` (template), atomically; an existing file is kept as `.bak`. */
export async function writeWorkbookAtomically(wb: ExcelJS.Workbook, file: string, keepBackup: boolean): Promise<void> {
  await writeThenReplace(file, (tmp) => wb.xlsx.writeFile(tmp), keepBackup);
}
