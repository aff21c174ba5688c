/**
 * The template as plain values (host-free): stamp row, header row (user columns then result columns)
 * and one example row whose Status is `example`, so it is never sent. The CLI turns these into an
 * .xlsx with dropdowns and notes; the task pane writes them into a new sheet.
 */
import { isBlank, parseCell, type CellValue } from './cells';
import type { SheetKind } from './kinds/types';
import type { PushReport } from './push';
import { RESULT_HEADERS } from './results';
import type { SheetLayout } from './sheet';
import { stampText } from './sheet';

export const EXAMPLE_MESSAGE = 'Example row: never sent. Type over it (and clear this Status) or delete the row.';

export function exampleRow(kind: SheetKind): CellValue[] {
  return [...kind.columns.map((c) => c.example), 'example', '', EXAMPLE_MESSAGE, '', '', ''];
}

/** Rows 1–3 of a template: stamp, headers, example. */
export function templateRows(kind: SheetKind): CellValue[][] {
  const stamp: CellValue[] = [stampText(kind)];
  return [stamp, [...kind.columns.map((c) => c.header), ...RESULT_HEADERS], exampleRow(kind)];
}

/**
 * True when a row marked `example` still holds the example's values. A person who typed real data
 * over it but left the Status gets the row treated as data, never silently dropped.
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

/** The CLI's last line and the pane's summary: `posted N, failed N, invalid N, skipped N`. */
export function summaryLine(report: Pick<PushReport, 'counts'>): string {
  const c = report.counts;
  return `posted ${c.posted}, failed ${c.failed}, invalid ${c.invalid}, skipped ${c.skipped}`;
}
