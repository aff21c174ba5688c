/**
 * Writing values. Large blocks go in chunks, one `context.sync()` each, because Excel on the web caps
 * a request at 5 MB and a single huge assignment freezes the UI; every string goes through
 * `cellValue` so server text never turns into a formula.
 */
import { cellBlock, cellValue, type CellInput } from './cellValues';
import type { Ctx } from './run';

/** ~20k cells per request keeps a request far below Excel on the web's 5 MB limit even with long messages. */
export const DEFAULT_CHUNK_CELLS = 20_000;

export interface WriteStats {
  /** Number of `context.sync()` round trips used. */
  syncs: number;
  cells: number;
}

/** Write a rectangular block at (row, col), in row chunks. `onChunk` reports rows written so far. */
export async function writeBlock(
  ctx: Ctx,
  sheetName: string,
  row: number,
  col: number,
  values: readonly (readonly CellInput[])[],
  options: { chunkCells?: number; onChunk?: (rowsDone: number) => void } = {},
): Promise<WriteStats> {
  if (values.length === 0) return { syncs: 0, cells: 0 };
  const width = values[0].length;
  if (width === 0) return { syncs: 0, cells: 0 };
  for (const [i, r] of values.entries()) {
    if (r.length !== width) throw new RangeError(`Row ${i + 1} of the block has ${r.length} cells, expected ${width}`);
  }
  const chunkRows = Math.max(1, Math.floor((options.chunkCells ?? DEFAULT_CHUNK_CELLS) / width));
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  let syncs = 0;
  for (let start = 0; start < values.length; start += chunkRows) {
    const part = values.slice(start, start + chunkRows);
    sheet.getRangeByIndexes(row + start, col, part.length, width).values = cellBlock(part);
    await ctx.sync();
    syncs++;
    options.onChunk?.(start + part.length);
  }
  return { syncs, cells: values.length * width };
}

export interface RowUpdate {
  /** Zero-based sheet row. */
  row: number;
  values: readonly CellInput[];
}

/**
 * Write the same columns on scattered rows (e.g. Status/Id/Message of the rows one push chunk
 * touched). Consecutive rows are merged into one range; everything goes in one sync, so a
 * write-ahead mark is in the workbook before the request that depends on it is sent.
 */
export async function writeRows(ctx: Ctx, sheetName: string, col: number, updates: readonly RowUpdate[]): Promise<WriteStats> {
  if (updates.length === 0) return { syncs: 0, cells: 0 };
  const sorted = [...updates].sort((a, b) => a.row - b.row);
  const width = sorted[0].values.length;
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  let runStart = 0;
  let cells = 0;
  for (let i = 1; i <= sorted.length; i++) {
    const contiguous = i < sorted.length && sorted[i].row === sorted[i - 1].row + 1;
    if (contiguous) continue;
    const run = sorted.slice(runStart, i);
    for (const u of run) {
      if (u.values.length !== width) throw new RangeError(`Row ${u.row + 1}: ${u.values.length} cells, expected ${width}`);
    }
    sheet.getRangeByIndexes(run[0].row, col, run.length, width).values = cellBlock(run.map((u) => u.values));
    cells += run.length * width;
    runStart = i;
  }
  await ctx.sync();
  return { syncs: 1, cells };
}

/** A formula the add-in built itself (never text that came from a server). */
export interface Formula {
  formula: string;
}

function isFormula(c: unknown): c is Formula {
  return c !== null && typeof c === 'object' && typeof (c as Formula).formula === 'string';
}

export function formula(text: string): Formula {
  if (!text.startsWith('=')) throw new RangeError(`A formula starts with "=": ${text}`);
  return { formula: text };
}

/**
 * Write a block mixing the add-in's own formulas (`formula('=SUM(…)')`) and plain values, through
 * `range.formulas`: constants still pass through `cellValue`, so only wrapped formulas are formulas.
 */
export async function writeFormulas(
  ctx: Ctx,
  sheetName: string,
  row: number,
  col: number,
  cells: readonly (readonly (CellInput | Formula)[])[],
): Promise<void> {
  if (cells.length === 0 || cells[0].length === 0) return;
  const block = cells.map((r) => r.map((c) => (isFormula(c) ? c.formula : cellValue(c))));
  ctx.workbook.worksheets.getItem(sheetName).getRangeByIndexes(row, col, cells.length, cells[0].length).formulas = block;
  await ctx.sync();
}

/**
 * Single cells at scattered places (values, or the add-in's own formulas wrapped by `formula()`),
 * queued together and written in one sync.
 */
export async function writeCells(ctx: Ctx, sheetName: string, cells: readonly { row: number; col: number; value: CellInput | Formula }[]): Promise<void> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  for (const c of cells) sheet.getRangeByIndexes(c.row, c.col, 1, 1).formulas = [[isFormula(c.value) ? c.value.formula : cellValue(c.value)]];
  await ctx.sync();
}
