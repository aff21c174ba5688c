/**
 * An .xlsx sheet: checked and located through its zip package (xlsx-package.ts), its values read
 * row by row by exceljs's stream reader (a normalised copy when the writer used part names exceljs
 * cannot follow), and the results written back by ResultCellWriter into a copy of the package in
 * which every other part is the user's, unchanged. One path for every size.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline as streamPipeline } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import yazl from 'yazl';
import type { CellValue } from '../cells';
import { LOG_SHEET_NAME } from '../log';
import { STAMP_PATTERN } from '../sheet';
import { FileError, plain, tempPath, writeThenReplace, type LoadedSheet } from './file-io';
import { ResultCellWriter } from './result-cells';
import { READ_LIMITS, SPLIT_ADVICE, XlsxPackage, type SheetPart } from './xlsx-package';
import type { ResultValues } from '../results';

const STREAM_OPTIONS = { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' } as const;
/** Reading values only: without styles a date cell stays its serial number, as Office.js gives it, and memory stays low. */
const READ_OPTIONS = { ...STREAM_OPTIONS, styles: 'ignore' } as const;

/** The sheet to read: `wanted` by name (any case), else null (the reader picks while streaming). */
function sheetByName(sheets: SheetPart[], wanted: string, label: string): SheetPart {
  const hit = sheets.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
  if (!hit) throw new FileError(`${label} has no sheet '${wanted}'; its sheets are ${sheets.map((s) => `'${s.name}'`).join(', ')}`);
  return hit;
}

export async function loadXlsx(file: string, wanted?: string): Promise<LoadedSheet> {
  const label = basename(file);
  const pkg = await XlsxPackage.open(file, label);
  let copy: string | null = null;
  try {
    const { sheets, date1904 } = await pkg.workbook();
    if (sheets.length === 0) throw new FileError(`${label} has no worksheet. Open it in Excel and save it again as .xlsx, or export the sheet as CSV UTF-8`);
    const named = wanted ? sheetByName(sheets, wanted, label) : null;
    if (await pkg.needsNormalising()) {
      copy = `${tempPath(file)}.read.xlsx`;
      await pkg.normalisedCopy(copy);
    }
    // A 1904-date workbook (an old Mac option) stores dates 1,462 days lower: read as 1900 serials they
    // would post every payment four years early. Read with styles, so date cells come as dates.
    const chosen = await streamValues(copy ?? file, label, sheets, named, date1904 ? STREAM_OPTIONS : READ_OPTIONS);
    const part = sheets.find((s) => s.name === chosen.sheetName)!.part;
    return {
      file, format: 'xlsx', sheetName: chosen.sheetName, values: chosen.values,
      save: (results, resultColumn) => writeThenReplace(file, (tmp) => writeResults(file, part, results, resultColumn, tmp)),
    };
  } finally {
    pkg.close();
    if (copy) await rm(copy, { force: true });
  }
}

interface Chosen {
  sheetName: string;
  values: CellValue[][];
  stamped: boolean;
  order: number;
}

/**
 * Values of one sheet, read row by row: `named`, else the first visible sheet stamped as a Crego
 * template, else the first visible sheet that is not the Crego Log (workbook order). More rows
 * than READ_LIMITS.rows stop the read.
 */
async function streamValues(path: string, label: string, sheets: SheetPart[], named: SheetPart | null, options: object): Promise<Chosen> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, options as never);
  const order = new Map(sheets.map((s, i) => [s.name, i]));
  let chosen: Chosen | null = null;
  for await (const wsr of reader as AsyncIterable<ExcelJS.Worksheet & AsyncIterable<ExcelJS.Row>>) {
    const meta = sheets.find((s) => s.name === wsr.name);
    const eligible = named ? wsr.name === named.name : !!meta && meta.state === 'visible' && wsr.name !== LOG_SHEET_NAME;
    let values: CellValue[][] | null = null;
    let skip = !eligible;
    for await (const row of wsr) {
      if (skip) continue; // drain: leaving a sheet's iteration early would end the whole zip stream
      if (values === null) {
        const a1 = row.number === 1 ? plain(row.getCell(1).value) : null;
        const stamped = typeof a1 === 'string' && STAMP_PATTERN.test(a1);
        const at = order.get(wsr.name) ?? sheets.length;
        if (chosen && !named && !(stamped && !chosen.stamped) && !(stamped === chosen.stamped && at < chosen.order)) {
          skip = true;
          continue;
        }
        values = [];
        chosen = { sheetName: wsr.name, values, stamped, order: at };
      }
      if (row.number > READ_LIMITS.rows) {
        throw new FileError(`${label}: sheet '${wsr.name}' has more than ${READ_LIMITS.rows.toLocaleString('en-US')} rows, the most crego push reads: ${SPLIT_ADVICE}`);
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
    throw new FileError(named ? `${label}: sheet '${named.name}' is empty` : `${label} has no visible sheet with data`);
  }
  return chosen;
}

/** A copy of `file` with the result cells set in the worksheet part `part`; every other part copied as it is. */
async function writeResults(file: string, part: string, results: ReadonlyArray<ResultValues | null>, resultColumn: number, out: string): Promise<void> {
  const byRow = new Map<number, ResultValues>();
  results.forEach((vals, i) => vals && byRow.set(i + 1, vals));
  const pkg = await XlsxPackage.open(file, basename(file));
  try {
    const zip = new yazl.ZipFile();
    const written = pipeline(zip.outputStream, createWriteStream(out));
    for (const path of pkg.entries.keys()) {
      zip.addReadStreamLazy(path, (cb) => {
        pkg.stream(path).then(
          (s) => {
            if (path !== part) return cb(null, s);
            const patched = new ResultCellWriter(byRow, resultColumn + 1);
            streamPipeline(s, patched, () => {}); // an error in either ends `patched`, and so the zip
            cb(null, patched);
          },
          (e) => cb(e, undefined as never),
        );
      });
    }
    zip.end();
    await written;
  } finally {
    pkg.close();
  }
}
