/** Sheets, tables and panes. */
import { blockAddress } from './address';
import { cellBlock, cellText, type CellInput } from './cellValues';
import type { Ctx } from './run';

export interface EnsuredSheet {
  sheet: Excel.Worksheet;
  created: boolean;
}

/** The sheet with this name, added (at the end) when missing. */
export async function ensureSheet(ctx: Ctx, name: string, options: { activate?: boolean } = {}): Promise<EnsuredSheet> {
  const found = ctx.workbook.worksheets.getItemOrNullObject(name);
  found.load('isNullObject');
  await ctx.sync();
  const created = found.isNullObject;
  const sheet = created ? ctx.workbook.worksheets.add(name) : found;
  if (options.activate) sheet.activate();
  return { sheet, created };
}

/** Whether a sheet with this name exists. */
export async function sheetExists(ctx: Ctx, name: string): Promise<boolean> {
  const found = ctx.workbook.worksheets.getItemOrNullObject(name);
  found.load('isNullObject');
  await ctx.sync();
  return !found.isNullObject;
}

/** Names of the workbook's sheets, in tab order. */
export async function listSheets(ctx: Ctx): Promise<string[]> {
  const sheets = ctx.workbook.worksheets;
  sheets.load('items/name');
  await ctx.sync();
  return sheets.items.map((s) => s.name);
}

/** `base`, else the first `numbered(n)` (n = 2, 3, …) not in `names`; Excel compares names case-insensitively. */
function firstFree(base: string, names: readonly string[], numbered: (n: number) => string): string {
  const taken = new Set(names.map((n) => n.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const candidate = numbered(n);
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/** A sheet name not yet used: `Crego Records`, then `Crego Records (2)`, … */
export async function freeSheetName(ctx: Ctx, base: string): Promise<string> {
  return firstFree(base, await listSheets(ctx), (n) => `${base} (${n})`);
}

/** A table name not yet used in the workbook (table names are workbook-wide, and cannot hold spaces). */
export async function freeTableName(ctx: Ctx, base: string): Promise<string> {
  const tables = ctx.workbook.tables;
  tables.load('items/name');
  await ctx.sync();
  return firstFree(base, tables.items.map((t) => t.name), (n) => `${base}${n}`);
}

export interface TableSpec {
  sheet: string;
  /** Zero-based top-left (header row). */
  row: number;
  col: number;
  name: string;
  headers: readonly string[];
  rows?: readonly (readonly CellInput[])[];
  /** A built-in style; Medium2 is Excel's default blue, which matches the Fluent look. */
  style?: string;
}

export interface CreatedTable {
  name: string;
  /** Address of the whole table (header + data) on its sheet. */
  address: string;
  /** Zero-based first data row. */
  firstDataRow: number;
  dataRows: number;
}

/** Create a formatted Excel table with headers and (optionally) rows; the header is bold and filterable. */
export async function createTable(ctx: Ctx, spec: TableSpec): Promise<CreatedTable> {
  const width = spec.headers.length;
  if (width === 0) throw new RangeError('A table needs at least one column');
  const rows = spec.rows ?? [];
  // Excel gives every table at least one data row; an empty template gets one blank row.
  const dataRows = Math.max(1, rows.length);
  const address = blockAddress(spec.row, spec.col, dataRows + 1, width);
  const sheet = ctx.workbook.worksheets.getItem(spec.sheet);
  sheet.getRangeByIndexes(spec.row, spec.col, 1, width).values = [spec.headers.map(cellText)];
  if (rows.length > 0) sheet.getRangeByIndexes(spec.row + 1, spec.col, rows.length, width).values = cellBlock(rows);
  const table = sheet.tables.add(address, true);
  table.name = spec.name;
  table.style = spec.style ?? 'TableStyleMedium2';
  await ctx.sync();
  return { name: spec.name, address, firstDataRow: spec.row + 1, dataRows };
}

/** Freeze the top `rows` rows and left `cols` columns so headers stay visible while scrolling. */
export function freezePanes(ctx: Ctx, sheetName: string, rows: number, cols = 0): void {
  const panes = ctx.workbook.worksheets.getItem(sheetName).freezePanes;
  if (rows > 0 && cols > 0) panes.freezeAt(blockAddress(0, 0, rows, cols));
  else if (rows > 0) panes.freezeRows(rows);
  else if (cols > 0) panes.freezeColumns(cols);
  else panes.unfreeze();
}

/** Make a sheet the one the user sees. */
export function activateSheet(ctx: Ctx, sheetName: string): void {
  ctx.workbook.worksheets.getItem(sheetName).activate();
}

/** The name of the sheet the user is looking at. */
export async function activeSheetName(ctx: Ctx): Promise<string> {
  const sheet = ctx.workbook.worksheets.getActiveWorksheet();
  sheet.load('name');
  await ctx.sync();
  return sheet.name;
}
