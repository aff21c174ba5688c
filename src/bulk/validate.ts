/**
 * Row validation: every cell of a row read for its column, then the kind's cross-field checks, then
 * duplicates inside the sheet. Each problem names the row, the column and the fix:
 * `Row 14, Amount: "1,20,000.5x" is not a number; …`. Blank rows are skipped, not errors.
 */
import { todayExcelSerial } from '../api/dates';
import type { UtrScope } from '../api/profile';
import { isBlank, parseCell, show, type CellValue } from './cells';
import type { ColumnDef, RowItem, SheetKind } from './kinds/types';
import type { SheetLayout } from './sheet';

export interface RowCheck {
  /** The request item, present only when the row has no problem. */
  item: RowItem | null;
  problems: string[];
}

function headerOf(kind: SheetKind, field: string): string {
  return kind.columns.find((c) => c.field === field)?.header ?? field;
}

/** True when every column the kind reads is blank (other user columns may hold notes). */
export function isBlankRow(kind: SheetKind, layout: SheetLayout, row: readonly CellValue[]): boolean {
  for (const c of layout.columns.values()) if (!isBlank(row[c])) return false;
  return true;
}

/** Read one row; `rowNumber` is the sheet's row number used in messages. */
export function checkRow(
  kind: SheetKind,
  layout: SheetLayout,
  row: readonly CellValue[],
  rowNumber: number,
  todaySerial: number = todayExcelSerial(),
): RowCheck {
  const item: RowItem = {};
  const problems: string[] = [];
  const say = (col: Pick<ColumnDef, 'header'>, problem: string) => problems.push(`Row ${rowNumber}, ${col.header}: ${problem}`);
  for (const col of kind.columns) {
    const at = layout.columns.get(col.field);
    const v = at === undefined ? undefined : row[at];
    if (isBlank(v)) {
      if (col.required && !(col.type === 'key' && kind.keyGenerated)) say(col, `is empty; ${requiredFix(col)}`);
      else if (col.defaultValue !== undefined) item[col.field] = col.defaultValue;
      continue;
    }
    const parsed = parseCell(col, v, todaySerial);
    if (parsed.ok) item[col.field] = parsed.value;
    else say(col, parsed.problem);
  }
  // Cross-field checks run on the fields that did parse, so a row shows every problem at once, not
  // one more after each fix (each check skips itself when a field it needs is missing).
  if (kind.crossCheck) {
    for (const [field, problem] of kind.crossCheck(item)) say({ header: headerOf(kind, field) }, problem);
  }
  return { item: problems.length === 0 ? item : null, problems };
}

/**
 * True when a row marked `example` still holds the template example's values. A person who typed real
 * data over it but left the Status gets the row treated as data, never silently dropped.
 */
export function stillExample(kind: SheetKind, layout: SheetLayout, row: readonly CellValue[], todaySerial: number): boolean {
  for (const col of kind.columns) {
    const at = layout.columns.get(col.field);
    const v = at === undefined ? undefined : row[at];
    if (isBlank(v)) continue;
    const a = parseCell(col, v, todaySerial);
    const b = parseCell(col, col.example, todaySerial);
    if (!a.ok || !b.ok || a.value !== b.value) return false;
  }
  return true;
}

function requiredFix(col: ColumnDef): string {
  if (col.allowed) return `pick one of ${col.allowed.join(', ')}`;
  return `fill it in (${col.hint})`;
}

/**
 * Duplicates inside the sheet: the same key on the same account twice, or, when the API profile says a UTR
 * is unique across the tenant (`utrScope: "tenant"`, Crego's newer platform), the same UTR on any two
 * accounts. The first row keeps its place; each later one is refused, naming the earlier row, so no
 * payment is posted twice and none is sent only to be refused.
 */
export class DuplicateFinder {
  private readonly seen = new Map<string, { row: number; account: string }>();
  /** True when keys are compared across accounts (a tenant-wide UTR). */
  private readonly tenantWide: boolean;

  constructor(
    private readonly kind: SheetKind,
    utrScope: UtrScope = 'account',
  ) {
    this.tenantWide = utrScope === 'tenant' && kind.keyField === 'utr';
  }

  /**
   * Remember a key already used (e.g. a posted row); returns the problem when it repeats. `generated`:
   * the key was made from the row's content because the row has none, so the repeat is the same row twice.
   */
  claim(account: string, key: string, rowNumber: number, generated = false): string | null {
    const id = this.tenantWide ? key.toLowerCase() : `${account}\u0000${key.toLowerCase()}`;
    const first = this.seen.get(id);
    if (first !== undefined) {
      const header = headerOf(this.kind, this.kind.keyField);
      if (generated) {
        return `Row ${rowNumber}, ${header}: the same ${this.kind.noun} as row ${first.row} (every cell alike, same account) and no ${header}; if both are real, type a different ${header} in each, else delete the repeat.`;
      }
      if (first.account !== account) {
        return `Row ${rowNumber}, ${header}: ${show(key)} is already used by row ${first.row} (account ${first.account}); Crego keeps a ${header} unique across the whole tenant, so this row would be refused. Correct the ${header} of one of them.`;
      }
      return `Row ${rowNumber}, ${header}: ${show(key)} repeats row ${first.row} for the same account; each ${this.kind.noun} needs its own ${header}. Delete the repeat or correct the reference.`;
    }
    this.seen.set(id, { row: rowNumber, account });
    return null;
  }
}
