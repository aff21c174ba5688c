/**
 * The sandbox's memory of computed ledgers: one evaluation per (account, version, date), so
 * 2,000 summary look-ups cost one replay per account and date, and a write to an account (its
 * version bumps) retires exactly that account's entries.
 */
import { today } from './days';
import { evaluate, type Evaluation } from './ledger';
import type { AccountRow, Store } from './store';

const MAX_ENTRIES = 20_000;

export class Engine {
  private readonly cache = new Map<string, { version: number; ev: Evaluation }>();

  constructor(
    public store: Store,
    private readonly fixedToday: number | null = null,
  ) {}

  /** The sandbox's business date (IST), unless pinned at start for reproducible demos. */
  today(): number {
    return this.fixedToday ?? today();
  }

  evaluate(a: AccountRow, day: number): Evaluation {
    const key = `${a.id}|${day}`;
    const version = this.store.version(a.id);
    const hit = this.cache.get(key);
    if (hit && hit.version === version) return hit.ev;
    const ev = evaluate(this.store, a, day);
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, { version, ev });
    return ev;
  }

  clear(): void {
    this.cache.clear();
  }
}
