/**
 * What every handler shares: the request context, the answer type, and the look-ups and list helpers
 * (account by id, as_of_date, pagination, per-account listings, a row's view as of today).
 */
import { PAGINATION } from '../../api/endpoints';
import type { Engine } from '../engine';
import { HttpError, notFound, validationError } from '../errors';
import type { Evaluation } from '../ledger';
import type { UtrScope } from '../../api/settings';
import type { Settlement } from '../settlement';
import type { AccountRow } from '../store';
import { parseDayValue } from '../validate';

export interface Ctx {
  engine: Engine;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** How bulk create answers a request with bad items (SandboxOptions.bulkMode); default per_item. */
  bulkMode?: BulkMode;
  /** Where a payment's UTR must be unique (SandboxOptions.utrScope); default per account. */
  utrScope?: UtrScope;
  /** The payment queue new records enter (SandboxOptions.settleAfter / rejectShare); absent: processed at once. */
  settlement?: Settlement;
}
/** `account`: a UTR is unique per account (the first platform, as assumed); `tenant`: across the tenant (the newer one). */
export { UTR_SCOPES, type UtrScope } from '../../api/settings';
/**
 * `per_item`: every good item is created, each bad one answered in `results`.
 * `atomic`: like Django REST Framework's `many=True`: one bad item → 400, nothing created, per-item errors
 * in `errors.items` aligned with the request. `atomic_unaligned`: the same 400 without saying which items.
 */
export type BulkMode = 'per_item' | 'atomic' | 'atomic_unaligned';
export const BULK_MODES: readonly BulkMode[] = ['per_item', 'atomic', 'atomic_unaligned'];
export interface Answer {
  status: number;
  body?: unknown;
}
export type Handler = (ctx: Ctx) => Answer;

export const ok = (body: unknown, status = 200): Answer => ({ status, body });
export const nowSeconds = () => Date.now() / 1000;

export function accountOf(ctx: Ctx, id: string, what = 'account'): AccountRow {
  const s = ctx.engine.store;
  const a = s.accounts.get(id) ?? s.byLoan.get(id);
  if (!a) throw notFound(what, id);
  return a;
}

export function asOf(ctx: Ctx): number {
  const raw = ctx.query.get('as_of_date');
  if (raw === null || raw === '') return ctx.engine.today();
  const day = parseDayValue(raw, (m) => {
    throw validationError({ as_of_date: [m] });
  });
  return day as number;
}

export function boolQuery(ctx: Ctx, name: string, fallback: boolean): boolean {
  const v = ctx.query.get(name);
  if (v === null || v === '') return fallback;
  if (v === 'true' || v === '1' || v === 'True') return true;
  if (v === 'false' || v === '0' || v === 'False') return false;
  throw validationError({ [name]: [`Must be true or false, got '${v}'.`] });
}

export function bodyObject(ctx: Ctx): Record<string, unknown> {
  const b = ctx.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw validationError({ non_field_errors: ['The body must be a JSON object.'] });
  return b as Record<string, unknown>;
}

/** Digits only: Number() would also take '1e1', '0x2', ' 2' or '2.0', which a page number never is. */
function wholeNumber(raw: string): number {
  return /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
}

/** The documented page envelope, with `page`/`page_size` (names from PAGINATION). */
export function paginate<T, R>(ctx: Ctx, items: T[], view: (t: T) => R) {
  const errors: Record<string, string[]> = {};
  const pageRaw = ctx.query.get(PAGINATION.pageParam);
  const sizeRaw = ctx.query.get(PAGINATION.sizeParam);
  const page = pageRaw === null || pageRaw === '' ? 1 : wholeNumber(pageRaw);
  const size = sizeRaw === null || sizeRaw === '' ? PAGINATION.defaultPageSize : wholeNumber(sizeRaw);
  if (!Number.isInteger(page) || page < 1) errors[PAGINATION.pageParam] = [`Must be a whole number from 1, got '${pageRaw}'.`];
  if (!Number.isInteger(size) || size < 1 || size > PAGINATION.maxPageSize)
    errors[PAGINATION.sizeParam] = [`Must be a whole number from 1 to ${PAGINATION.maxPageSize}, got '${sizeRaw}'.`];
  if (Object.keys(errors).length) throw validationError(errors);
  const start = (page - 1) * size;
  return ok({ count: items.length, current_page: page, page_size: size, results: items.slice(start, start + size).map(view) });
}

export function dayFilter(ctx: Ctx, name: string): number | null {
  const v = ctx.query.get(name);
  if (v === null || v === '') return null;
  return parseDayValue(v, (m) => {
    throw validationError({ [name]: [m] });
  });
}

/** Accounts named by `account` / `loan` filters, or all of them. */
export function scopedAccounts(ctx: Ctx): AccountRow[] {
  const s = ctx.engine.store;
  const acc = ctx.query.get('account');
  const loan = ctx.query.get('loan');
  if (acc) {
    const a = s.accounts.get(acc);
    if (!a) return [];
    if (loan && a.loan_id !== loan) return [];
    return [a];
  }
  if (loan) {
    const a = s.byLoan.get(loan);
    return a ? [a] : [];
  }
  return s.accountOrder;
}

/** `elsewhere`: the existing object is on another account (a tenant-wide UTR); the answer names that account. */
export function duplicate(what: string, field: string, value: string, existingId: string, elsewhere?: string, existingStatus?: string): HttpError {
  const where = elsewhere ? `on account ${elsewhere} (unique across the tenant)` : 'on this account';
  return new HttpError(409, 'duplicate', `A ${what} with ${field} '${value}' already exists ${where} (id ${existingId}); it was not created again.`, { [field]: [`Already used ${where} by ${existingId}.`] }, { existing_id: existingId, ...(elsewhere ? { existing_account: elsewhere } : {}), ...(existingStatus ? { existing_status: existingStatus } : {}) });
}

export function lineFigures(ctx: Ctx, a: AccountRow, day: number) {
  if (a.type !== 'credit_line') throw new HttpError(400, 'not_a_credit_line', `Account ${a.id} is a term loan; limits apply to credit lines only.`);
  const ev = ctx.engine.evaluate(a, day);
  let utilised = 0;
  for (const d of ev.demands) if (d.kind === 'topup') utilised += d.principal - d.paidPrincipal;
  // Topups dated after the day are already committed against the line.
  for (const t of ctx.engine.store.topupsOf(a.id)) if (t.day > day) utilised += t.amount;
  return { utilised, available: Math.max(0, a.line_amount - utilised) };
}

/** A row's wire view as of today (or its own date when later), from the cached ledger of its account. */
export function answer<T extends { account: string; day: number }, R>(ctx: Ctx, row: T, view: (row: T, a: AccountRow, ev: Evaluation) => R): R {
  const a = ctx.engine.store.accounts.get(row.account) as AccountRow;
  return view(row, a, ctx.engine.evaluate(a, Math.max(ctx.engine.today(), row.day)));
}

/**
 * The rows of each account in scope (`account` / `loan` filters), viewed against that account's ledger as of
 * today, kept when `keep` says so and when their wire `status` matches the `status` filter.
 */
export function rowsAcross<T, R extends { status: string }>(ctx: Ctx, rowsOf: (accountId: string) => T[], keep: (row: T) => boolean, view: (row: T, a: AccountRow, ev: Evaluation) => R): R[] {
  const status = ctx.query.get('status');
  const out: R[] = [];
  for (const a of scopedAccounts(ctx)) {
    const rows = rowsOf(a.id);
    if (rows.length === 0) continue;
    const ev = ctx.engine.evaluate(a, ctx.engine.today());
    for (const row of rows) {
      if (!keep(row)) continue;
      const v = view(row, a, ev);
      if (!status || v.status === status) out.push(v);
    }
  }
  return out;
}

