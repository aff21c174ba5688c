/**
 * Writing to the workbook's Crego Log: push batches (the bulk engine's `logRow`) and refreshes, in
 * the bulk engine's columns, so the Activity list reads one sheet.
 */
import { LOG_HEADERS } from '../bulk/log';
import { stamp } from '../bulk/results';
import { appendLog } from '../excel/log';
import { excelRun } from '../excel/run';

export const LOG_COLUMNS: readonly string[] = LOG_HEADERS;

/** One refresh line: When, Environment, Sheet (what was refreshed), Kind = refresh. */
export async function logRefresh(environment: string, what: string, nowMs = Date.now()): Promise<void> {
  const row = [stamp(nowMs), environment, what, 'refresh'];
  await excelRun((ctx) => appendLog(ctx, LOG_COLUMNS, [row]));
}

export async function logRows(rows: readonly (readonly (string | number)[])[]): Promise<void> {
  await excelRun((ctx) => appendLog(ctx, LOG_COLUMNS, rows));
}
