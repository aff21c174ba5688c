/**
 * The few Excel reads and writes only the pane's self-test needs (src/taskpane/selftest*): a cell's
 * value, text and fill read back, a sheet's protection toggled and read back, a scratch sheet deleted.
 * Everything else the self-test exercises goes through the same src/excel code the add-in uses.
 */
import type { Ctx } from './run';

/** One cell's value (after calculation) and fill, by zero-based row and column. */
export async function readCell(ctx: Ctx, sheetName: string, row: number, col: number): Promise<{ value: unknown; fill: string }> {
  const cell = ctx.workbook.worksheets.getItem(sheetName).getRangeByIndexes(row, col, 1, 1);
  cell.load('values');
  const props = cell.getCellProperties({ format: { fill: { color: true } } });
  await ctx.sync();
  return { value: cell.values[0][0], fill: String(props.value[0][0].format?.fill?.color ?? '').toUpperCase() };
}

/** What one cell shows (`Range.text`: its value in the number format in force, e.g. 15-Feb-2026 for a date). */
export async function readCellText(ctx: Ctx, sheetName: string, row: number, col: number): Promise<string> {
  const cell = ctx.workbook.worksheets.getItem(sheetName).getRangeByIndexes(row, col, 1, 1);
  cell.load('text');
  await ctx.sync();
  return String(cell.text[0][0]);
}

/** Protect the sheet (no password), read it back, unprotect it, read it back: [after protect, after unprotect]. */
export async function protectRoundTrip(ctx: Ctx, sheetName: string): Promise<[boolean, boolean]> {
  const protection = ctx.workbook.worksheets.getItem(sheetName).protection;
  protection.protect({ allowFormatCells: true });
  protection.load('protected');
  await ctx.sync();
  const on = protection.protected;
  protection.unprotect();
  protection.load('protected');
  await ctx.sync();
  return [on, protection.protected];
}

/** A dropdown is in place on the cell: Excel reports a List validation. */
export async function hasListValidation(ctx: Ctx, sheetName: string, row: number, col: number): Promise<boolean> {
  const dv = ctx.workbook.worksheets.getItem(sheetName).getRangeByIndexes(row, col, 1, 1).dataValidation;
  dv.load('type');
  await ctx.sync();
  return dv.type === 'List';
}

/** Delete the sheets (those that exist); resolves with the names still present afterwards. */
export async function deleteSheets(ctx: Ctx, names: readonly string[]): Promise<string[]> {
  const present = async () => {
    const found = names.map((n) => ctx.workbook.worksheets.getItemOrNullObject(n));
    found.forEach((s) => s.load('isNullObject'));
    await ctx.sync();
    return names.filter((_, i) => !found[i].isNullObject);
  };
  const before = await present();
  for (const name of before) ctx.workbook.worksheets.getItem(name).delete();
  await ctx.sync();
  return present();
}
