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
/** Ratios (PORTFOLIO's par_N and npa_share, 4 decimals) as percentages with 2 decimals. */
export const PERCENT_FORMAT = '0.00%';

/** Excel's last row (1,048,576 rows, zero-based indexes). */
export const SHEET_ROWS = 1_048_576;
/** A cell style carrying only the Text number format (fonts, fills, borders untouched). */
export const TEXT_STYLE = 'Crego Text';

/**
 * Whole columns as Text, from `row` to the sheet's last row: a key, UTR or account number typed or
 * pasted anywhere below stays as typed (`000123` keeps its zeros, 16+ digits keep their digits)
 * instead of becoming a number. Set through a cell style (Range.style, ExcelApi 1.7) because a
 * number-format array for a million rows would be a request far over Excel on the web's 5 MB.
 */
export async function setTextColumns(ctx: Ctx, sheetName: string, row: number, col: number, cols: number): Promise<void> {
  if (cols <= 0) return;
  // StyleCollection.getItemOrNullObject is ExcelApi 1.14; listing the names (1.7) works on every host we support.
  const styles = ctx.workbook.styles;
  styles.load('items/name');
  await ctx.sync();
  if (!styles.items.some((s) => s.name === TEXT_STYLE)) {
    ctx.workbook.styles.add(TEXT_STYLE);
    const added = ctx.workbook.styles.getItem(TEXT_STYLE);
    added.includeNumber = true;
    added.includeFont = false;
    added.includePatterns = false;
    added.includeBorder = false;
    added.includeAlignment = false;
    added.includeProtection = false;
    added.numberFormat = TEXT_FORMAT;
  }
  ctx.workbook.worksheets.getItem(sheetName).getRangeByIndexes(row, col, SHEET_ROWS - row, cols).style = TEXT_STYLE;
}

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
