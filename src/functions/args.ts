/**
 * Turning what Excel passes into what the API needs. Excel hands an omitted optional argument
 * over as `null` (the CLI as `undefined`), a blank cell as `''` or `0`, a range as a matrix, and
 * a date as a serial number; every rule for that lives here, with a message naming the argument
 * and the fix when the value cannot be used.
 */
import { excelSerialToEpoch, isoDateToExcelSerial, to1900Serial, type DateSystem } from '../api/dates';
import { CATALOG, findField, type FieldSpec } from './catalog';
import { badArgument } from './errors';

/** True for an omitted argument or a blank cell. */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** A scalar or a range → its cells, row by row. */
export function cellsOf(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  // One cell (the common case in a recalculation wave): no flattening.
  if (value.length === 1 && Array.isArray(value[0])) return value[0] as unknown[];
  return value.flatMap((row) => (Array.isArray(row) ? row : [row]));
}

/** Shape of a range argument: a single row with several cells spills across, anything else down. */
export function isRow(value: unknown): boolean {
  return Array.isArray(value) && value.length === 1 && Array.isArray(value[0]) && value[0].length > 1;
}

/** A single column of several cells (field names typed down a column). */
export function isColumn(value: unknown): boolean {
  return Array.isArray(value) && value.length > 1 && value.every((row) => Array.isArray(row) && row.length === 1);
}

/**
 * A list argument must be one column or one row: the spill lines up with it. A block of several
 * rows and columns (say ids and borrower names selected together) is refused rather than flattened
 * into a spill whose rows no longer match the sheet's.
 */
export function requireOneDimension(value: unknown, argName: string, what: string): void {
  if (!Array.isArray(value) || value.length < 2) return;
  const cols = Math.max(...value.map((row) => (Array.isArray(row) ? row.length : 1)));
  if (cols > 1) throw badArgument(`${argName} takes one column or one row of ${what}, not a ${value.length}×${cols} range`);
}

const MAX_ID_LENGTH = 100;

/** An account id from a cell: text or a whole number, trimmed. `null` for a blank cell. */
export function accountIdOf(value: unknown, argName = 'accountId'): string | null {
  if (isBlank(value)) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value !== 'string') throw badArgument(`${argName} must be a Crego account id (text), got ${describe(value)}`);
  const id = value.trim();
  if (id.length > MAX_ID_LENGTH || /[\s/?#]/.test(id)) {
    throw badArgument(`${argName} '${shorten(id)}' is not a Crego account id (no spaces or slashes; copy it from CREGO.LOANS)`);
  }
  return id;
}

/** A required single account id. */
export function requireAccountId(value: unknown, argName = 'accountId'): string {
  const scalar = Array.isArray(value) ? cellsOf(value) : [value];
  if (scalar.length !== 1) throw badArgument(`${argName} takes one account id here, not a range of ${scalar.length} cells`);
  const id = accountIdOf(scalar[0], argName);
  if (id === null) throw badArgument(`${argName} is empty: give a Crego account id (CREGO.LOANS() lists them)`);
  return id;
}

/** A field name of one function's catalogue; unknown names say where the valid ones are listed. */
export function fieldOf(what: string, value: unknown, argName = 'field'): FieldSpec {
  if (typeof value !== 'string' || isBlank(value)) {
    throw badArgument(`${argName} must be a ${what} field name; =CREGO.FIELDS("${what}") lists them`);
  }
  const spec = findField(what, value);
  if (!spec) {
    throw badArgument(`Unknown ${what} field '${shorten(value.trim())}'; =CREGO.FIELDS("${what}") lists the valid names`);
  }
  return spec;
}

/** Optional field: `null` when omitted. */
export function optionalFieldOf(what: string, value: unknown, argName = 'field'): FieldSpec | null {
  const cells = cellsOf(value);
  if (cells.length === 1 && isBlank(cells[0])) return null;
  if (Array.isArray(value) && cells.length > 1) throw badArgument(`${argName} takes one field name here, not a range`);
  if (Array.isArray(value) && cells.length === 0) return null;
  return fieldOf(what, cells[0], argName);
}

/**
 * What a cell holds, as a plain value. Date parameters are `any` (Excel hands text to them as typed),
 * and with `allowCustomDataForDataTypeAny` an `any` parameter receives a data type as the object
 * itself: a date shown by another CREGO cell arrives as `{type: 'Double', basicValue, numberFormat}`.
 */
export function basicValueOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const cellValue = value as { type?: unknown; basicValue?: unknown };
  return typeof cellValue.type === 'string' && 'basicValue' in cellValue ? cellValue.basicValue : value;
}

/**
 * An optional date argument → epoch seconds (end of the IST business day), or `undefined` when
 * omitted. A blank cell arrives as 0, which no loan date can be, so 0 counts as omitted.
 * ISO text (`2024-01-05`) is read here, in one place, whatever Excel's locale: the date parameters
 * are `any`, so Excel passes text as typed (what it does with text given to a `number` parameter is
 * not documented). `dates` is the workbook's date system (a 1904 workbook's serials are 1,462 lower
 * for the same day).
 */
export function optionalDate(cellValue: unknown, argName: string, dates: DateSystem): number | undefined {
  const value = basicValueOf(cellValue);
  if (isBlank(value) || value === 0) return undefined;
  let serial: number | null = null;
  // A number is a serial of the workbook's date system; ISO text names the day itself.
  if (typeof value === 'number') serial = to1900Serial(value, dates);
  else if (typeof value === 'string') {
    serial = /^\s*\d+(\.\d+)?\s*$/.test(value) ? to1900Serial(Number(value), dates) : isoDateToExcelSerial(value);
  }
  if (serial === null || !Number.isFinite(serial) || serial < 1 || serial > 2958465) {
    throw badArgument(`${argName} must be a date (an Excel date or YYYY-MM-DD), got ${describe(value)}`);
  }
  return excelSerialToEpoch(serial);
}

/** A required number within bounds. */
export function numberOf(value: unknown, argName: string, rule: { min?: number; max?: number; integer?: boolean; above?: number }): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const fix = [
    rule.integer ? 'a whole number' : 'a number',
    rule.above !== undefined ? `above ${rule.above}` : '',
    rule.min !== undefined ? `at least ${rule.min}` : '',
    rule.max !== undefined ? `at most ${rule.max}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const bad =
    !Number.isFinite(n) ||
    (rule.integer && !Number.isInteger(n)) ||
    (rule.above !== undefined && n <= rule.above) ||
    (rule.min !== undefined && n < rule.min) ||
    (rule.max !== undefined && n > rule.max);
  if (bad) throw badArgument(`${argName} must be ${fix}, got ${describe(value)}`);
  return n;
}

/** An optional TRUE/FALSE (blank = the default). */
export function optionalBool(value: unknown, argName: string, fallback: boolean): boolean {
  if (isBlank(value)) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw badArgument(`${argName} must be TRUE or FALSE, got ${describe(value)}`);
}

/** An optional choice from a fixed list (case-insensitive); blank = none. */
export function optionalChoice<T extends string>(value: unknown, argName: string, choices: readonly T[]): T | undefined {
  if (isBlank(value)) return undefined;
  const text = String(value).trim().toLowerCase();
  const hit = choices.find((c) => c.toLowerCase() === text);
  if (!hit) throw badArgument(`${argName} must be one of ${choices.join(', ')}; got ${describe(value)}`);
  return hit;
}

/** Optional free text (trimmed); blank = none. */
export function optionalText(value: unknown): string | undefined {
  return isBlank(value) ? undefined : String(value).trim();
}

/** Which catalogue `FIELDS(what)` means; blank = all. */
export function catalogNameOf(value: unknown): string | undefined {
  if (isBlank(value)) return undefined;
  const name = String(value).trim().toUpperCase().replace(/^CREGO\./, '');
  if (!CATALOG[name]) throw badArgument(`FIELDS knows ${Object.keys(CATALOG).join(', ')}; got ${describe(value)}`);
  return name;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${shorten(value)}'`;
  if (Array.isArray(value)) return 'a range';
  return String(value);
}
