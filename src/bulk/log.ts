/**
 * One log entry per push (batch): when, environment, sheet, counts, batch id. The CLI appends it to
 * `<file>.crego-log.csv`; the task pane appends `logRow()` to a `Crego Log` sheet.
 */
import type { PushReport } from './push';
import { stamp } from './results';

export const LOG_SHEET_NAME = 'Crego Log';
export const LOG_HEADERS = ['When', 'Environment', 'Sheet', 'Kind', 'Batch id', 'Dry run', 'Posted', 'Failed', 'Invalid', 'Skipped', 'Cancelled'] as const;

export interface LogContext {
  environment: string;
  /** Workbook file and/or sheet name, as the person knows it. */
  sheet: string;
}

export function logRow(report: PushReport, ctx: LogContext): Array<string | number> {
  const c = report.counts;
  return [
    stamp(report.finishedAt), ctx.environment, ctx.sheet, report.kind, report.batchId, report.dryRun ? 'yes' : 'no',
    c.posted, c.failed, c.invalid, c.skipped, report.cancelled ? 'yes' : 'no',
  ];
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (with newline) for a row of plain values. */
export function csvLine(values: ReadonlyArray<string | number>): string {
  return `${values.map(csvField).join(',')}\n`;
}
