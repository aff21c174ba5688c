/**
 * The template as plain values (host-free): stamp row, header row (user columns then result columns)
 * and one example row whose Status is `example`, so it is never sent. The CLI turns these into an
 * .xlsx with dropdowns and notes; the task pane writes them into a new sheet.
 */
import type { CellValue } from './cells';
import type { SheetKind } from './kinds/types';
import { EMPTY_RESULT, RESULT_HEADERS, resultToValues } from './results';
import { stampText } from './sheet';

export const EXAMPLE_MESSAGE = 'Example row: never sent. Type over it (and clear this Status) or delete the row.';

export function exampleRow(kind: SheetKind): CellValue[] {
  return [...kind.columns.map((c) => c.example), ...resultToValues({ ...EMPTY_RESULT, status: 'example', message: EXAMPLE_MESSAGE })];
}

/** Rows 1–3 of a template: stamp, headers, example. */
export function templateRows(kind: SheetKind): CellValue[][] {
  const stamp: CellValue[] = [stampText(kind)];
  return [stamp, [...kind.columns.map((c) => c.header), ...RESULT_HEADERS], exampleRow(kind)];
}
