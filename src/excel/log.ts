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
  let next = 1;
  if (created) {
    const header = sheet.getRangeByIndexes(0, 0, 1, headers.length);
    header.values = [headers.map(cellText)];
    header.format.font.bold = true;
    header.format.fill.color = '#DEECF9';
    freezePanes(ctx, LOG_SHEET, 1);
  } else {
    const used = sheet.getUsedRangeOrNullObject(true);
    used.load('isNullObject, rowIndex, rowCount');
    await ctx.sync();
    next = used.isNullObject ? 1 : Math.max(1, used.rowIndex + used.rowCount);
  }
  if (rows.length > 0) {
    const width = headers.length;
    const padded = rows.map((r) => Array.from({ length: width }, (_, i) => r[i]));
    sheet.getRangeByIndexes(next, 0, rows.length, width).values = cellBlock(padded);
    headers.forEach((h, i) => {
      if (/^when/i.test(h)) sheet.getRangeByIndexes(next, i, rows.length, 1).numberFormat = rows.map(() => [DATETIME_FORMAT]);
    });
  }
  await ctx.sync();
  return next;
}

export interface LogView {
  headers: string[];
  /** Newest first. */
  rows: CellRaw[][];
}

/** The last `limit` log rows, newest first (an empty view when there is no log yet). */
export async function readLog(ctx: Ctx, limit = 20): Promise<LogView> {
  const sheet = ctx.workbook.worksheets.getItemOrNullObject(LOG_SHEET);
  sheet.load('isNullObject');
  await ctx.sync();
  if (sheet.isNullObject) return { headers: [], rows: [] };
  const used = sheet.getUsedRangeOrNullObject(true);
  used.load('isNullObject, values');
  await ctx.sync();
  if (used.isNullObject) return { headers: [], rows: [] };
  const values = used.values as CellRaw[][];
  const headers = (values[0] ?? []).map(String);
  return { headers, rows: values.slice(1).slice(-limit).reverse() };
}
