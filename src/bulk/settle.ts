/**
 * From "Crego accepted it" to "Crego applied it". On Crego's newer platform a created payment is queued
 * (`requested → processing → processed`, or `rejected`), so a 2xx means accepted, not applied
 * (more-facts-2026.md). This module holds what the push engine needs to follow a row to its final
 * state: what an object's `status` means for the row, and the look-up that re-checks it.
 *
 * Row states: `posted` (applied), `pending` (accepted, still queued), `rejected` (refused after being
 * accepted; final, never re-sent: its UTR stays taken in Crego).
 */
import type { CregoClient } from '../api/contract';
import type { UtrScope } from '../api/profile';
import type { SheetKind } from './kinds/types';

export type Settlement = 'posted' | 'pending' | 'rejected';

/** Statuses of a queued object that are not final yet. */
const PENDING_STATUSES = new Set(['requested', 'processing', 'reverting', 'pending', 'queued']);
/** Final refusals after acceptance (a reverted payment no longer counts either). */
const REJECTED_STATUSES = new Set(['rejected', 'reverted', 'failed']);

/**
 * Kinds whose objects go through a queue: payments (records). Fees and topups are final when created, as
 * nothing public says otherwise.
 */
export function isQueued(kind: SheetKind): boolean {
  return kind.name === 'records';
}

/**
 * What an object's `status` means for its row. `undefined`/null: Crego did not say. For a queued kind that
 * happens in a bulk answer (which reports creation, not application), so the row is pending until
 * looked up; an object read back from Crego without a status is taken as applied (the first platform).
 */
export function settlementOf(kind: SheetKind, status: unknown, fromBulkAnswer: boolean): Settlement {
  if (!isQueued(kind)) return 'posted';
  const s = typeof status === 'string' ? status.trim().toLowerCase() : '';
  if (!s) return fromBulkAnswer ? 'pending' : 'posted';
  if (PENDING_STATUSES.has(s)) return 'pending';
  if (REJECTED_STATUSES.has(s)) return 'rejected';
  return 'posted';
}

/** An object found by key: its id, its own status and rejection reason, and the account that holds it. */
export interface Found {
  id: string;
  status: string | null;
  reason: string | null;
  account: string;
}

/**
 * The object with this key in Crego, or null when there is none. Under `utrScope: "tenant"` a record's
 * UTR is looked up across accounts, so a payment held by another account is found too (`account` says
 * which): the caller must not count it as this row's. Throws when Crego cannot be asked.
 */
export async function lookUpByKey(
  client: CregoClient,
  kind: SheetKind,
  row: { account: string; key: string },
  signal?: AbortSignal,
): Promise<Found | null> {
  const scope: UtrScope = client.settings?.utrScope ?? 'account';
  const tenantWide = scope === 'tenant' && kind.keyField === 'utr';
  const page = await client.call(kind.listEndpoint, {
    query: { ...(tenantWide ? {} : { account: row.account }), [kind.keyField]: row.key, page_size: 10 },
    cache: 'bypass',
    signal,
  });
  const wanted = row.key.toLowerCase();
  // Rows of three list endpoints (records, fees, topups): read by the kind's field names.
  const rows = page.results as readonly object[] as ReadonlyArray<Record<string, unknown>>;
  const matches = rows.filter((r) => String(r[kind.keyField] ?? '').toLowerCase() === wanted && (tenantWide || r.account === row.account));
  const hit = matches.find((r) => r.account === row.account) ?? matches[0];
  if (!hit) return null;
  const reason = hit.failed_remark ?? hit.rejection_reason ?? null;
  return {
    id: String(hit.id),
    status: typeof hit.status === 'string' ? hit.status : null,
    reason: typeof reason === 'string' && reason ? reason : null,
    account: String(hit.account ?? row.account),
  };
}
