/**
 * Values that go into cells. Excel parses a string written through `range.values` the way it parses
 * typing: `=SUM(A1)` becomes a formula, `+1` a number, `@x` an implicit-intersection formula. A
 * server string (a remark, an error message, a borrower name) must never do that, so every string
 * from outside is passed through `cellText` before it is written. The leading apostrophe is Excel's
 * own "quote prefix": the cell shows and stores the text without it, and it is never a formula.
 */

/** Anything a caller hands us (the bulk engine's cells are `unknown`); written via `cellValue`. */
export type CellInput = unknown;
export type CellOut = string | number | boolean;

/** Characters that make Excel read a typed string as a formula or a number expression. */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/** A string made safe to write as a value (text stays text). */
export function cellText(text: string): string {
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}

/**
 * Any value we write: numbers and booleans as they are, null/undefined as an empty cell, strings
 * (and anything else, as text) through `cellText`. Non-finite numbers become empty cells.
 */
export function cellValue(value: CellInput): CellOut {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (typeof value === 'boolean') return value;
  return cellText(String(value));
}

/** A 2-D block through `cellValue`. */
export function cellBlock(rows: readonly (readonly CellInput[])[]): CellOut[][] {
  return rows.map((row) => row.map(cellValue));
}

/** Pad ragged rows to one width so a block can be written in one assignment (Excel requires it). */
export function rectangular<T>(rows: readonly (readonly T[])[], fill: T): T[][] {
  const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
  return rows.map((r) => (r.length === width ? [...r] : [...r, ...Array<T>(width - r.length).fill(fill)]));
}
