/**
 * Dropdowns (list data validation). Excel limits an inline list source to 255 characters, so longer
 * lists go into a hidden `Crego Lists` sheet and the rule points at that range.
 */
import { columnLetter, qualify } from './address';
import { cellText } from './cellValues';
import { ensureSheet } from './sheets';
import type { Ctx } from './run';

export const LISTS_SHEET = 'Crego Lists';

/**
 * What Excel stores for a data validation (MS-XLS 2.5.37 DValStrings; the Excel UI enforces the same):
 * an alert or prompt title of at most 32 characters, an error message of at most 225, an input
 * prompt of at most 255, and an inline list source of at most 255. Office.js does not say whether a
 * longer text is refused (a template would stop half-way) or cut, so nothing longer is ever sent.
 */
export const VALIDATION_LIMITS = { title: 32, prompt: 255, error: 225, listSource: 255 } as const;
const INLINE_SOURCE_LIMIT = VALIDATION_LIMITS.listSource;

/** `text` cut to `limit` characters, ending in an ellipsis when cut. */
export function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** The Stop alert of a dropdown: its title is the column's header, its message the allowed values. */
export function listErrorAlert(title: string, items: readonly string[]): Excel.DataValidationErrorAlert {
  const shown = items.slice(0, 12).join(', ') + (items.length > 12 ? ', …' : '');
  return {
    showAlert: true,
    style: 'Stop',
    title: clip(title, VALIDATION_LIMITS.title),
    message: clip(`Not an allowed value. Pick one of: ${shown}`, VALIDATION_LIMITS.error),
  };
}

/** The rule source Excel accepts: inline `a,b,c` when short and comma-free, else null. */
export function inlineListSource(items: readonly string[]): string | null {
  if (items.some((i) => i.includes(','))) return null;
  const joined = items.join(',');
  return joined.length <= INLINE_SOURCE_LIMIT ? joined : null;
}

/**
 * Put a dropdown on a block of cells. Values outside the list are refused with an error alert that
 * names the allowed values (the bulk engine re-checks on Validate anyway).
 */
export async function setListValidation(
  ctx: Ctx,
  sheetName: string,
  target: { row: number; col: number; rows: number; cols?: number },
  items: readonly string[],
  title: string,
): Promise<{ source: string }> {
  if (items.length === 0) throw new RangeError(`The dropdown for ${title} has no values`);
  let source = inlineListSource(items);
  if (source === null) source = await storeList(ctx, title, items);
  const range = ctx.workbook.worksheets
    .getItem(sheetName)
    .getRangeByIndexes(target.row, target.col, target.rows, target.cols ?? 1);
  range.dataValidation.clear();
  range.dataValidation.rule = { list: { inCellDropDown: true, source } };
  range.dataValidation.errorAlert = listErrorAlert(title, items);
  await ctx.sync();
  return { source };
}

/** Write a long list to the hidden lists sheet (one column per list title) and return its reference. */
async function storeList(ctx: Ctx, title: string, items: readonly string[]): Promise<string> {
  const { sheet, created } = await ensureSheet(ctx, LISTS_SHEET);
  if (created) sheet.visibility = 'Hidden';
  const used = sheet.getUsedRangeOrNullObject(true);
  used.load('isNullObject, values, columnCount');
  await ctx.sync();
  const headers = used.isNullObject ? [] : (used.values[0] as unknown[]).map(String);
  let col = headers.indexOf(title);
  if (col < 0) col = used.isNullObject ? 0 : used.columnCount;
  sheet.getRangeByIndexes(0, col, items.length + 1, 1).values = [[cellText(title)], ...items.map((i) => [cellText(i)])];
  const letter = columnLetter(col);
  return `=${qualify(LISTS_SHEET, `$${letter}$2:$${letter}$${items.length + 1}`)}`;
}

/** The list a cell's dropdown offers (inline or by reference), or null when it has none. */
export async function readListValidation(ctx: Ctx, sheetName: string, address: string): Promise<string[] | null> {
  const dv = ctx.workbook.worksheets.getItem(sheetName).getRange(address).dataValidation;
  dv.load('type, rule');
  await ctx.sync();
  if (dv.type !== 'List' || !dv.rule.list) return null;
  const source = String(dv.rule.list.source);
  if (!source.startsWith('=')) return source.split(',').map((s) => s.trim());
  const ref = source.slice(1);
  const bang = ref.lastIndexOf('!');
  const sheet = ref.slice(0, bang).replace(/^'|'$/g, '').replace(/''/g, "'");
  const range = ctx.workbook.worksheets.getItem(sheet).getRange(ref.slice(bang + 1).replace(/\$/g, ''));
  range.load('values');
  await ctx.sync();
  return (range.values as unknown[][]).map((r) => String(r[0])).filter((v) => v !== '');
}

