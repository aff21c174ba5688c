/** Number formats and light styling. */
import { blockAddress } from './address';
import type { Ctx } from './run';

/**
 * Rupees with Indian digit grouping (₹ 1,20,000.00). Excel applies the 2-digit lakh/crore grouping
 * in an en-IN locale; in other locales it shows standard thousands grouping, still with ₹.
 */
export const INR_FORMAT = '₹ #,##,##0.00';
/** Dates as 05-Jan-2024: unambiguous between dd/mm and mm/dd readers. */
export const DATE_FORMAT = 'dd-mmm-yyyy';
/** Date and time (for "Posted at"). */
export const DATETIME_FORMAT = 'dd-mmm-yyyy hh:mm';
/** Text: what is typed stays exactly as typed (ids with leading zeros, UTRs). */
export const TEXT_FORMAT = '@';
export const INTEGER_FORMAT = '0';

/** Apply one number format to a block (rows × cols) starting at (row, col). */
export function setNumberFormat(ctx: Ctx, sheetName: string, row: number, col: number, rows: number, cols: number, format: string): void {
  if (rows <= 0 || cols <= 0) return;
  const range = ctx.workbook.worksheets.getItem(sheetName).getRangeByIndexes(row, col, rows, cols);
  range.numberFormat = Array.from({ length: rows }, () => Array<string>(cols).fill(format));
}

/** Bold header text on a fill, as a title row outside tables. */
export function styleHeader(ctx: Ctx, sheetName: string, row: number, col: number, cols: number, fill = '#DEECF9'): void {
  const range = ctx.workbook.worksheets.getItem(sheetName).getRangeByIndexes(row, col, 1, cols);
  range.format.font.bold = true;
  range.format.fill.color = fill;
}

/** Width to fit contents of the given columns. */
export function autofitColumns(ctx: Ctx, sheetName: string, col: number, cols: number): void {
  ctx.workbook.worksheets.getItem(sheetName).getRange(blockAddress(0, col, 1, cols)).getEntireColumn().format.autofitColumns();
}
