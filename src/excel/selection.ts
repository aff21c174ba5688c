/** The user's selection: where formulas go, and where "go to cell" lands. */
import { parseCell } from './address';
import type { Ctx } from './run';

export interface Selection {
  sheet: string;
  /** Address without the sheet, e.g. `B3:D9`. */
  address: string;
  row: number;
  col: number;
  rows: number;
  cols: number;
}

/** getSelectedRange() throws when several areas (or a chart) are selected: say what to do instead. */
export const ONE_AREA_MESSAGE = 'Select one cell or one block of cells (not several areas, a chart or a shape), then try again.';

async function syncSelection(ctx: Ctx): Promise<void> {
  try {
    await ctx.sync();
  } catch (error) {
    const code = (error as { code?: string } | undefined)?.code;
    if (code === 'InvalidSelection' || code === 'InvalidOperation' || code === 'GeneralException') throw new Error(ONE_AREA_MESSAGE);
    throw error;
  }
}

export async function getSelection(ctx: Ctx): Promise<Selection> {
  const range = ctx.workbook.getSelectedRange();
  range.load('address, rowIndex, columnIndex, rowCount, columnCount');
  range.worksheet.load('name');
  await syncSelection(ctx);
  const address = range.address.includes('!') ? range.address.slice(range.address.lastIndexOf('!') + 1) : range.address;
  return {
    sheet: range.worksheet.name,
    address,
    row: range.rowIndex,
    col: range.columnIndex,
    rows: range.rowCount,
    cols: range.columnCount,
  };
}

/** Put a formula in the top-left cell of the selection and return that cell's address. */
export async function insertFormulaAtSelection(ctx: Ctx, formula: string): Promise<string> {
  const cell = ctx.workbook.getSelectedRange().getCell(0, 0);
  cell.formulas = [[formula]];
  cell.load('address');
  await syncSelection(ctx);
  return cell.address;
}

/** The formula (or value, as text) in the top-left cell of the selection, with that cell's address. */
export async function readSelectedFormula(ctx: Ctx): Promise<{ address: string; formula: string }> {
  const cell = ctx.workbook.getSelectedRange().getCell(0, 0);
  cell.load('address, formulas');
  await syncSelection(ctx);
  return { address: cell.address, formula: String(cell.formulas[0][0] ?? '') };
}

/** Activate a sheet and select a cell or range on it (the "one click from its cell" of problem lists). */
export async function goTo(ctx: Ctx, sheetName: string, address: string): Promise<void> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  sheet.activate();
  sheet.getRange(address).select();
  await ctx.sync();
}

/** Goes to a sheet-qualified address like `'Crego Records'!C14`. */
export async function goToQualified(ctx: Ctx, qualified: string): Promise<void> {
  const ref = parseCell(qualified);
  if (!ref.sheet) throw new RangeError(`Address ${qualified} names no sheet`);
  const bang = qualified.lastIndexOf('!');
  await goTo(ctx, ref.sheet, qualified.slice(bang + 1));
}
