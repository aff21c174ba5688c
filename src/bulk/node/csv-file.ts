/**
 * A CSV sheet: every field kept as the text it is (the engine parses amounts and dates itself), the
 * rows counted while streaming before anything is held, and the rewrite in the file's own style
 * (byte-order mark, line ends).
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { CellValue } from '../cells';
import { FileError, plain, writeThenReplace, type LoadedSheet } from './file-io';
import { mb, READ_LIMITS, SPLIT_ADVICE } from './xlsx-package';

/**
 * Records in a CSV stream (line ends outside quotes), read chunk by chunk; stops as soon as `limit`
 * is passed, so a million-row file costs one chunk of memory.
 */
export async function countCsvRecords(file: string, limit: number): Promise<number> {
  let records = 0;
  let quoted = false;
  let sawData = false;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x22) quoted = !quoted; // a doubled "" toggles twice
      else if (b === 0x0a && !quoted) {
        records++;
        sawData = false;
        if (records > limit) return records;
        continue;
      }
      if (b !== 0x0d) sawData = true;
    }
  }
  return records + (sawData ? 1 : 0);
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

export async function loadCsv(file: string): Promise<LoadedSheet> {
  const name = basename(file);
  const size = (await stat(file)).size;
  if (size > READ_LIMITS.csvBytes) throw new FileError(`${name} is ${mb(size)}; crego push reads CSV files of at most ${mb(READ_LIMITS.csvBytes)}: ${SPLIT_ADVICE}`);
  const records = await countCsvRecords(file, READ_LIMITS.rows);
  if (records > READ_LIMITS.rows) {
    throw new FileError(`${name} has more than ${READ_LIMITS.rows.toLocaleString('en-US')} rows, the most crego push reads from one file: ${SPLIT_ADVICE}`);
  }
  const bytes = await readFile(file);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Reading ANSI (e.g. Excel's plain "CSV (Comma delimited)") as UTF-8 would turn é or ₹ into
    // replacement characters, and the rewrite would keep them so: refuse before anything is sent.
    throw new FileError(`${name} is not UTF-8 text; in Excel save it as "CSV UTF-8 (Comma delimited)" (or as .xlsx) and push again`);
  }
  const wb = new ExcelJS.Workbook();
  const ws = await wb.csv.read(Readable.from([bytes]), { map: (d: string) => (d === '' ? null : d) } as never);
  const formatterOptions = csvStyle(bytes);
  return {
    file, format: 'csv', sheetName: ws.name, values: valuesOf(ws),
    async save(results, resultColumn) {
      results.forEach((vals, i) => {
        if (!vals) return;
        const row = ws.getRow(i + 1);
        vals.forEach((v, j) => (row.getCell(resultColumn + 1 + j).value = v === '' ? null : v));
      });
      await writeThenReplace(file, (tmp) => wb.csv.writeFile(tmp, { map: (v: unknown) => v, formatterOptions } as never));
    },
  };
}
