/**
 * The add-in's own result columns, to the right of the user's data. The engine reads them to know
 * what an earlier push did (posted rows are skipped, `sending` rows are reconciled) and returns
 * their new values; nothing else in the sheet is ever written. Also the push's counts and the one-line
 * summary the pane and the CLI print from them.
 */
import { epochToIsoDate, formatIstTime } from '../api/dates';
import type { CellValue } from './cells';

export const RESULT_HEADERS = ['Status', 'Crego id', 'Message', 'Posted at', 'Batch id', 'Key'] as const;
export const RESULT_WIDTH = RESULT_HEADERS.length;

/**
 * '' never pushed · `ready` valid in a dry run · `sending` write-ahead mark, set before a chunk is sent
 * (a push that died mid-way leaves it) · `unknown` sent, but the push ended without learning whether
 * Crego created it and could not look it up (it may be in Crego: the next push looks it up by key
 * before anything is sent, so it is never posted twice) · `pending` accepted by Crego, not yet applied (never sent again; re-checked until it settles)
 * · `posted` exists in Crego, applied · `rejected` refused by Crego after accepting it (final, never sent
 * again) · `failed` known not to be in Crego (refused, or never sent), retried next time · `invalid` did not pass validation
 * · `example` the template's example row, never sent.
 */
export type RowStatus = '' | 'ready' | 'sending' | 'unknown' | 'pending' | 'posted' | 'rejected' | 'failed' | 'invalid' | 'example';
const STATUSES: readonly RowStatus[] = ['', 'ready', 'sending', 'unknown', 'pending', 'posted', 'rejected', 'failed', 'invalid', 'example'];

/** Statuses that need a person (or a re-run): the rows a push lists as problems and marks. */
const PROBLEM_STATUSES = ['invalid', 'failed', 'sending', 'unknown', 'rejected'] as const satisfies readonly RowStatus[];
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];
export function isProblemStatus(s: RowStatus): s is ProblemStatus {
  return (PROBLEM_STATUSES as readonly RowStatus[]).includes(s);
}

/** Rows an earlier push may have created without knowing: looked up by key before anything is sent. */
export function isUnsettledStatus(s: RowStatus): boolean {
  return s === 'sending' || s === 'unknown';
}

export interface RowResult {
  status: RowStatus;
  id: string;
  message: string;
  /** When the status was set: `YYYY-MM-DD HH:MM IST`. */
  at: string;
  batch: string;
  /** The stable key sent for this row (its UTR / reference, or the generated one). */
  key: string;
}

/** What one push did, row by row, in numbers. */
export interface PushCounts {
  /** Created now, or found already in Crego (duplicate answer or reconciliation). */
  posted: number;
  /** Of `posted`, rows that were already in Crego. */
  alreadyThere: number;
  /** Known not to be in Crego: refused, or not sent. */
  failed: number;
  /** Outcome unknown (`unknown`, or `sending` left by a push that died): may be in Crego, checked on the next push. */
  unknown: number;
  invalid: number;
  /** Posted by an earlier push. */
  skipped: number;
  /** Dry run: valid rows that would be sent. */
  ready: number;
  /** Data rows (not blank, not the example). */
  rows: number;
  /** Accepted by Crego, not yet applied when the push ended. */
  pending: number;
  /** Refused by Crego after accepting them (this push, or an earlier one). */
  rejected: number;
}

/**
 * The CLI's last line and the pane's summary: `posted N, failed N, invalid N, skipped N, pending N, rejected N`,
 * then `, unknown N (…)` when some rows' outcome is unknown.
 */
export function summaryLine(report: { readonly counts: PushCounts }): string {
  const c = report.counts;
  const line = `posted ${c.posted}, failed ${c.failed}, invalid ${c.invalid}, skipped ${c.skipped}, pending ${c.pending}, rejected ${c.rejected}`;
  // Rows of unknown outcome may be in Crego: say what happens to them, so that no one retypes them with a new UTR
  // and posts the payment twice.
  return c.unknown > 0 ? `${line}, unknown ${c.unknown} (may be in Crego: the next push checks them first)` : line;
}

/** A push needs a person (or a re-run) when a row failed, is invalid, was rejected or its outcome is unknown; rows still pending alone do not. */
export function needsAttention(report: { readonly counts: PushCounts }): boolean {
  const c = report.counts;
  return c.failed > 0 || c.invalid > 0 || c.rejected > 0 || c.unknown > 0;
}

export type ResultValues = [string, string, string, string, string, string];

export const EMPTY_RESULT: RowResult = { status: '', id: '', message: '', at: '', batch: '', key: '' };

export function resultToValues(r: RowResult): ResultValues {
  return [r.status, r.id, r.message, r.at, r.batch, r.key];
}

function text(v: CellValue): string {
  return v === null || v === undefined ? '' : String(v).trim();
}

/** Read the result cells of one row (missing cells read as blank; unknown status text reads as ''). */
export function readResult(row: readonly CellValue[], start: number): RowResult {
  const status = text(row[start]).toLowerCase() as RowStatus;
  return {
    status: STATUSES.includes(status) ? status : '',
    id: text(row[start + 1]),
    message: text(row[start + 2]),
    at: text(row[start + 3]),
    batch: text(row[start + 4]),
    key: text(row[start + 5]),
  };
}

let lastMinute = -1;
let lastStamp = '';

/** `2026-11-26 09:30 IST`. Minute resolution, so one formatting serves every row stamped in that minute. */
export function stamp(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute !== lastMinute) {
    const s = minute * 60;
    lastStamp = `${epochToIsoDate(s)} ${formatIstTime(s)}`;
    lastMinute = minute;
  }
  return lastStamp;
}
