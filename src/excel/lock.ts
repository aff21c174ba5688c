/**
 * A bulk sheet is locked while a push runs. Outcomes are written by row position, so a sort, an
 * inserted or deleted row, or an edited cell during a push would put one row's outcome beside
 * another row. For the push the sheet is protected: no sorting, no inserting or deleting rows or
 * columns, no editing the user's cells; the add-in's result columns are unlocked first so it can
 * still write them, and filtering and formatting stay allowed. The protection is lifted when the
 * push ends. A sheet the user has protected already is left exactly as it is.
 *
 * The lock is also recorded in the workbook's settings, so a pane closed mid-push (or a crash)
 * does not leave the sheet locked for good: the pane lifts a recorded lock when it next starts or pushes.
 * The record names its holder (this machine's pane, `lockHolderId()`) and when it last had news: a
 * push renews it while it runs. Settings travel with the workbook, and whether they reach a co-author
 * is not documented; so a lock held elsewhere (another holder, news within LOCK_STALE_MS) is left in
 * place, and Push waits for it, instead of unlocking a sheet mid-push under someone else's rows.
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

/** A push that has given no news for this long is taken for dead: its lock may be lifted by anyone. */
export const LOCK_STALE_MS = 120_000;
/** How often a running push renews its lock's news (well inside LOCK_STALE_MS). */
export const LOCK_RENEW_MS = 30_000;

/** What the workbook setting records: the locked sheet, who holds it, when it last had news (epoch ms). */
export interface PushLockRecord {
  sheet: string;
  holder: string;
  alive: number;
}

/** The setting's value read back; a bare sheet name (older versions) is a record with no holder and no news. */
export function parseLockRecord(value: unknown): PushLockRecord | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const r = JSON.parse(value) as Partial<PushLockRecord>;
    if (r && typeof r.sheet === 'string') return { sheet: r.sheet, holder: String(r.holder ?? ''), alive: Number(r.alive) || 0 };
  } catch {
    // not JSON: an older version's bare sheet name
  }
  return { sheet: value, holder: '', alive: 0 };
}

function recordLock(ctx: Ctx, sheetName: string, holder: string, now: number): void {
  const record: PushLockRecord = { sheet: sheetName, holder, alive: now };
  ctx.workbook.settings.add(PUSH_LOCK_SETTING, JSON.stringify(record));
}

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
export async function lockSheetForPush(ctx: Ctx, sheetName: string, results: ResultBlock, holder: string, now = Date.now()): Promise<boolean> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  sheet.protection.load('protected');
  await ctx.sync();
  if (sheet.protection.protected) return false;
  if (results.rows > 0 && results.cols > 0) {
    // Stays unlocked after the push: a sheet the user protects later still takes push results.
    sheet.getRangeByIndexes(results.row, results.col, results.rows, results.cols).format.protection.locked = false;
  }
  sheet.protection.protect(PUSH_PROTECTION);
  recordLock(ctx, sheetName, holder, now);
  await ctx.sync();
  return true;
}

/** A running push renews its lock's news, so no other pane takes it for dead. */
export async function renewPushLock(ctx: Ctx, sheetName: string, holder: string, now = Date.now()): Promise<void> {
  recordLock(ctx, sheetName, holder, now);
  await ctx.sync();
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

/** What `releaseLeftoverLock` found: the sheet it unlocked, or a lock another holder's push still renews. */
export interface LeftoverLock {
  released: string | null;
  heldElsewhere: { sheet: string; quietMs: number } | null;
}

/**
 * Lift a lock an earlier push recorded but never lifted (its pane was closed mid-push): one of this
 * holder's, one from an older version, or one without news for LOCK_STALE_MS. A lock another holder
 * renewed more recently is left as it is and reported.
 */
export async function releaseLeftoverLock(ctx: Ctx, holder: string, now = Date.now()): Promise<LeftoverLock> {
  const setting = ctx.workbook.settings.getItemOrNullObject(PUSH_LOCK_SETTING);
  setting.load('isNullObject, value');
  await ctx.sync();
  const record = setting.isNullObject ? null : parseLockRecord(setting.value);
  if (!record) return { released: null, heldElsewhere: null };
  const quietMs = Math.max(0, now - record.alive);
  if (record.holder !== '' && record.holder !== holder && quietMs < LOCK_STALE_MS) return { released: null, heldElsewhere: { sheet: record.sheet, quietMs } };
  await unlockSheetAfterPush(ctx, record.sheet);
  return { released: record.sheet, heldElsewhere: null };
}

/** The sentence for a lock another push holds. */
export function heldElsewhereMessage(held: { sheet: string; quietMs: number }): string {
  return (
    `${held.sheet} is locked by a push running in another Excel (a co-author, or this workbook open elsewhere); ` +
    `its last news came ${Math.round(held.quietMs / 1000)} s ago. Push again when it ends: a lock with no news for ` +
    `${LOCK_STALE_MS / 60_000} minutes is lifted by the next push.`
  );
}
