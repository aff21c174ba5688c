/**
 * A bulk sheet is locked while a push runs. Outcomes are written by row position, so a sort, an
 * inserted or deleted row, or an edited cell during a push would put one row's outcome beside
 * another row. For the push the sheet is protected: no sorting, no inserting or deleting rows or
 * columns, no editing the user's cells; the add-in's result columns are unlocked first so it can
 * still write them, and filtering and formatting stay allowed. The protection is lifted when the
 * push ends. A sheet the user has protected already is left exactly as it is.
 *
 * The lock is also recorded in the workbook's settings, so a pane closed mid-push (or a crash)
 * does not leave the sheet locked for good: the pane lifts a recorded lock when it next starts.
 * Needs ExcelApi 1.7 (unprotect) and 1.4 (settings): `canLockSheets()` says whether the host has them.
 */
import { supportsExcelApi, type Ctx } from './run';

/** Workbook setting naming the sheet the add-in protected for a push (absent when none). */
export const PUSH_LOCK_SETTING = 'crego.pushLock';

/**
 * What a protected sheet still lets the user do during a push: look, filter, format. Everything
 * that moves rows or changes the user's values is refused by Excel with its own message.
 */
export const PUSH_PROTECTION: Excel.WorksheetProtectionOptions = {
  allowAutoFilter: true,
  allowFormatCells: true,
  allowFormatColumns: true,
  allowFormatRows: true,
  allowSort: false,
  allowInsertRows: false,
  allowDeleteRows: false,
  allowInsertColumns: false,
  allowDeleteColumns: false,
  allowInsertHyperlinks: false,
  allowPivotTables: false,
  allowEditObjects: false,
  allowEditScenarios: false,
};

/** The block of result cells a push writes (zero-based sheet row and column, size). */
export interface ResultBlock {
  row: number;
  col: number;
  rows: number;
  cols: number;
}

export function canLockSheets(): boolean {
  return supportsExcelApi('1.7');
}

/**
 * Protect `sheetName` for a push, its result block left writable. Returns false (and changes
 * nothing) when the sheet is protected already: the user's protection stays theirs.
 */
export async function lockSheetForPush(ctx: Ctx, sheetName: string, results: ResultBlock): Promise<boolean> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  sheet.protection.load('protected');
  await ctx.sync();
  if (sheet.protection.protected) return false;
  if (results.rows > 0 && results.cols > 0) {
    // Stays unlocked after the push: a sheet the user protects later still takes push results.
    sheet.getRangeByIndexes(results.row, results.col, results.rows, results.cols).format.protection.locked = false;
  }
  sheet.protection.protect(PUSH_PROTECTION);
  ctx.workbook.settings.add(PUSH_LOCK_SETTING, sheetName);
  await ctx.sync();
  return true;
}

/** Lift the push's protection of `sheetName` and forget the record of it. */
export async function unlockSheetAfterPush(ctx: Ctx, sheetName: string): Promise<void> {
  const sheet = ctx.workbook.worksheets.getItemOrNullObject(sheetName);
  const setting = ctx.workbook.settings.getItemOrNullObject(PUSH_LOCK_SETTING);
  sheet.load('isNullObject');
  setting.load('isNullObject');
  await ctx.sync();
  // Null objects are checked first: Office.js refuses an action on an object that is not there.
  if (!sheet.isNullObject) sheet.protection.unprotect();
  if (!setting.isNullObject) setting.delete();
  await ctx.sync();
}

/**
 * Lift a lock an earlier push recorded but never lifted (its pane was closed mid-push). Returns the
 * sheet it unlocked, or null when there was none.
 */
export async function releaseLeftoverLock(ctx: Ctx): Promise<string | null> {
  const setting = ctx.workbook.settings.getItemOrNullObject(PUSH_LOCK_SETTING);
  setting.load('isNullObject, value');
  await ctx.sync();
  if (setting.isNullObject || typeof setting.value !== 'string') return null;
  await unlockSheetAfterPush(ctx, setting.value);
  return setting.value;
}
