/**
 * A1 addresses from zero-based indexes and back. Pure: used by the adapter, the task pane (to turn a
 * problem's row/column into a clickable cell) and the tests.
 */

/** 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`Column index must be a whole number ≥ 0, got ${index}`);
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** A → 0, AA → 26. */
export function columnIndex(letters: string): number {
  const up = letters.trim().toUpperCase();
  if (!/^[A-Z]{1,3}$/.test(up)) throw new RangeError(`Not a column name: ${letters}`);
  let n = 0;
  for (const ch of up) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** (row 0, col 1) → B1. */
export function cellAddress(row: number, col: number): string {
  return `${columnLetter(col)}${row + 1}`;
}

/** Top-left + size → `B2:D10` (a single cell stays `B2`). */
export function blockAddress(row: number, col: number, rows: number, cols: number): string {
  const first = cellAddress(row, col);
  if (rows <= 1 && cols <= 1) return first;
  return `${first}:${cellAddress(row + rows - 1, col + cols - 1)}`;
}

/** Sheet-qualified address, quoting the sheet name the way Excel does (`'Crego Log'!A1`). */
export function qualify(sheet: string, address: string): string {
  // Excel also quotes a name that reads as a cell (`Q1`, `ABC12`) or an R1C1 reference (`R2C3`).
  const needsQuotes = /[^A-Za-z0-9_]/.test(sheet) || /^\d/.test(sheet) || /^[A-Za-z]{1,3}\d+$/.test(sheet) || /^[Rr]\d*[Cc]?\d*$/.test(sheet);
  const name = needsQuotes ? `'${sheet.replace(/'/g, "''")}'` : sheet;
  return `${name}!${address}`;
}

export interface CellRef {
  sheet?: string;
  row: number;
  col: number;
}

/** `B3`, `Sheet1!B3` or `'Crego Log'!$B$3` (first cell of a range) → zero-based row/col. */
export function parseCell(address: string): CellRef {
  let sheet: string | undefined;
  let rest = address.trim();
  const bang = rest.lastIndexOf('!');
  if (bang >= 0) {
    sheet = rest.slice(0, bang);
    if (sheet.startsWith("'") && sheet.endsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
    rest = rest.slice(bang + 1);
  }
  const m = /^\$?([A-Za-z]{1,3})\$?(\d+)/.exec(rest);
  if (!m) throw new RangeError(`Not a cell address: ${address}`);
  return { sheet, row: Number(m[2]) - 1, col: columnIndex(m[1]) };
}
