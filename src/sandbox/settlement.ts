/**
 * Payments applied after the call returns, as on Crego's newer platform (more-facts-2026.md): a
 * created record is `requested`, and a background queue later makes it `processed` (it counts in
 * every figure from then on) or `rejected` with a reason (it never counts).
 *
 * `--settle-after SECONDS` is the delay; `--reject-share FRACTION` the share that ends rejected,
 * picked by a hash of the record's key (its UTR) so a test can tell in advance which ones
 * (`rejectedByShare`). Without either, a record is processed on receipt, as before.
 *
 * The queue is drained lazily, at the start of every request: nothing can observe a record between
 * two requests, so this is exact and needs no timer (and a paused process settles nothing).
 */
import type { RecordRow, Store } from './store';

export interface SettlementPolicy {
  /** Seconds from creation to the final state (0: at once). */
  settleAfterSeconds: number;
  /** Share of records, 0–1, that end `rejected`. */
  rejectShare: number;
}

export const IMMEDIATE: SettlementPolicy = { settleAfterSeconds: 0, rejectShare: 0 };

/**
 * FNV-1a (32 bits) of the key with MurmurHash3's final mix, as a fraction in [0, 1): stable across runs
 * and machines. The mix matters: keys differing only in their last character (`UTR-1`, `UTR-2`) would
 * otherwise differ only in the low bits, and all land on the same side of the share.
 */
function keyFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** Whether a record with this key (UTR) ends `rejected` under `share`. Case-insensitive, like the key. */
export function rejectedByShare(key: string, share: number): boolean {
  return share > 0 && keyFraction(key.toLowerCase()) < share;
}

/** The reason a rejected record carries (Crego's payout object names its reason `failed_remark`). */
export function rejectionReason(r: RecordRow): string {
  return `Rejected by the payment queue: no credit matching UTR ${r.utr ?? r.id} for ${(r.amount / 100).toFixed(2)} was found in the collection account`;
}

export class Settlement {
  /** Records waiting for their final state, oldest first (one delay for all, so creation order is settle order). */
  private readonly queue: RecordRow[] = [];

  constructor(
    private readonly store: Store,
    readonly policy: SettlementPolicy = IMMEDIATE,
    private readonly now: () => number = Date.now,
  ) {
    if (!(policy.settleAfterSeconds >= 0)) throw new Error(`settleAfter must be ≥ 0 seconds, got ${policy.settleAfterSeconds}`);
    if (!(policy.rejectShare >= 0 && policy.rejectShare <= 1)) throw new Error(`rejectShare must be between 0 and 1, got ${policy.rejectShare}`);
    // Records still waiting when a data file was saved wait on after a restart.
    for (const r of store.recordOrder) if (r.status === 'requested') this.queue.push(r);
    this.queue.sort((a, b) => (a.settle_at ?? 0) - (b.settle_at ?? 0));
  }

  /** A new record's first state (set before it is stored, so the ledger never sees it applied too early). */
  admit(r: RecordRow): void {
    if (this.policy.settleAfterSeconds === 0) {
      this.finish(r, false);
      return;
    }
    r.status = 'requested';
    r.settle_at = this.now() + this.policy.settleAfterSeconds * 1000;
    this.queue.push(r);
  }

  /** Settle every record whose time has come. */
  drain(): void {
    const t = this.now();
    while (this.queue.length && (this.queue[0].settle_at ?? 0) <= t) {
      const r = this.queue.shift() as RecordRow;
      // A record undone by an atomic bulk refusal is gone; nothing to settle.
      if (this.store.records.get(r.id) === r) this.finish(r, true);
    }
  }

  private finish(r: RecordRow, stored: boolean): void {
    const rejected = r.utr !== null && rejectedByShare(r.utr, this.policy.rejectShare);
    const status = rejected ? 'rejected' : 'processed';
    const reason = rejected ? rejectionReason(r) : null;
    if (stored) this.store.settleRecord(r, status, reason);
    else {
      r.status = status;
      r.failed_remark = reason;
    }
  }
}
