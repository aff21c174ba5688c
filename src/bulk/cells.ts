/**
 * Reading one cell as Excel (Office.js, exceljs) or a CSV file gives it: numbers, text, booleans,
 * serial dates (numbers), blanks, and in Node also Date objects. Each reader returns the API value
 * or the problem in words a person can act on; the caller adds "Row N, Column:" in front.
 */
import { excelSerialToEpoch, excelSerialToIsoDate, isoDateToExcelSerial, todayExcelSerial } from '../api/dates';
import { hasAtMostTwoDecimals, roundMoney } from '../api/money';
import type { ColumnDef } from './kinds/types';

export type CellValue = unknown;
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

/** Earliest business date accepted: anything older is almost surely a typo (e.g. 2-digit years). */
const EARLIEST_SERIAL = isoDateToExcelSerial('2000-01-01')!;
const LATEST_SERIAL = isoDateToExcelSerial('2099-12-31')!;

export function isBlank(v: CellValue): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** The value as it reads in a message: text quoted, booleans as Excel shows them. */
export function show(v: CellValue): string {
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '"invalid date"' : v.toISOString().slice(0, 10);
  return String(v);
}

/** An Excel error value as text (`#N/A`, `#VALUE!`…): never data. */
function isExcelError(v: CellValue): boolean {
  return typeof v === 'string' && /^#(N\/A|VALUE!|REF!|DIV\/0!|NUM!|NAME\?|NULL!|SPILL!|CALC!|BUSY!|GETTING_DATA)/.test(v.trim());
}

/**
 * Digits with an optional decimal part; commas only where Indian (`1,20,000`) or Western (`120,000`)
 * grouping puts them. `12,50` (a decimal comma) or `1,2345` is refused: reading it as 1250 or 12345
 * would post a different amount than the person meant.
 */
const NUMBER_TEXT = /^(\d+|\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})(\.\d+)?$/;

/**
 * The largest amount a row may carry: ₹1,00,00,00,00,000 (₹10,000 crore), far above any one payment,
 * fee or drawdown, and far below where paise stop being exact in a double (2^53 paise, about ₹90 lakh crore).
 */
export const MAX_AMOUNT = 100_000_000_000;

/** Amount in rupees: a number, or text such as `₹1,20,000.50` / `Rs. 500` (Indian or Western grouping). */
export function parseAmount(v: CellValue, allowZero = false): Parsed<number> {
  let n: number;
  if (typeof v === 'number') {
    n = v;
  } else if (typeof v === 'string') {
    const text = v.trim().replace(/^(₹|rs\.?|inr)\s*/i, '');
    const negative = /^-/.test(text) || /^\(.*\)$/.test(text);
    const digits = text.replace(/^-\s*|^\(|\)$/g, '');
    if (!NUMBER_TEXT.test(digits)) {
      if (/^\d[\d,]*(\.\d+)?$/.test(digits)) {
        return bad(`${show(v)} has commas in the wrong places; group thousands as 1,20,000.50 or 120,000.50, or leave the commas out`);
      }
      return bad(`${show(v)} is not a number; type digits with an optional decimal point, e.g. 120000.50`);
    }
    n = Number(digits.replace(/,/g, '')) * (negative ? -1 : 1);
  } else {
    return bad(`${show(v)} is not a number; type the amount in rupees, e.g. 120000.50`);
  }
  if (!Number.isFinite(n)) return bad(`${show(v)} is not a number; type the amount in rupees, e.g. 120000.50`);
  if (!Number.isSafeInteger(Math.round(Math.abs(n) * 100))) {
    return bad(`${show(v)} has more digits than an amount can hold exactly (it would be sent as ${n}); check the figure`);
  }
  if (n > MAX_AMOUNT) return bad(`${show(v)} is more than ₹1,00,00,00,00,000, the largest amount a push accepts; check the figure (a digit too many?)`);
  if (n < 0 || (n === 0 && !allowZero)) return bad(`${show(v)} must be ${allowZero ? 'zero or more' : 'more than zero'}; type the amount without a minus sign`);
  if (!hasAtMostTwoDecimals(n)) return bad(`${show(v)} has more than 2 decimals; round it to paise, e.g. ${roundMoney(n)}`);
  return ok(roundMoney(n));
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** `5-Jan-2024`, `05 Jan 2024`, `5/Jan/2024`: a month name makes the order unambiguous. */
const DAY_MONTH_NAME_YEAR = /^(\d{1,2})[\s\-/.]+([a-z]{3,9})[\s\-/.,]+(\d{4})$/i;
const NUMERIC_DATE = /^(\d{1,2})[\-/.](\d{1,2})[\-/.](\d{2,4})$/;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A date as a whole Excel serial: a serial number, a Date object (Node), ISO text or `5-Jan-2024`. */
export function parseDateSerial(v: CellValue): Parsed<number> {
  const fix = 'use a date cell or type it as YYYY-MM-DD, e.g. 2024-01-05';
  let serial: number | null = null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return bad(`${show(v)} is not a date; ${fix}`);
    serial = Math.floor(v);
  } else if (v instanceof Date) {
    // exceljs gives a date cell as a Date whose UTC fields are the wall-clock date Excel shows.
    if (Number.isNaN(v.getTime())) return bad(`is not a valid date; ${fix}`);
    serial = isoDateToExcelSerial(v.toISOString().slice(0, 10));
  } else if (typeof v === 'string') {
    const text = v.trim();
    const named = DAY_MONTH_NAME_YEAR.exec(text);
    const numeric = NUMERIC_DATE.exec(text);
    if (named) {
      const month = MONTHS.indexOf(named[2].slice(0, 3).toLowerCase()) + 1;
      if (month > 0) serial = isoDateToExcelSerial(`${named[3]}-${pad2(month)}-${pad2(Number(named[1]))}`);
    } else if (numeric) {
      // 05/01/2024 is 5 Jan in India and 1 May elsewhere: guessing corrupts dates silently.
      return bad(`${show(v)} is ambiguous (day/month or month/day?); ${fix}`);
    } else {
      serial = isoDateToExcelSerial(text);
    }
  } else {
    return bad(`${show(v)} is not a date; ${fix}`);
  }
  if (serial === null) return bad(`${show(v)} is not a valid date; ${fix}`);
  if (serial < EARLIEST_SERIAL || serial > LATEST_SERIAL) {
    return bad(`${show(v)} is outside 2000–2099; ${fix}`);
  }
  return ok(serial);
}

/** A business date for the API (epoch seconds, end of day IST), optionally refused when after today in India. */
export function parseDate(v: CellValue, notInFuture: boolean, todaySerial: number = todayExcelSerial()): Parsed<number> {
  const parsed = parseDateSerial(v);
  if (!parsed.ok) return parsed;
  if (notInFuture && parsed.value > todaySerial) {
    return bad(`${excelSerialToIsoDate(parsed.value)} is in the future (today is ${excelSerialToIsoDate(todaySerial)} in India); use the date the money actually moved`);
  }
  return ok(excelSerialToEpoch(parsed.value));
}

/**
 * Plain text; a number becomes its digits, unless Excel already rounded it (more than 15 digits).
 * `free` (remarks and other free text): only spaces are trimmed, so a leading TAB or line break is
 * kept as typed; trimming it would turn `\t=1+1` into `=1+1`, a formula to whoever opens it next.
 */
export function parseText(v: CellValue, maxLength = 255, free = false): Parsed<string> {
  let text: string;
  if (typeof v === 'string') text = free ? v.replace(/^ +| +$/g, '') : v.trim();
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || Math.abs(v) >= 1e15) {
      return bad(`${show(v)} was turned into a rounded number by Excel; format the column as Text and type it again`);
    }
    text = String(v);
  } else if (typeof v === 'boolean') text = v ? 'TRUE' : 'FALSE';
  else return bad(`${show(v)} is not text; type it again as plain text`);
  if (isExcelError(text)) return bad(`the cell shows the Excel error ${text}; fix the formula or type the value`);
  if (text.length > maxLength) return bad(`is ${text.length} characters long; shorten it to at most ${maxLength}`);
  return ok(text);
}

const KEY_TEXT = /^[A-Za-z0-9][A-Za-z0-9\-_/.]*$/;

/** A reference (UTR, ref_id): letters, digits and - _ / . only, no spaces. */
export function parseKey(v: CellValue, maxLength = 64): Parsed<string> {
  const text = parseText(v, maxLength);
  if (!text.ok) return text;
  if (!KEY_TEXT.test(text.value)) {
    return bad(`${show(text.value)} may hold only letters, digits and - _ / . (no spaces); type the reference exactly as the bank gives it`);
  }
  return text;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseUuid(v: CellValue): Parsed<string> {
  const text = parseText(v, 64);
  if (!text.ok) return text;
  if (!UUID.test(text.value)) return bad(`${show(text.value)} is not a Crego account id; copy the id (like 860bd919-1070-43b9-9099-699235217ac0) from Crego`);
  return ok(text.value.toLowerCase());
}

/** One of the allowed values, matched case-insensitively (`NEFT` → `neft`, `Late fee` → `late_fee`). */
export function parseEnum(v: CellValue, allowed: readonly string[]): Parsed<string> {
  const text = parseText(v, 64);
  if (!text.ok) return text;
  const wanted = text.value.toLowerCase().replace(/[\s\-]+/g, '_');
  const hit = allowed.find((a) => a.toLowerCase() === wanted);
  if (!hit) return bad(`${show(text.value)} is not allowed; use one of ${allowed.join(', ')}`);
  return ok(hit);
}

const TRUE_TEXT = ['true', 'yes', 'y', '1'];
const FALSE_TEXT = ['false', 'no', 'n', '0'];

export function parseBoolean(v: CellValue): Parsed<boolean> {
  if (typeof v === 'boolean') return ok(v);
  if (v === 1 || v === 0) return ok(v === 1);
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (TRUE_TEXT.includes(t)) return ok(true);
    if (FALSE_TEXT.includes(t)) return ok(false);
  }
  return bad(`${show(v)} is not TRUE or FALSE; pick TRUE or FALSE (yes/no also work)`);
}

export function parseInteger(v: CellValue, min: number, max: number): Parsed<number> {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\d+$/.test(v.trim())) n = Number(v.trim());
  else return bad(`${show(v)} is not a whole number; type digits only, e.g. 90`);
  if (!Number.isInteger(n)) return bad(`${show(v)} is not a whole number; type digits only, e.g. ${Math.round(n)}`);
  if (n < min || n > max) return bad(`${show(v)} is out of range; use a whole number from ${min} to ${max}`);
  return ok(n);
}

/** Read one cell for its column: the API value, or the problem. Blank cells are the caller's business. */
export function parseCell(col: ColumnDef, v: CellValue, todaySerial: number): Parsed<string | number | boolean> {
  // A formula's error (`#N/A`, `#DIV/0!`) is the same problem whatever the column: say so, not "not a number".
  if (isExcelError(v)) return bad(`the cell shows the Excel error ${String(v).trim()}; fix the formula or type the value`);
  switch (col.type) {
    case 'amount': return parseAmount(v, col.allowZero);
    case 'date': return parseDate(v, col.notInFuture ?? false, todaySerial);
    case 'enum': return parseEnum(v, col.allowed ?? []);
    case 'boolean': return parseBoolean(v);
    case 'integer': return parseInteger(v, col.min ?? 0, col.max ?? Number.MAX_SAFE_INTEGER);
    case 'uuid': return parseUuid(v);
    case 'key': return parseKey(v, col.maxLength);
    case 'text': return parseText(v, col.maxLength, true);
  }
}
