/**
 * What the file readers share: the sheet they hand the CLI, the error a person reads, system errors
 * put in plain words, and the atomic replace (new file beside the old, old kept as `<file>.bak`).
 */
import { copyFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type ExcelJS from 'exceljs';
import type { CellValue } from '../cells';
import type { ResultValues } from '../results';

export type FileFormat = 'xlsx' | 'csv';

/** A problem with the file itself, in words a person can act on (the CLI prints it without usage text). */
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
  /** Write result cells (one entry per values row, null = unchanged) at 0-based `resultColumn`; atomic, keeps a backup. */
  save(results: ReadonlyArray<ResultValues | null>, resultColumn: number): Promise<void>;
}

/** An exceljs cell value → what Office.js would hand the engine (formula results, plain text of rich text). */
export function plain(v: ExcelJS.CellValue): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || v instanceof Date) return v;
  if ('result' in v) return plain((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('');
  if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
  if ('error' in v) return String((v as ExcelJS.CellErrorValue).error);
  return null;
}

const RESAVE = 'Open it in Excel (or LibreOffice) and save it again as .xlsx, or export the sheet as CSV UTF-8 and push the .csv';

/**
 * Any error met reading or writing `file`, as a FileError in plain words: system errors by their
 * code (no `ENOSPC: …, write` jargon), a damaged or truncated zip (`FILE_ENDED`, bad signatures)
 * with what to do about it. FileErrors pass through.
 */
export function fileErrorInWords(err: unknown, file: string, doing: 'read' | 'write'): FileError {
  if (err instanceof FileError) return err;
  const e = err as NodeJS.ErrnoException & { dest?: string };
  const name = basename(e?.dest ?? e?.path ?? file);
  const where = doing === 'read' ? `Cannot read ${name}` : `Cannot write ${name}`;
  switch (e?.code) {
    case 'ENOENT': return new FileError(`${where}: it (or its folder) does not exist`);
    case 'EACCES':
    case 'EPERM': return new FileError(`${where}: permission denied; check the file's and its folder's permissions${doing === 'write' ? ', or close it in Excel' : ''}`);
    case 'EROFS': return new FileError(`${where}: the folder is on a read-only disk; copy the file to a folder you can write to and push it there`);
    case 'ENOSPC':
    case 'EDQUOT': return new FileError(`${where}: the disk is full; free some space and run the same push again`);
    case 'EISDIR': return new FileError(`${where}: it is a folder, not a file`);
    case 'EBUSY':
    case 'ETXTBSY': return new FileError(`${where}: another program holds it; close it (in Excel too) and run the same push again`);
    case 'EMFILE':
    case 'ENFILE': return new FileError(`${where}: too many files are open on this machine; close some programs and try again`);
    case 'EIO': return new FileError(`${where}: the disk reported an input/output error; copy the file to another disk and try again`);
  }
  const message = String(e?.message ?? err);
  if (doing === 'read' && /FILE_ENDED|end of central directory|invalid signature|unexpected end|Corrupted zip|invalid (?:relative|comment|local file header)|Unsupported compression|too many bytes|not enough bytes|Text data outside of root node|Unclosed root tag|Invalid character/i.test(message)) {
    return new FileError(`${name} is damaged or not a complete Excel workbook (${message.split('\n')[0]}). ${RESAVE}`);
  }
  return new FileError(`${where}: ${message.split('\n')[0]}. ${doing === 'read' ? RESAVE : 'The previous file is unchanged'}`);
}

export function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/** Write a new version through `write(tmp)`, then replace `file` by it, keeping the previous one as `<file>.bak`. */
export async function writeThenReplace(file: string, write: (tmp: string) => Promise<void>, keepBackup = true): Promise<void> {
  const tmp = tempPath(file);
  try {
    await write(tmp);
    if (keepBackup) await copyFile(file, `${file}.bak`);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
