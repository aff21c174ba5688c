/**
 * A TTL cache of GET answers, tagged so that a write or a refresh drops exactly the answers it makes
 * stale. Generic in what it keeps: the client keeps an answer's text (every caller parses its own
 * copy, so nobody can mutate another caller's result); the formula batcher keeps the parsed answer,
 * frozen (thousands of cells share one copy and none can change it). Keys come from `requestKey`
 * (url.ts) and carry the environment, so switching from sandbox to production never serves a stale
 * answer from the other one.
 */
export interface CacheTags {
  endpoint: string;
  /** Every id the request named (path params and query values). */
  ids: ReadonlySet<string>;
  /** `account` values found in the answer (object or page results). */
  accounts: ReadonlySet<string>;
}

interface Entry<V> extends CacheTags {
  value: V;
  expiresAt: number;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 2000,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The live answer under `key`, or undefined (an expired one is dropped on the way). */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, tags: CacheTags): void {
    if (!this.enabled) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { ...tags, value, expiresAt: this.now() + this.ttlMs });
  }

  /** Drop everything, or entries of one endpoint, or entries that name or contain one account. */
  invalidate(scope: { account?: string; endpoint?: string } = {}): number {
    let dropped = 0;
    for (const [key, e] of this.entries) {
      const byEndpoint = scope.endpoint === undefined || e.endpoint === scope.endpoint;
      const byAccount = scope.account === undefined || e.ids.has(scope.account) || e.accounts.has(scope.account);
      if (byEndpoint && byAccount) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The ids a request names (path params and query values): a cached answer is dropped by any of them. */
export function idsOf(path: Record<string, unknown> | undefined, query: Record<string, unknown> | undefined): Set<string> {
  const ids = new Set<string>();
  for (const v of Object.values(path ?? {})) ids.add(String(v));
  for (const v of Object.values(query ?? {})) if (v !== undefined && v !== null) ids.add(String(v));
  return ids;
}

/** The `account` values an answer names (an object's own, or each page result's). */
export function accountsIn(answer: unknown): Set<string> {
  const accounts = new Set<string>();
  const a = answer as { account?: unknown; results?: unknown } | null;
  if (typeof a?.account === 'string') accounts.add(a.account);
  if (Array.isArray(a?.results)) for (const r of a.results) if (typeof r?.account === 'string') accounts.add(r.account);
  return accounts;
}

/** The accounts a write names (its body's account, its bulk items' accounts, its path ids): their answers go stale. */
export function accountsWrittenBy(body: unknown, path: Record<string, unknown> | undefined): Set<string> {
  const accounts = accountsIn(body);
  const items = (body as { items?: unknown } | null | undefined)?.items;
  for (const account of accountsIn({ results: items })) accounts.add(account);
  for (const v of Object.values(path ?? {})) accounts.add(String(v));
  return accounts;
}
