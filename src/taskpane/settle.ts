/**
 * When have the CREGO cells' values arrived after a Refresh? Excel's `calculate` returns once the
 * recalculation is queued, before asynchronous custom functions answer, so the "Data as of" stamp
 * waits on the functions' batcher instead: its fetches all answered (nothing pending) and no cell
 * asking for more for a short quiet spell. Bounded by the cells' own hard stop (60 s).
 */
import type { BatcherStats } from '../functions/batcher';

export interface SettleOptions {
  /** Poll interval (ms). */
  everyMs?: number;
  /** Nothing pending and no new cell activity for this long = settled. */
  quietMs?: number;
  /** No cell activity at all for this long after the start = nothing to wait for (no CREGO cells). */
  idleStartMs?: number;
  /** Give up (values not all in) after this long. */
  maxMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const activity = (s: BatcherStats) => s.sent + s.cacheHits + s.joined + s.aborted + s.timeouts;

/** True once the cells' values have arrived; false when `maxMs` passed first. */
export async function cellsSettled(status: () => BatcherStats, options: SettleOptions = {}): Promise<boolean> {
  const { everyMs = 100, quietMs = 400, idleStartMs = 2_000, maxMs = 65_000 } = options;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const start = now();
  const first = activity(status());
  let seen = first;
  let changedAt = start;
  for (;;) {
    const s = status();
    const a = activity(s);
    if (a !== seen) {
      seen = a;
      changedAt = now();
    }
    const active = seen !== first || s.pending > 0;
    if (s.pending === 0 && (active ? now() - changedAt >= quietMs : now() - start >= idleStartMs)) return true;
    if (now() - start >= maxMs) return false;
    await sleep(everyMs);
  }
}
