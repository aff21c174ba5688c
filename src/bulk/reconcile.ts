/**
 * Finding out whether a row already exists in Crego, by its stable key: Record Listing filtered by
 * `utr` + `account`, or the fee/topup list by `ref_id` + `account`. Used before re-sending a row
 * whose earlier push never got an answer, so a repayment is never posted twice.
 */
import type { CregoClient } from '../api/contract';
import type { SheetKind } from './kinds/types';
import { lookUpByKey } from './settle';

export interface Lookup {
  account: string;
  key: string;
}

/**
 * The id of the object with this key on this account, or null when Crego has none (or, under a
 * tenant-wide UTR, only another account has it). Throws when Crego cannot be asked.
 */
export async function findExisting(client: CregoClient, kind: SheetKind, row: Lookup, signal?: AbortSignal): Promise<string | null> {
  const found = await lookUpByKey(client, kind, row, signal);
  return found && found.account === row.account ? found.id : null;
}
