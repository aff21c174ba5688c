/**
 * The one batching layer under every CREGO function.
 *
 * A recalculation calls the functions thousands of times in a burst. Each call asks for a
 * `Fetch` (endpoint + parameters); the batcher
 * - answers from its TTL cache when it can (keyed by environment, server and parameters);
 * - otherwise makes the call a *waiter* on one entry per distinct fetch, so 5 fields of one
 *   account, or the same account on 3 sheets, cost one request;
 * - collects the entries created in the same tick (one wave) and sends them through the client,
 *   whose limiter bounds how many are on the wire at once;
 * - settles every waiter: with the answer, with the entry's failure (only the cells that asked
 *   for that fetch), at its own timeout, or when its cell is cancelled. A request is aborted only
 *   when its last waiter is gone.
 * Value preview (Excel evaluating a formula while it is being typed) never touches the network:
 * a preview waiter is answered from the cache, joins a request already on its way, or waits for
 * the committed formula to ask for the same fetch.
 *
 * The cache lives here, not in the client, because a value preview must know *without a request*
 * whether an answer is at hand; client calls therefore bypass the client's own TTL cache.
 */
import type { CregoClient, QueryValue } from '../api/contract';
import { TtlCache } from '../api/cache';
import { requestKey } from '../api/url';
import { CellError, UNREACHABLE_MESSAGE } from './errors';

/** One API read (or pure calculation) a cell needs. */
export interface Fetch {
  endpoint: string;
  path?: Record<string, string | number>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Walk every page of a list endpoint. */
  all?: boolean;
  /** The account the answer belongs to, for invalidating one account. */
  account?: string;
}

export interface WaitOptions {
  /** The cell's cancellation (Excel's onCanceled, wired to an AbortController). */
  signal?: AbortSignal;
  /** The call is a formula value preview: no network. */
  preview?: boolean;
  /** Skip the cache (LIVE ticks); the answer still refreshes the cache. */
  fresh?: boolean;
}

export interface BatcherOptions {
  /** How long an answer is reused (default 5 minutes). */
  ttlMs?: number;
  /** Hard stop for each cell: it settles with #N/A at the latest after this (default 60 s). */
  timeoutMs?: number;
  /** How long a value preview waits for its formula to be committed (default 10 s). */
  previewTimeoutMs?: number;
  /** Largest number of cached answers (oldest out first). */
  maxEntries?: number;
  now?: () => number;
  /** How the end of a wave is scheduled (default: the next macrotask). */
  defer?: (run: () => void) => void;
}

export interface BatcherStats {
  /** Distinct fetches sent to the client. */
  sent: number;
  /** Cell calls answered from the cache. */
  cacheHits: number;
  /** Cell calls that joined a fetch another cell had asked for. */
  joined: number;
  /** Fetches aborted because every cell waiting on them was cancelled or timed out. */
  aborted: number;
  timeouts: number;
  /** Fetches waiting or on the wire right now. */
  pending: number;
  cached: number;
}

interface Waiter {
  preview: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  done: boolean;
  cleanup(): void;
}

interface Entry {
  /** Cache key of the answer. */
  id: string;
  /** Key in the pending map (differs from `id` for fresh reads). */
  slot: string;
  fetch: Fetch;
  client: CregoClient;
  waiters: Set<Waiter>;
  /** Set once sent; aborting it stops the request. */
  controller?: AbortController;
  queued: boolean;
}

const PREVIEW_MESSAGE = 'Preview only: press Enter to fetch from Crego';
const TIMEOUT_MESSAGE = 'Crego did not answer in time, will retry on refresh';

export class Batcher {
  private readonly cache: TtlCache;
  private readonly pending = new Map<string, Entry>();
  private wave: Entry[] = [];
  private flushScheduled = false;
  private readonly timeoutMs: number;
  private readonly previewTimeoutMs: number;
  private readonly defer: (run: () => void) => void;
  private counts = { sent: 0, cacheHits: 0, joined: 0, aborted: 0, timeouts: 0 };

  constructor(options: BatcherOptions = {}) {
    this.cache = new TtlCache(options.ttlMs ?? 5 * 60_000, options.now ?? Date.now, options.maxEntries ?? 100_000);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.previewTimeoutMs = options.previewTimeoutMs ?? 10_000;
    this.defer = options.defer ?? ((run) => setTimeout(run, 0));
  }

  /** The answer to `fetch`, shared with every other cell asking for the same thing. */
  get<T = unknown>(client: CregoClient, fetch: Fetch, options: WaitOptions = {}): Promise<T> {
    const id = cacheKey(client, fetch);
    if (!options.fresh) {
      const hit = this.cache.get(id);
      if (hit) {
        this.counts.cacheHits++;
        return Promise.resolve(JSON.parse(hit.text) as T);
      }
    }
    if (options.signal?.aborted) return Promise.reject(cancelled());

    // A fresh (LIVE) read must not join a request that is answering from before the tick: it
    // gets its own entry id, still shared by every fresh read of the same tick.
    const entryId = options.fresh ? `${id}#fresh` : id;
    let entry = this.pending.get(entryId);
    if (entry) this.counts.joined++;
    else {
      entry = { id, slot: entryId, fetch, client, waiters: new Set(), queued: false };
      this.pending.set(entryId, entry);
    }
    const preview = options.preview === true;
    const promise = this.addWaiter(entry, preview, options.signal);
    // Only a committed formula puts a fetch on the wire.
    if (!preview && !entry.queued && !entry.controller) this.enqueue(entry);
    return promise as Promise<T>;
  }

  /** Drop cached answers: all of them, or those of one account or endpoint. */
  invalidate(scope: { account?: string; endpoint?: string } = {}): number {
    return this.cache.invalidate(scope);
  }

  stats(): BatcherStats {
    return { ...this.counts, pending: this.pending.size, cached: this.cache.size };
  }

  private addWaiter(entry: Entry, preview: boolean, signal?: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        preview,
        done: false,
        resolve: (v) => {
          if (waiter.done) return;
          waiter.done = true;
          waiter.cleanup();
          resolve(v);
        },
        reject: (e) => {
          if (waiter.done) return;
          waiter.done = true;
          waiter.cleanup();
          reject(e);
        },
        cleanup: () => {},
      };
      const leave = (error: CellError) => {
        entry.waiters.delete(waiter);
        waiter.reject(error);
        this.dropIfAbandoned(entry);
      };
      const onAbort = () => leave(cancelled());
      const timer = setTimeout(
        () => {
          this.counts.timeouts++;
          leave(new CellError('#N/A', preview ? PREVIEW_MESSAGE : TIMEOUT_MESSAGE));
        },
        preview ? this.previewTimeoutMs : this.timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter.cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      entry.waiters.add(waiter);
    });
  }

  /** The last cell waiting on a fetch is gone: stop the request (or never send it). */
  private dropIfAbandoned(entry: Entry): void {
    // Cells still waiting (previews included) keep the fetch; previews alone never send it (see flush).
    if (entry.waiters.size > 0) return;
    this.forget(entry);
    if (entry.controller) {
      this.counts.aborted++;
      entry.controller.abort();
    }
    entry.queued = false;
  }

  private enqueue(entry: Entry): void {
    entry.queued = true;
    this.wave.push(entry);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.defer(() => this.flush());
  }

  /** End of a wave: send every distinct fetch that still has a cell waiting. */
  private flush(): void {
    this.flushScheduled = false;
    const wave = this.wave;
    this.wave = [];
    for (const entry of wave) {
      const send = entry.queued && hasCommittedWaiter(entry);
      entry.queued = false;
      if (send) this.send(entry);
    }
  }

  private send(entry: Entry): void {
    const controller = new AbortController();
    entry.controller = controller;
    this.counts.sent++;
    const { fetch, client } = entry;
    const options = { path: fetch.path, query: fetch.query, body: fetch.body, signal: controller.signal, cache: 'bypass' as const };
    const request = fetch.all ? client.listAll(fetch.endpoint, options) : client.call(fetch.endpoint, options);
    request.then(
      (value) => {
        this.forget(entry);
        if (controller.signal.aborted) return;
        const text = JSON.stringify(value ?? null);
        this.cache.set(entry.id, {
          text,
          endpoint: fetch.endpoint,
          ids: new Set(fetch.account ? [fetch.account] : []),
          accounts: new Set(),
        });
        // Each waiter gets its own copy: a cell can never change what another cell sees.
        for (const w of entry.waiters) w.resolve(JSON.parse(text));
        entry.waiters.clear();
      },
      (error: unknown) => {
        this.forget(entry);
        for (const w of entry.waiters) w.reject(error ?? new CellError('#N/A', UNREACHABLE_MESSAGE));
        entry.waiters.clear();
      },
    );
  }

  private forget(entry: Entry): void {
    if (this.pending.get(entry.slot) === entry) this.pending.delete(entry.slot);
  }
}

function hasCommittedWaiter(entry: Entry): boolean {
  for (const w of entry.waiters) if (!w.preview) return true;
  return false;
}

function cancelled(): CellError {
  return new CellError('#N/A', 'Cancelled');
}

/**
 * The client's own request key (environment + endpoint + path + sorted query), widened by the
 * server (two servers may share an environment label), the body of a calculation, and paging.
 */
export function cacheKey(client: Pick<CregoClient, 'environment' | 'baseUrl'>, fetch: Fetch): string {
  const request = requestKey(client.environment, fetch.endpoint, fetch.path, fetch.query);
  return `${client.baseUrl}|${fetch.all ? 'all' : 'one'}|${request}|${fetch.body === undefined ? '' : stableJson(fetch.body)}`;
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
