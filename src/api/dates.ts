/**
 * The one place where dates cross between Excel and the Crego API.
 *
 * - Excel stores a date as a serial number: days since 1899-12-30 (the 1900 leap-year bug only
 *   matters before 1900-03-01, which no loan touches).
 * - Crego sends epoch seconds. A *business date* (a due date, a payment date, `as_of_date`) is the
 *   end of that calendar day in India: `1704479399.999999` is 2024-01-05 23:59:59.999999 IST.
 * - India has one offset all year (UTC+05:30, no daylight saving), so the zone is a constant here
 *   rather than a tz database look-up; `TIMEZONE` names it for anything that prints it.
 */

export const TIMEZONE = 'Asia/Kolkata';
/** Asia/Kolkata's fixed offset from UTC, in seconds (+05:30). */
export const IST_OFFSET_SECONDS = 19_800;
const SECONDS_PER_DAY = 86_400;
/** Excel serial of 1970-01-01. */
const EXCEL_EPOCH_SERIAL = 25_569;
/** How far before midnight a business date's instant sits (Crego's example ends in .999999). */
const END_OF_DAY_MARGIN = 0.000001;

function assertFinite(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${what} must be a finite number`);
}

/**
 * How a business date is stamped on the wire. Crego's first-platform example is the end of the IST day
 * (`…59.999999`); newer-platform tenants may stamp its start (00:00 IST), their default. An API profile
 * chooses (`businessDateEncoding`); reading accepts both, since both fall on the same IST calendar day.
 */
export type BusinessDateEncoding = 'end_of_day' | 'start_of_day';
export const BUSINESS_DATE_ENCODINGS: readonly BusinessDateEncoding[] = ['end_of_day', 'start_of_day'];

/**
 * Names of the request fields and query parameters that carry business dates. What the client re-stamps
 * for a `start_of_day` profile (see `stampBusinessDates`); instants such as `created_at` are never among them.
 */
export const BUSINESS_DATE_FIELDS: ReadonlySet<string> = new Set([
  'date', 'bank_date', 'due_date', 'as_of_date', 'start_date', 'first_due_date', 'disbursal_date', 'date_from', 'date_to',
]);

/** The instant that stamps the IST calendar day `epochSeconds` falls on, in `encoding`. */
export function stampBusinessDate(epochSeconds: number, encoding: BusinessDateEncoding): number {
  const serial = epochToExcelSerial(epochSeconds);
  const end = excelSerialToEpoch(serial);
  return encoding === 'end_of_day' ? end : end + END_OF_DAY_MARGIN - SECONDS_PER_DAY;
}

/**
 * A request body or query with its business dates (numbers under `BUSINESS_DATE_FIELDS`, also inside a
 * bulk request's `items`) stamped in `encoding`. The add-in builds every date at the end of the day, so
 * `end_of_day` returns the value untouched.
 */
export function stampBusinessDates<T>(value: T, encoding: BusinessDateEncoding): T {
  if (encoding === 'end_of_day' || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => stampBusinessDates(v, encoding)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'number' && Number.isFinite(v) && BUSINESS_DATE_FIELDS.has(k)) out[k] = stampBusinessDate(v, encoding);
    else if (k === 'items' && Array.isArray(v)) out[k] = stampBusinessDates(v, encoding);
    else out[k] = v;
  }
  return out as T;
}

/** Excel serial date (any time-of-day fraction is ignored) → the business date's epoch seconds (end of day IST). */
export function excelSerialToEpoch(serial: number): number {
  assertFinite(serial, 'Excel date');
  const day = Math.floor(serial);
  const utcMidnight = (day - EXCEL_EPOCH_SERIAL) * SECONDS_PER_DAY;
  return utcMidnight + SECONDS_PER_DAY - IST_OFFSET_SECONDS - END_OF_DAY_MARGIN;
}

/**
 * Epoch seconds → the Excel serial of the calendar day it falls on in India (whole number). A business
 * date stamped at either end of the IST day (00:00 or 23:59:59.999999) reads as the same day.
 */
export function epochToExcelSerial(epochSeconds: number): number {
  assertFinite(epochSeconds, 'Epoch seconds');
  return Math.floor((epochSeconds + IST_OFFSET_SECONDS) / SECONDS_PER_DAY) + EXCEL_EPOCH_SERIAL;
}

/** Epoch seconds → Excel serial date-time in IST wall-clock time (keeps the time of day). */
export function epochToExcelDateTime(epochSeconds: number): number {
  assertFinite(epochSeconds, 'Epoch seconds');
  return (epochSeconds + IST_OFFSET_SECONDS) / SECONDS_PER_DAY + EXCEL_EPOCH_SERIAL;
}

/** Excel serial date-time read as IST wall-clock time → the exact instant in epoch seconds. */
export function excelDateTimeToEpoch(serial: number): number {
  assertFinite(serial, 'Excel date-time');
  return (serial - EXCEL_EPOCH_SERIAL) * SECONDS_PER_DAY - IST_OFFSET_SECONDS;
}

/**
 * A workbook's date system. A Mac-born workbook may count days from 1 Jan 1904 instead of from
 * 1900: its serials are 1,462 lower for the same day. Everything in this module speaks the 1900
 * system; a serial crosses to or from a 1904 workbook only through the two functions below.
 */
export type DateSystem = 1900 | 1904;

/** 1 Jan 1904 is serial 1462 in the 1900 system and 0 in the 1904 system. */
export const DATE_1904_OFFSET = 1462;

/** A serial of `system` as the 1900-system serial of the same day and time. */
export function to1900Serial(serial: number, system: DateSystem): number {
  return system === 1904 ? serial + DATE_1904_OFFSET : serial;
}

/** A 1900-system serial as the serial of the same day and time in `system` (what a cell must hold). */
export function from1900Serial(serial: number, system: DateSystem): number {
  return system === 1904 ? serial - DATE_1904_OFFSET : serial;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` → Excel serial; `null` when the text is not a real calendar date. */
export function isoDateToExcelSerial(text: string): number | null {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / 1000 / SECONDS_PER_DAY + EXCEL_EPOCH_SERIAL;
}

/** Excel serial → `YYYY-MM-DD`. */
export function excelSerialToIsoDate(serial: number): string {
  assertFinite(serial, 'Excel date');
  const ms = (Math.floor(serial) - EXCEL_EPOCH_SERIAL) * SECONDS_PER_DAY * 1000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch seconds → the IST calendar date `YYYY-MM-DD`. */
export function epochToIsoDate(epochSeconds: number): string {
  return excelSerialToIsoDate(epochToExcelSerial(epochSeconds));
}

/** `YYYY-MM-DD` → the business date's epoch seconds (end of day IST); `null` when invalid. */
export function isoDateToEpoch(text: string): number | null {
  const serial = isoDateToExcelSerial(text);
  return serial === null ? null : excelSerialToEpoch(serial);
}

/** Today's date in India as an Excel serial (for "not in the future" checks). */
export function todayExcelSerial(now: number = Date.now()): number {
  return epochToExcelSerial(now / 1000);
}

/** "HH:MM IST" of an instant, for "data as of" stamps. */
export function formatIstTime(epochSeconds: number): string {
  const wall = new Date((epochSeconds + IST_OFFSET_SECONDS) * 1000);
  const hh = String(wall.getUTCHours()).padStart(2, '0');
  const mm = String(wall.getUTCMinutes()).padStart(2, '0');
  return `${hh}:${mm} IST`;
}

/**
 * The last `count` month-ends before today's month in India, oldest first, as `YYYY-MM-DD`
 * (on 6 Dec 2026, two of them: 2026-10-31, 2026-11-30). Risk tables are read at month-ends.
 */
export function lastMonthEnds(count: number, now: number = Date.now()): string[] {
  const [year, month] = excelSerialToIsoDate(todayExcelSerial(now)).split('-').map(Number) as [number, number];
  const out: string[] = [];
  // Day 0 of a month is the last day of the month before it.
  for (let back = count; back >= 1; back--) out.push(new Date(Date.UTC(year, month - back, 0)).toISOString().slice(0, 10));
  return out;
}
