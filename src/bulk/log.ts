/**
 * One log entry per push (batch) or status check: when, environment, sheet, counts, batch id, and each
 * pending row that settled (posted or rejected, with Crego's reason). The CLI appends it to
 * `<file>.crego-log.csv`; the task pane appends `logRow()` to a `Crego Log` sheet.
 */
import type { PushReport } from './push';
import { stamp } from './results';

export const LOG_SHEET_NAME = 'Crego Log';
export const LOG_HEADERS = ['When', 'Environment', 'Sheet', 'Kind', 'Batch id', 'Dry run', 'Posted', 'Failed', 'Invalid', 'Skipped', 'Cancelled', 'Pending', 'Rejected', 'Settled', 'Unknown'] as const;
// `Unknown` (rows of unknown outcome) came last, after logs already existed: appended at the end, so an older
// log's columns stay where they were, and its header gets the new name (`csvWithCurrentHeader`, the pane's
// appendLog). Since then `Failed` no longer counts rows of unknown outcome: Failed + Unknown compares with an
// older row's Failed.
/** Longest Settled text (a cell takes 32,767 characters; a log line should stay readable). */
const MAX_SETTLED_TEXT = 2000;

export interface LogContext {
  environment: string;
  /** Workbook file and/or sheet name, as the person knows it. */
  sheet: string;
}

export function logRow(report: PushReport, ctx: LogContext): Array<string | number> {
  const c = report.counts;
  return [
    stamp(report.finishedAt), ctx.environment, ctx.sheet, report.kind, report.batchId, report.dryRun ? 'yes' : 'no',
    c.posted, c.failed, c.invalid, c.skipped, report.cancelled ? 'yes' : 'no', c.pending, c.rejected, settledText(report), c.unknown,
  ];
}

/** `row 4 (HDFC…) posted; row 9 (ICIC…) rejected: reason`, cut at MAX_SETTLED_TEXT. */
function settledText(report: PushReport): string {
  const text = report.settlements
    .map((s) => `row ${s.row} (${s.key}) ${s.status}${s.reason ? `: ${s.reason}` : ''}`)
    .join('; ');
  return text.length > MAX_SETTLED_TEXT ? `${text.slice(0, MAX_SETTLED_TEXT - 1)}…` : text;
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (with newline) for a row of plain values. */
export function csvLine(values: ReadonlyArray<string | number>): string {
  return `${values.map(csvField).join(',')}\n`;
}

/**
 * A CSV log an older version started, its header row extended with the columns added since (its rows
 * kept as they are); null when the header is already current or is not one of ours (left alone).
 */
export function csvWithCurrentHeader(text: string): string | null {
  const header = csvLine([...LOG_HEADERS]);
  const end = text.indexOf('\n');
  const first = (end < 0 ? text : text.slice(0, end)).replace(/\r$/, '');
  if (`${first}\n` === header || !header.startsWith(`${first},`)) return null;
  return header + (end < 0 ? '' : text.slice(end + 1));
}
