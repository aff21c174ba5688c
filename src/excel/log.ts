/**
 * The `Crego Log` sheet: one row per push batch or refresh, appended, never rewritten, so the
 * workbook itself records what was posted, when and where. The Activity section reads it back.
 */
import { cellBlock, cellText, type CellInput } from './cellValues';
import { DATETIME_FORMAT } from './format';
import type { CellRaw } from './read';
import { ensureSheet, freezePanes } from './sheets';
import type { Ctx } from './run';

export const LOG_SHEET = 'Crego Log';

/**
 * Append rows under the header (creating the sheet with `headers` when missing). Columns whose
 * header starts with "When" get the date-time format. Returns the zero-based row of the first
 * appended line.
 */
export async function appendLog(ctx: Ctx, headers: readonly string[], rows: readonly (readonly CellInput[])[]): Promise<number> {
  const { sheet, created } = await ensureSheet(ctx, LOG_SHEET);
  const headerRow = sheet.getRangeByIndexes(0, 0, 1, headers.length);
  headerRow.load('values');
  const used = sheet.getUsedRangeOrNullObject(true);
  used.load('isNullObject, rowIndex, rowCount');
  await ctx.sync();
  const next = used.isNullObject ? 1 : Math.max(1, used.rowIndex + used.rowCount);
  // Blank header cells get their header: all of them in a new log; in a log an older version started,
  // the columns added since (Unknown). A header cell holding anything is left as it is.
  for (const run of blankRuns(headerRow.values[0] ?? [], headers.length)) {
    const cells = sheet.getRangeByIndexes(0, run.from, 1, run.count);
    cells.values = [headers.slice(run.from, run.from + run.count).map(cellText)];
    cells.format.font.bold = true;
    cells.format.fill.color = '#DEECF9';
  }
  if (created) freezePanes(ctx, LOG_SHEET, 1);
  if (rows.length > 0) {
    const width = headers.length;
    const when = headers.map((h) => /^when/i.test(h));
    // "When" is written as a date-time serial (IST wall clock), so the date-time format shows it.
    const padded = rows.map((r) => Array.from({ length: width }, (_, i) => (when[i] ? stampToSerial(r[i]) : r[i]) as CellInput));
    sheet.getRangeByIndexes(next, 0, rows.length, width).values = cellBlock(padded);
    headers.forEach((h, i) => {
      if (/^when/i.test(h)) sheet.getRangeByIndexes(next, i, rows.length, 1).numberFormat = rows.map(() => [DATETIME_FORMAT]);
    });
  }
  await ctx.sync();
  return next;
}

/** The runs of blank cells among the first `width` of a row: [{from, count}]. */
function blankRuns(row: readonly unknown[], width: number): { from: number; count: number }[] {
  const runs: { from: number; count: number }[] = [];
  for (let i = 0; i < width; i++) {
    if (row[i] !== '' && row[i] !== undefined && row[i] !== null) continue;
    const last = runs.at(-1);
    if (last && last.from + last.count === i) last.count++;
    else runs.push({ from: i, count: 1 });
  }
  return runs;
}

export interface LogView {
  headers: string[];
  /** Newest first. */
  rows: CellRaw[][];
}

/**
 * The last `limit` log rows, newest first (an empty view when there is no log yet). Only the header
 * and those rows are read: every push and refresh adds a row, and a whole-sheet read would one day
 * pass Excel on the web's 5 MB request limit.
 */
export async function readLog(ctx: Ctx, limit = 20): Promise<LogView> {
  const sheet = ctx.workbook.worksheets.getItemOrNullObject(LOG_SHEET);
  sheet.load('isNullObject');
  await ctx.sync();
  if (sheet.isNullObject) return { headers: [], rows: [] };
  const used = sheet.getUsedRangeOrNullObject(true);
  used.load('isNullObject, rowIndex, rowCount, columnIndex, columnCount');
  await ctx.sync();
  if (used.isNullObject) return { headers: [], rows: [] };
  const header = sheet.getRangeByIndexes(used.rowIndex, used.columnIndex, 1, used.columnCount);
  const last = used.rowIndex + used.rowCount - 1;
  const first = Math.max(used.rowIndex + 1, last - limit + 1);
  const tail = last >= first ? sheet.getRangeByIndexes(first, used.columnIndex, last - first + 1, used.columnCount) : null;
  header.load('values');
  tail?.load('values');
  await ctx.sync();
  const headers = ((header.values as CellRaw[][])[0] ?? []).map(String);
  return { headers, rows: tail ? [...(tail.values as CellRaw[][])].reverse() : [] };
}

/** `2024-01-05 10:30 IST` (how the engine stamps a log row) → an Excel date-time serial, so the cell's format applies. */
export function stampToSerial(value: unknown): unknown {
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) IST$/.exec(value) : null;
  if (!m) return value;
  const [, y, mo, d, h, mi] = m.map(Number);
  return (Date.UTC(y!, mo! - 1, d!) - Date.UTC(1899, 11, 30)) / 86_400_000 + (h! * 60 + mi!) / 1440;
}
