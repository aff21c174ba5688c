/**
 * Where things are in a sheet's values: the optional version stamp, the header row, which column
 * holds which API field, and where the add-in's result columns sit (found again by their headers,
 * or placed right of the last non-blank column so nothing the user typed is covered).
 */
import { isBlank, type CellValue } from './cells';
import { TEMPLATE_VERSION } from './kinds';
import type { SheetKind } from './kinds/types';
import { RESULT_HEADERS } from './results';

export class SheetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SheetError';
  }
}

export interface SheetLayout {
  /** 0-based index into values of the header row. */
  headerIndex: number;
  /** Template version from the stamp, or null for a sheet without one (e.g. a CSV). */
  version: number | null;
  /** API field → 0-based column. Optional columns missing from the sheet are absent. */
  columns: Map<string, number>;
  /** 0-based column of the first result column (Status). */
  resultColumn: number;
  /** True when the result headers were already in the sheet. */
  resultColumnsPresent: boolean;
}

/** `Crego records template v1`: the stamp in the first cell of a template. */
export const STAMP_PATTERN = /^Crego (records|fees|topups) template v(\d+)/i;

export function stampText(kind: SheetKind): string {
  return `Crego ${kind.name} template v${TEMPLATE_VERSION}`;
}

/** Header text → comparable form: `Payment mode`, `payment_mode`, `PAYMENT-MODE` all read `paymentmode`. */
export function normaliseHeader(v: CellValue): string {
  return typeof v === 'string' ? v.toLowerCase().replace(/[^a-z0-9]/g, '') : '';
}

const HEADER_SCAN_ROWS = 10;

/** Column letters of a 1-based column number: 1 → A, 28 → AB. */
export function columnLetters(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

export function locateLayout(kind: SheetKind, values: readonly (readonly CellValue[])[]): SheetLayout {
  const stamp = values.length > 0 && typeof values[0][0] === 'string' ? STAMP_PATTERN.exec(values[0][0]) : null;
  if (stamp && stamp[1].toLowerCase() !== kind.name) {
    throw new SheetError(`This sheet is a ${stamp[1].toLowerCase()} template, not ${kind.name}; push it as ${stamp[1].toLowerCase()}.`);
  }
  const version = stamp ? Number(stamp[2]) : null;
  if (version !== null && version > TEMPLATE_VERSION) {
    throw new SheetError(`This sheet was made by a newer Crego template (v${version}); this version reads v${TEMPLATE_VERSION}. Update the add-in.`);
  }

  const wanted = kind.columns.map((c) => ({ col: c, names: [normaliseHeader(c.header), normaliseHeader(c.field)] }));
  const required = wanted.filter((w) => w.col.required);
  let best: { index: number; found: Map<string, number>; twice: Array<[string, number, number]> } | null = null;
  for (let r = 0; r < Math.min(values.length, HEADER_SCAN_ROWS); r++) {
    const found = new Map<string, number>();
    const twice: Array<[string, number, number]> = [];
    values[r].forEach((cell, c) => {
      const name = normaliseHeader(cell);
      const hit = wanted.find((w) => w.names.includes(name));
      if (!hit) return;
      const first = found.get(hit.col.field);
      if (first === undefined) found.set(hit.col.field, c);
      else twice.push([hit.col.header, first, c]);
    });
    if (!best || found.size > best.found.size) best = { index: r, found, twice };
  }
  if (best && best.twice.length > 0) {
    // Taking the first silently would send the other column's values nowhere (or the wrong ones).
    const [header, a, b] = best.twice[0];
    throw new SheetError(
      `Columns ${columnLetters(a + 1)} and ${columnLetters(b + 1)} (row ${best.index + 1}) are both ${header}; ` +
        'rename or delete one of them, so the push knows which one to send.',
    );
  }
  const missing = required.filter((w) => !best || !best.found.has(w.col.field)).map((w) => w.col.header);
  if (!best || missing.length > 0) {
    throw new SheetError(
      `This is not a ${kind.name} sheet: no header row with ${missing.join(', ')} in the first ${HEADER_SCAN_ROWS} rows. ` +
        `Expected columns: ${kind.columns.map((c) => c.header).join(', ')} (make a template with 'crego template ${kind.name}').`,
    );
  }

  const header = values[best.index];
  const statusAt = header.findIndex((v, c) => normaliseHeader(v) === 'status' && normaliseHeader(header[c + 1]) === 'cregoid');
  if (statusAt >= 0) {
    return { headerIndex: best.index, version, columns: best.found, resultColumn: statusAt, resultColumnsPresent: true };
  }
  let lastUsed = -1;
  for (const row of values) {
    for (let c = row.length - 1; c > lastUsed; c--) {
      if (!isBlank(row[c])) {
        lastUsed = c;
        break;
      }
    }
  }
  return { headerIndex: best.index, version, columns: best.found, resultColumn: lastUsed + 1, resultColumnsPresent: false };
}

export { RESULT_HEADERS };
