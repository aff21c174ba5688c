/** Reading blocks of values out of a sheet or a table. */
import type { Ctx } from './run';

export type CellRaw = string | number | boolean;

export interface ValueBlock {
  sheet: string;
  /** Zero-based row and column of the block's top-left cell. */
  row: number;
  col: number;
  values: CellRaw[][];
}

/** Cells per read request: a 50,000-row sheet is read in slices, each far below Excel on the web's 5 MB answer limit. */
export const READ_CHUNK_CELLS = 50_000;

/**
 * The used range of a sheet (values only), or null when the sheet is empty. The size is asked first
 * and the values are then read in row slices, so a large sheet never needs one oversized answer.
 */
export async function readSheet(ctx: Ctx, sheetName: string, options: { chunkCells?: number } = {}): Promise<ValueBlock | null> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  const used = sheet.getUsedRangeOrNullObject(true);
  used.load('isNullObject, rowIndex, columnIndex, rowCount, columnCount');
  await ctx.sync();
  if (used.isNullObject) return null;
  const { rowIndex: row, columnIndex: col, rowCount: rows, columnCount: cols } = used;
  const sliceRows = Math.max(1, Math.floor((options.chunkCells ?? READ_CHUNK_CELLS) / cols));
  const values: CellRaw[][] = [];
  for (let start = 0; start < rows; start += sliceRows) {
    const part = sheet.getRangeByIndexes(row + start, col, Math.min(sliceRows, rows - start), cols);
    part.load('values');
    await ctx.sync();
    values.push(...(part.values as CellRaw[][]));
  }
  return { sheet: sheetName, row, col, values };
}

export interface TableBlock {
  name: string;
  sheet: string;
  headers: string[];
  /** Position of the header row; data starts one row below. */
  row: number;
  col: number;
  /** Data rows (an empty table has none). */
  rows: CellRaw[][];
}

/** A table's header and data rows, or null when no table has that name. */
export async function readTable(ctx: Ctx, tableName: string): Promise<TableBlock | null> {
  const table = ctx.workbook.tables.getItemOrNullObject(tableName);
  table.load('isNullObject');
  await ctx.sync();
  if (table.isNullObject) return null;
  const header = table.getHeaderRowRange();
  const whole = table.getRange();
  const sheet = table.worksheet;
  header.load('values, rowIndex, columnIndex');
  whole.load('values');
  sheet.load('name');
  await ctx.sync();
  // An Excel table always has at least one data row (blank when the table is empty);
  // blank rows are the caller's to skip, as the bulk engine does.
  const body = (whole.values as CellRaw[][]).slice(1);
  return {
    name: tableName,
    sheet: sheet.name,
    headers: (header.values[0] as CellRaw[]).map((h) => String(h)),
    row: header.rowIndex,
    col: header.columnIndex,
    rows: body,
  };
}

/** Names of the workbook's tables with their sheets. */
export async function listTables(ctx: Ctx): Promise<{ name: string; sheet: string }[]> {
  const tables = ctx.workbook.tables;
  tables.load('items/name, items/worksheet/name');
  await ctx.sync();
  return tables.items.map((t) => ({ name: t.name, sheet: t.worksheet.name }));
}
