/**
 * Every message the push engine writes into a row's Message cell, in one table, so their wording can be
 * read (and kept consistent) in one place rather than inside the control flow. Each names the row's key
 * by its column header (`UTR 8103…`), since that is what a person searches for in Crego.
 */
import { show } from './cells';
import type { SheetKind } from './kinds/types';

/** Why a row's outcome was looked up: finishes "found by UTR … after …". */
export const REASONS = {
  earlierPush: 'an earlier push that stopped before its answer',
  noAnswer: 'a request that got no answer',
  leftOut: 'an answer that left the row out',
  conflict: (detail: string) => `a 409 answer to the whole chunk (${detail})`,
  refusedAfterLost: (detail: string) => `a request whose first answer was lost and whose retry was refused (${detail})`,
} as const;

/** The messages of one push, for one sheet kind. */
export function pushMessages(kind: SheetKind) {
  const keyHeader = kind.columns.find((c) => c.field === kind.keyField)!.header;
  const keyed = (key: string) => `${keyHeader} ${key}`;
  return {
    keyHeader,
    // ── Reading the sheet ────────────────────────────────────────────────────────────────────────
    exampleTypedOver: 'Not sent: this row was typed over, but its Status still says example. Clear the Status cell to send it.',
    postedWithOtherKey: (rowNumber: number, typed: string, postedKey: string, id: string) =>
      `Row ${rowNumber}, ${keyHeader}: ${show(typed)} is not the ${keyHeader} this row was posted with (${postedKey}, Crego id ${id || 'unknown'}). ` +
      'The result cells may belong to another row (sorted or inserted without them?) or the reference was changed after posting. ' +
      'Check both in Crego, then correct this row or clear its result cells to send it.',
    sendingUncheckable: (problems: string) =>
      `An earlier push may have sent this row but it cannot be checked: ${problems || 'it has no key'}. Check it in Crego before changing the status.`,
    // ── Dry run ───────────────────────────────────────────────────────────────────────────────────
    wouldPost: 'Valid: would be posted (dry run)',
    wouldLookUp: (key: string) => `An earlier push may have sent this row: the next push looks up ${keyed(key)} in Crego before sending it`,
    // ── Sending and answers ──────────────────────────────────────────────────────────────────────
    sending: (batchId: string) => `Sending to Crego (batch ${batchId})`,
    created: 'Created',
    alreadyThere: (key: string, id?: string) =>
      `Already in Crego: a ${kind.noun} with ${keyed(key)} exists on this account${id ? ` (${id})` : ''}; not created again`,
    refused: (reasons: string) => `Refused by Crego: ${reasons}`,
    notPosted: (why: string) => `Not posted: ${why}`,
    notSent: (fatal: string | null) => (fatal ? `Not sent: ${fatal}` : 'Not sent: the push was cancelled'),
    cancelledWhileSending: (key: string) =>
      `Push cancelled while this row was being sent; the next push checks ${keyed(key)} in Crego before sending it again`,
    // ── Following an accepted row to its final state (settle.ts) ─────────────────────────────────
    pending: (status: string | null, id: string) =>
      `Accepted by Crego (${id || 'id not given'}), not yet applied (status ${status || 'unknown'}); it is never sent again. ` +
      'Check statuses in the pane, push again, or push with --wait to follow it',
    applied: (status: string | null) => `Applied in Crego (status ${status || 'unknown'})`,
    rejected: (reason: string | null) =>
      `Rejected by Crego after accepting it: ${reason || 'no reason given'}. Not sent again: to pay again, use a new ${keyHeader}`,
    usedByOtherAccount: (key: string, account: string) =>
      `Not created: ${keyed(key)} is already used by account ${account} in Crego (a ${keyHeader} is unique across the tenant); correct the ${keyHeader}`,
    pendingNotFound: (key: string) =>
      `Accepted by Crego earlier, but ${keyed(key)} is not listed there now; check it in Crego. It is not sent again while pending`,
    pendingUncheckable: (key: string, error: string) =>
      `Still pending: Crego could not be checked for ${keyed(key)} (${error}); check statuses again later`,
    // ── Looking rows up by key (reconcile) ───────────────────────────────────────────────────────
    foundAfter: (key: string, why: string) => `Already in Crego: found by ${keyed(key)} after ${why}; not sent again`,
    cancelledBeforeCheck: (key: string, why: string) =>
      `Push cancelled before Crego could be checked for this row (${why}); the next push checks ${keyed(key)} before sending it again`,
    lookupFailed: (key: string, why: string, error: string) =>
      `Outcome unknown (${why}) and Crego could not be checked (${error}); push again: the next push checks ${keyed(key)} first`,
    absentNoLongerValid: (key: string, why: string) =>
      `Not in Crego (checked by ${keyed(key)} after ${why}), and the row no longer validates; fix it and push again`,
    absentAfterRetries: (key: string, why: string) =>
      `Not created: after ${why}, ${keyed(key)} was looked up and is not in Crego. Push again to retry`,
  };
}

export type PushMessages = ReturnType<typeof pushMessages>;

/** Crego's field errors in the sheet's words: `Amount: Must be positive; Value Date: …`. */
export function describeFieldErrors(kind: SheetKind, errors: Record<string, string[]> | null | undefined): string {
  if (!errors) return 'Crego refused it without a reason';
  return Object.entries(errors)
    .map(([field, msgs]) => {
      const header = kind.columns.find((c) => c.field === field)?.header;
      return header ? `${header}: ${msgs.join(' ')}` : msgs.join(' ');
    })
    .join('; ');
}
