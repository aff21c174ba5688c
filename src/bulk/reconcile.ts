/**
 * Finding out whether a row already exists in Crego, by its stable key: Record Listing filtered by
 * `utr` + `account`, or the fee/topup list by `ref_id` + `account`. Used before re-sending a row
 * whose earlier push never got an answer, so a repayment is never posted twice.
 */
import type { CregoClient } from '../api/contract';
import type { Page } from '../api/types';
import type { SheetKind } from './kinds/types';

export interface Lookup {
  account: string;
  key: string;
}

/** The id of the object with this key on this account, or null when Crego has none. Throws when Crego cannot be asked. */
export async function findExisting(client: CregoClient, kind: SheetKind, row: Lookup, signal?: AbortSignal): Promise<string | null> {
  const page = await client.call(kind.listEndpoint, {
    query: { account: row.account, [kind.keyField]: row.key, page_size: 10 },
    cache: 'bypass',
    signal,
  });
  const wanted = row.key.toLowerCase();
  // Rows of three list endpoints (records, fees, topups): read by the kind's field names.
  const rows = page.results as readonly object[] as ReadonlyArray<Record<string, unknown>>;
  const hit = rows.find((r) => r.account === row.account && String(r[kind.keyField] ?? '').toLowerCase() === wanted);
  return hit ? String(hit.id) : null;
}
