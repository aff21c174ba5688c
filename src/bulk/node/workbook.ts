/**
 * Reading a sheet of an .xlsx or .csv file as plain values (what the engine takes), and writing the
 * result columns back atomically: the new file is written beside the old one, the old one is kept
 * as `<file>.bak`, then the new one is renamed over it. Only result cells are set; every other
 * cell keeps the value exceljs read. Node only (the CLI); uses exceljs, never hand-written zip/XML.
 */
import { copyFile, readFile, rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { basename, dirname, extname, join } from 'node:path';
import ExcelJS from 'exceljs';
import type { CellValue } from '../cells';
import { getKind } from '../kinds';
import { RESULT_WIDTH, type ResultValues } from '../results';
import { addTemplateValidations, headerNote, TEMPLATE_HEADER_ROW, TEMPLATE_ROWS, TEMPLATE_VIEWS, validationsOf } from './template-file';
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
  /** True for a large workbook rewritten in streaming mode (see FULL_MODEL_MAX_ROWS). */
  streamed: boolean;
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

/**
 * Up to this many rows the whole workbook is loaded and rewritten by exceljs, which keeps everything
 * it knows (dropdowns, notes, frozen panes, merges). Its writer holds the whole sheet in memory several
 * times over (about 1 GB for 50,000 rows), so bigger sheets are read and rewritten in streaming mode:
 * values, cell styles, row heights and column widths are kept; data validations, notes, frozen panes
 * and merges are not, except those of a Crego template, which are made again (the CLI says so, and the
 * previous file stays in `<file>.bak`).
 */
export const FULL_MODEL_MAX_ROWS = 10_000;

export async function loadSheet(file: string, sheetName?: string): Promise<LoadedSheet> {
  const format = formatOf(file);
  if (!format) throw new FileError(`${basename(file)}: only .xlsx and .csv files can be pushed`);
  if (!(await stat(file).then((s) => s.isFile(), () => false))) throw new FileError(`${file} does not exist`);
  try {
    if (format === 'csv') return await loadCsv(file);
    let streamed = await streamValues(file, sheetName);
    if (streamed.values.length > FULL_MODEL_MAX_ROWS) {
      // A 1904-date workbook (an old Mac option) stores dates 1,462 days lower: read as 1900 serials they
      // would post every payment four years early. Read again with styles, so date cells come as dates.
      if (streamed.date1904) streamed = await streamValues(file, streamed.sheetName, STREAM_OPTIONS);
      return streamedSheet(file, streamed);
    }
    return await loadFullWorkbook(file, streamed.sheetName);
  } catch (err) {
    if (err instanceof FileError) throw err;
    throw new FileError(`Cannot read ${basename(file)}: ${(err as Error).message}`);
  }
}

async function writeThenReplace(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tempPath(file);
  try {
    await write(tmp);
    await replaceKeepingBackup(file, tmp);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function setResults(ws: { getRow(n: number): ExcelJS.Row }, results: ReadonlyArray<ResultValues | null>, resultColumn: number): void {
  results.forEach((vals, i) => {
    if (vals) setRowResults(ws.getRow(i + 1), vals, resultColumn);
  });
}

function setRowResults(row: ExcelJS.Row, vals: ResultValues, resultColumn: number): void {
  vals.forEach((v, j) => {
    row.getCell(resultColumn + 1 + j).value = v === '' ? null : v;
  });
}

/**
 * How the CSV file itself is written, so the rewrite matches it: Excel's "CSV UTF-8" starts with a
 * byte-order mark, without which Excel reads the file as ANSI and shows ₹ or Hindi text as garbage;
 * Windows files end lines with CRLF.
 */
function csvStyle(bytes: Buffer): { writeBOM: boolean; rowDelimiter: string; includeEndRowDelimiter: boolean } {
  const text = bytes.toString('utf8');
  return {
    writeBOM: text.startsWith('\uFEFF'),
    rowDelimiter: /\r\n/.test(text) ? '\r\n' : '\n',
    includeEndRowDelimiter: /\n$/.test(text),
  };
}

async function loadCsv(file: string): Promise<LoadedSheet> {
  const bytes = await readFile(file);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Reading ANSI (e.g. Excel's plain "CSV (Comma delimited)") as UTF-8 would turn é or ₹ into
    // replacement characters, and the rewrite would keep them so: refuse before anything is sent.
    throw new FileError(`${basename(file)} is not UTF-8 text; in Excel save it as "CSV UTF-8 (Comma delimited)" (or as .xlsx) and push again`);
  }
  const wb = new ExcelJS.Workbook();
  // Keep every CSV field as the text it is: the engine parses amounts and dates itself.
  const ws = await wb.csv.read(Readable.from([bytes]), { map: (d: string) => (d === '' ? null : d) } as never);
  const formatterOptions = csvStyle(bytes);
  return {
    file, format: 'csv', sheetName: ws.name, values: valuesOf(ws), streamed: false,
    async save(results, resultColumn) {
      setResults(ws, results, resultColumn);
      await writeThenReplace(file, (tmp) => wb.csv.writeFile(tmp, { map: (v: unknown) => v, formatterOptions } as never));
    },
  };
}

async function loadFullWorkbook(file: string, sheetName: string): Promise<LoadedSheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = pickSheet(wb, sheetName, file);
  return {
    file, format: 'xlsx', sheetName: ws.name, values: valuesOf(ws), streamed: false,
    async save(results, resultColumn) {
      setResults(ws, results, resultColumn);
      await writeThenReplace(file, (tmp) => wb.xlsx.writeFile(tmp));
    },
  };
}

interface Streamed {
  sheetName: string;
  values: CellValue[][];
  /** The workbook counts dates from 1904 (serial numbers are not Office.js's 1900 serials). */
  date1904?: boolean;
}

const STREAM_OPTIONS = { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' } as const;
/** Reading values only: without styles a date cell stays its serial number, as Office.js gives it, and memory stays low. */
const READ_OPTIONS = { ...STREAM_OPTIONS, styles: 'ignore' } as const;

/**
 * Values of one sheet, read row by row: `wanted` by name, else the first sheet stamped as a Crego
 * template, else the first sheet that is not the Crego Log.
 */
async function streamValues(file: string, wanted: string | undefined, options: object = READ_OPTIONS): Promise<Streamed> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, options as never);
  let chosen: (Streamed & { stamped: boolean }) | null = null;
  const names: string[] = [];
  for await (const wsr of reader as AsyncIterable<ExcelJS.Worksheet & AsyncIterable<ExcelJS.Row>>) {
    names.push(wsr.name);
    let values: CellValue[][] | null = null;
    let skip = false;
    for await (const row of wsr) {
      if (skip) continue; // drain: leaving a sheet's iteration early would end the whole zip stream
      if (values === null) {
        const a1 = row.number === 1 ? plain(row.getCell(1).value) : null;
        const stamped = typeof a1 === 'string' && STAMP_PATTERN.test(a1);
        const take = wanted
          ? wsr.name.toLowerCase() === wanted.toLowerCase()
          : wsr.name !== LOG_SHEET_NAME && (!chosen || (stamped && !chosen.stamped));
        if (!take) {
          skip = true;
          continue;
        }
        values = [];
        chosen = { sheetName: wsr.name, values, stamped };
      }
      const cells: CellValue[] = [];
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        cells[col - 1] = plain(cell.value);
      });
      for (let c = 0; c < cells.length; c++) if (cells[c] === undefined) cells[c] = null;
      values[row.number - 1] = cells;
    }
    if (values) for (let r = 0; r < values.length; r++) values[r] ??= [];
  }
  if (!chosen) {
    throw new FileError(wanted
      ? `${basename(file)} has no sheet '${wanted}' (or it is empty); its sheets are ${names.map((n) => `'${n}'`).join(', ')}`
      : `${basename(file)} has no sheet with data`);
  }
  // Known once xl/workbook.xml is read (it precedes the sheets in the files Excel writes).
  chosen.date1904 = !!(reader as unknown as { properties?: { model?: { date1904?: boolean } } }).properties?.model?.date1904;
  return chosen;
}

/**
 * A large workbook: rewritten sheet by sheet, row by row, with the result cells added on the way.
 * A sheet stamped as a Crego template gets its dropdowns, header notes and frozen header back
 * (they are ours, so they can be made again; a user's own are not kept).
 */
function streamedSheet(file: string, streamed: Streamed): LoadedSheet {
  const stamp = typeof streamed.values[0]?.[0] === 'string' ? STAMP_PATTERN.exec(streamed.values[0][0] as string) : null;
  const template = stamp ? getKind(stamp[1]) ?? null : null;
  return {
    file, format: 'xlsx', sheetName: streamed.sheetName, values: streamed.values, streamed: true,
    save: (results, resultColumn) =>
      writeThenReplace(file, async (tmp) => {
        const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, STREAM_OPTIONS as never);
        const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useStyles: true, useSharedStrings: false });
        for await (const wsr of reader as AsyncIterable<ExcelJS.Worksheet & AsyncIterable<ExcelJS.Row>>) {
          const target = wsr.name === streamed.sheetName;
          const remake = target ? template : null;
          const out = writer.addWorksheet(wsr.name, remake ? { views: TEMPLATE_VIEWS } : undefined);
          let first = true;
          let lastRow = 0;
          for await (const row of wsr) {
            lastRow = row.number;
            if (first && wsr.columns) out.columns = wsr.columns.map((c) => ({ width: c.width }));
            first = false;
            const copy = out.getRow(row.number);
            if (row.height) copy.height = row.height;
            row.eachCell({ includeEmpty: false }, (cell, col) => {
              const c = copy.getCell(col);
              c.value = cell.value;
              if (cell.style && Object.keys(cell.style).length > 0) c.style = cell.style;
            });
            const vals = target ? results[row.number - 1] : null;
            if (vals) setRowResults(copy, vals, resultColumn);
            if (remake && row.number === TEMPLATE_HEADER_ROW) {
              for (let i = 0; i < remake.columns.length + RESULT_WIDTH; i++) copy.getCell(i + 1).note = headerNote(remake, i);
            }
            copy.commit();
            // exceljs's writer has no back-pressure: pause now and then so the zip stream can drain.
            if (row.number % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
          if (remake) addTemplateValidations(validationsOf(out), remake, Math.max(TEMPLATE_ROWS, lastRow));
          out.commit();
        }
        await writer.commit();
      }),
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
