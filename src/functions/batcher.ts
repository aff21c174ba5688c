/**
 * The one batching layer under every CREGO function.
 *
 * A recalculation calls the functions thousands of times in a burst. Each call asks for a
 * `Fetch` (endpoint + parameters); the batcher
 * - answers from its TTL cache when it can (keyed by environment, server and parameters);
 * - otherwise makes the call a *waiter* on one entry per distinct fetch, so 5 fields of one
 *   account, or the same account on 3 sheets, cost one request;
 * - collects the entries created in one pass (one wave, see `endOfWave`) into a FIFO queue and hands the client
 *   only a few more than it can put on the wire (`maxInFlight`); each answer that comes back hands
 *   over the next queued fetch. Sending the first fetches does not wait for a 2,000-fetch wave to
 *   be turned into 2,000 client calls, and later cells of the wave still join queued entries;
 * - settles every waiter: with the answer, with the entry's failure (only the cells that asked
 *   for that fetch), at its own timeout, or when its cell is cancelled. A request is aborted only
 *   when its last waiter is gone.
 * Value preview (Excel evaluating a formula while it is being typed) never touches the network:
 * a preview waiter is answered from the cache, joins a request already on its way, or waits for
 * the committed formula to ask for the same fetch.
 *
 * This is the formula path's one cache and one dedupe layer; its requests ask the client only to send
 * (`cache: 'caller'`: no client cache, no coalescing). Both live here, not in the client, because a
 * value preview must know *without a request* whether an answer is at hand, a parsed answer is frozen
 * once and shared by thousands of cells, a LIVE read must not join a request from before its tick,
 * and each cell's cancellation and stop belong to the cell, which the client knows nothing of.
 */
import type { CregoClient, QueryValue } from '../api/contract';
import { TtlCache } from '../api/cache';
import { PAGINATION, type EndpointKey, type PagedKey } from '../api/endpoints';
import { requestKey } from '../api/url';
import type { Cancellation, CancelTarget } from './cancel';
import { CellError, TIMEOUT_MESSAGE, UNREACHABLE_MESSAGE } from './errors';

/** One API read (or pure calculation) a cell needs. */
export interface Fetch {
  endpoint: EndpointKey;
  path?: Record<string, string | number>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Walk every page of a list endpoint. */
  all?: boolean;
  /** The account the answer belongs to, for invalidating one account. */
  account?: string;
}

export interface WaitOptions {
  /** The cell's cancellation (Excel's onCanceled). */
  cancel?: Cancellation;
  /** The call is a formula value preview: no network. */
  preview?: boolean;
  /** Skip the cache (LIVE ticks); the answer still refreshes the cache. */
  fresh?: boolean;
}

/**
 * What one cell makes of the shared answer, applied as its waiter settles: the cell's promise is
 * then the batcher's own, with no chain of promises per cell. Made once per shape (say, per field),
 * never per cell.
 */
export interface Projection<T = unknown> {
  /** The cell's value from the answer (never mutate the answer). A throw goes to `error`. */
  value(answer: unknown): T;
  /** What the cell rejects with: the fetch's failure, or the cell's own cancellation or timeout. */
  error(error: unknown, fetch: Fetch): unknown;
}

export interface BatcherOptions {
  /** How long an answer is reused (default 5 minutes). */
  ttlMs?: number;
  /**
   * Hard stop for each cell (default 60 s): it settles with #N/A at the latest this long after its
   * request went on the wire, or after the cell's own call when it joined a request already there.
   * Time queued behind other fetches does not count: each of those is bounded by `requestTimeoutMs`,
   * so the queue drains, and a healthy cell is not failed for the slow answers ahead of it.
   */
  timeoutMs?: number;
  /**
   * How long one request may hold a connection slot once it has one, its answer's body included
   * (default 10 s; a Get Summary answers in well under a second). Past it the request is given up, the
   * slot goes to the next queued fetch, and only the cells that waited on it fail. Without it, a few
   * answers that trickle in keep the slots busy and healthy cells queued behind them reach their own
   * 60 s stop.
   */
  requestTimeoutMs?: number;
  /** How long a value preview waits for its formula to be committed (default 10 s). */
  previewTimeoutMs?: number;
  /** Largest number of cached answers (oldest out first). */
  maxEntries?: number;
  now?: () => number;
  /** How the end of a wave is scheduled (default: `endOfWave`, a microtask). */
  defer?: (run: () => void) => void;
  /**
   * Most fetches handed to the client at once (default 64). The client's limiter bounds what is on
   * the wire; this keeps a small backlog in its queue (so a freed slot is taken at once) while the
   * rest of a large wave waits here as plain entries rather than as thousands of client calls.
   */
  maxInFlight?: number;
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

/** One cell waiting on one entry. It is its own cancel target: no closure per cell. */
class Waiter implements CancelTarget {
  done = false;
  /** In its deadline queue (a committed cell only once its request is on the wire). */
  armed = false;
  deadline = 0;
  resolve!: (value: unknown) => void;
  reject!: (error: unknown) => void;

  constructor(
    readonly batcher: Batcher,
    readonly entry: Entry,
    readonly preview: boolean,
    readonly cancel: Cancellation | undefined,
    readonly project: Projection | undefined,
  ) {}

  onCancel(): void {
    this.batcher.leave(this, cancelled());
  }
}

interface Entry {
  /** Cache key of the answer. */
  id: string;
  /** Key in the pending map (differs from `id` for fresh reads). */
  slot: string;
  fetch: Fetch;
  client: CregoClient;
  waiters: Set<Waiter>;
  /** Set once handed to the client; aborting it stops the request. */
  controller?: AbortController;
  /** The request holds a connection slot: its cells' stops are running. */
  onWire?: boolean;
  queued: boolean;
  /** Invalidated while on its way: its waiters get the answer, the cache does not. */
  stale?: boolean;
}

const PREVIEW_MESSAGE = 'Preview only: press Enter to fetch from Crego';
const NO_IDS: ReadonlySet<string> = new Set();
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export class Batcher {
  /** The answers, parsed once and frozen so every cell can share one copy. */
  private readonly cache: TtlCache<unknown>;
  private readonly pending = new Map<string, Entry>();
  /** Entries waiting for a place with the client, oldest first (from `head`). */
  private queue: Entry[] = [];
  private head = 0;
  private flushScheduled = false;
  private inFlight = 0;
  private readonly requestTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private readonly defer: (run: () => void) => void;
  private readonly deadlines: DeadlineQueue<Waiter>;
  private readonly previewDeadlines: DeadlineQueue<Waiter>;
  private counts = { sent: 0, cacheHits: 0, joined: 0, aborted: 0, timeouts: 0 };

  constructor(options: BatcherOptions = {}) {
    this.now = options.now ?? Date.now;
    this.cache = new TtlCache(options.ttlMs ?? 5 * 60_000, this.now, options.maxEntries ?? 100_000);
    this.defer = options.defer ?? endOfWave;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 64);
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const expire = (w: Waiter) => {
      if (w.done) return;
      this.counts.timeouts++;
      this.leave(w, new CellError('#N/A', w.preview ? PREVIEW_MESSAGE : TIMEOUT_MESSAGE));
    };
    this.deadlines = new DeadlineQueue(options.timeoutMs ?? 60_000, this.now, expire);
    this.previewDeadlines = new DeadlineQueue(options.previewTimeoutMs ?? 10_000, this.now, expire);
  }

  /**
   * The answer to `fetch`, shared with every other cell asking for the same thing (never mutate
   * it), or what `project` makes of it for this cell.
   */
  get<T = unknown>(client: CregoClient, fetch: Fetch, options: WaitOptions = {}, project?: Projection<T>): Promise<T> {
    const id = cacheKey(client, fetch);
    if (!options.fresh) {
      const hit = this.cache.get(id);
      if (hit !== undefined) {
        this.counts.cacheHits++;
        return project ? projected(project, fetch, hit) : Promise.resolve(hit as T);
      }
    }
    if (options.cancel?.cancelled) return Promise.reject(project ? project.error(cancelled(), fetch) : cancelled());

    // A fresh (LIVE) read must not join a request that is answering from before the tick: it
    // gets its own entry, still shared by every fresh read of the same tick.
    const slot = options.fresh ? `${id}#fresh` : id;
    let entry = this.pending.get(slot);
    if (entry) this.counts.joined++;
    else {
      entry = { id, slot, fetch, client, waiters: new Set(), queued: false };
      this.pending.set(slot, entry);
    }
    const preview = options.preview === true;
    const promise = this.addWaiter(entry, preview, options.cancel, project as Projection | undefined);
    // Only a committed formula puts a fetch on the wire.
    if (!preview && !entry.queued && !entry.controller) this.enqueue(entry);
    return promise as Promise<T>;
  }

  /**
   * Drop cached answers: all of them, or those of one account or endpoint. A request already on its
   * way began before the refresh: cells asking after this get a request of their own, and its
   * answer is not cached.
   */
  invalidate(scope: { account?: string; endpoint?: string } = {}): number {
    const dropped = this.cache.invalidate(scope);
    for (const [slot, entry] of this.pending) {
      const byEndpoint = scope.endpoint === undefined || entry.fetch.endpoint === scope.endpoint;
      const byAccount = scope.account === undefined || entry.fetch.account === scope.account;
      if (byEndpoint && byAccount && entry.controller) {
        entry.stale = true;
        this.pending.delete(slot);
      }
    }
    return dropped;
  }

  stats(): BatcherStats {
    return { ...this.counts, pending: this.pending.size, cached: this.cache.size };
  }

  private addWaiter(entry: Entry, preview: boolean, cancel: Cancellation | undefined, project: Projection | undefined): Promise<unknown> {
    const waiter = new Waiter(this, entry, preview, cancel, project);
    const promise = new Promise((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    entry.waiters.add(waiter);
    if (preview) this.arm(waiter, this.previewDeadlines);
    else if (entry.onWire) this.arm(waiter, this.deadlines);
    cancel?.add(waiter);
    return promise;
  }

  private resolve(waiter: Waiter, value: unknown): void {
    if (waiter.done) return;
    waiter.done = true;
    waiter.cancel?.remove(waiter);
    const project = waiter.project;
    if (!project) return waiter.resolve(value);
    let shown: unknown;
    try {
      shown = project.value(value);
    } catch (error) {
      return waiter.reject(project.error(error, waiter.entry.fetch));
    }
    waiter.resolve(shown);
  }

  private reject(waiter: Waiter, error: unknown): void {
    if (waiter.done) return;
    waiter.done = true;
    waiter.cancel?.remove(waiter);
    waiter.reject(waiter.project ? waiter.project.error(error, waiter.entry.fetch) : error);
  }

  /** A cell stops waiting (cancelled or timed out); the last one out stops the request. For Waiter only. */
  leave(waiter: Waiter, error: CellError): void {
    if (waiter.done) return;
    const entry = waiter.entry;
    entry.waiters.delete(waiter);
    this.reject(waiter, error);
    // Cells still waiting (previews included) keep the fetch; previews alone never send it (see flush).
    if (entry.waiters.size > 0) return;
    this.forget(entry);
    entry.queued = false;
    if (entry.controller) {
      this.counts.aborted++;
      entry.controller.abort();
    }
  }

  private enqueue(entry: Entry): void {
    entry.queued = true;
    this.queue.push(entry);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.defer(() => {
      this.flushScheduled = false;
      this.pump();
    });
  }

  /**
   * Hand queued fetches to the client while it has room: at the end of a wave (the pass the cells
   * arrived in), and again as each answer frees a place. A fetch whose cells all left, or that only
   * value previews wait on, is dropped from the queue unsent.
   */
  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.head < this.queue.length) {
      const entry = this.queue[this.head++]!;
      const send = entry.queued && hasCommittedWaiter(entry);
      entry.queued = false;
      if (send) this.send(entry);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private send(entry: Entry): void {
    const controller = new AbortController();
    entry.controller = controller;
    this.counts.sent++;
    this.inFlight++;
    const { fetch, client } = entry;
    // The client's timeout runs from the moment the request holds a slot, so it is this request's own.
    // `caller`: this batcher is the formula path's only cache and only dedupe layer; the client just
    // sends (a second layer there would join a LIVE read to the older request it must not share).
    const options = {
      path: fetch.path, query: fetch.query, body: fetch.body, signal: controller.signal, cache: 'caller' as const, timeoutMs: this.requestTimeoutMs,
      onSent: () => this.onWire(entry),
    };
    // Lists ask for the largest page the API takes: a table of a few hundred rows costs one request.
    const request = fetch.all
      ? client.listAll(fetch.endpoint as PagedKey, { ...options, pageSize: PAGINATION.maxPageSize })
      : client.call(fetch.endpoint, options);
    request.then(
      (value) => {
        this.done(entry);
        if (controller.signal.aborted) return;
        const answer = deepFreeze(value ?? null);
        if (!entry.stale) this.cache.set(entry.id, answer, { endpoint: fetch.endpoint, ids: fetch.account ? new Set([fetch.account]) : NO_IDS, accounts: NO_IDS });
        for (const w of entry.waiters) this.resolve(w, answer);
        entry.waiters.clear();
      },
      (error: unknown) => {
        this.done(entry);
        for (const w of entry.waiters) this.reject(w, error ?? new CellError('#N/A', UNREACHABLE_MESSAGE));
        entry.waiters.clear();
      },
    );
  }

  /** The request took a connection slot (first attempt, first page): its cells' stops start now. */
  private onWire(entry: Entry): void {
    if (entry.onWire) return;
    entry.onWire = true;
    for (const w of entry.waiters) if (!w.preview) this.arm(w, this.deadlines);
  }

  private arm(waiter: Waiter, deadlines: DeadlineQueue<Waiter>): void {
    if (waiter.armed) return;
    waiter.armed = true;
    deadlines.add(waiter);
  }

  /** A sent fetch settled (answered, failed or aborted): its place goes to the next queued one. */
  private done(entry: Entry): void {
    this.forget(entry);
    this.inFlight--;
    if (this.head < this.queue.length) this.pump();
  }

  private forget(entry: Entry): void {
    if (this.pending.get(entry.slot) === entry) this.pending.delete(entry.slot);
  }
}

/**
 * Every cell's hard deadline, with one timer instead of one per cell: all items share the same
 * timeout, so deadlines come due in the order the items were added.
 */
class DeadlineQueue<T extends { deadline: number; done: boolean }> {
  private items: T[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number,
    private readonly expire: (item: T) => void,
  ) {}

  add(item: T): void {
    item.deadline = this.now() + this.timeoutMs;
    this.items.push(item);
    if (this.timer === undefined) this.arm(this.timeoutMs);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.run(), Math.max(0, ms));
    // A pending deadline must not keep a CLI or test process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private run(): void {
    this.timer = undefined;
    const now = this.now();
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      if (!item.done && item.deadline > now) break;
      this.head++;
      if (!item.done) this.expire(item);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.items.length) this.arm(this.items[this.head]!.deadline - now);
    else {
      this.items = [];
      this.head = 0;
    }
  }
}

/**
 * The end of a wave: a microtask, i.e. once the code that called the functions has run to its end.
 * Excel's custom-functions runtime (office.js `CustomFunctionProxy._invokeRemainingBatchEntries`)
 * calls every invocation of a host message in one synchronous loop, and handles the same message's
 * cancellations right after it, so this point comes after the whole pass and its cancellations, and
 * before anything else runs. Not `setTimeout(run, 0)`: a shared runtime's webview is hidden while
 * the pane is closed, and hidden pages throttle timers (to a second or more), which held every wave
 * back (audit finding 9, office-js#6936). Not a MessageChannel either: its order against the host's
 * own messages is unspecified, so it gathers no more for sure. A later host message starts a new wave,
 * and its cells still join fetches that are queued or on the wire: the wave only decides when
 * fetches are handed to the client, never how many are sent.
 */
export function endOfWave(run: () => void): void {
  queueMicrotask(run);
}

function hasCommittedWaiter(entry: Entry): boolean {
  for (const w of entry.waiters) if (!w.preview) return true;
  return false;
}

/** A cache hit seen through a projection (a throw becomes the projection's error). */
function projected<T>(project: Projection<T>, fetch: Fetch, answer: unknown): Promise<T> {
  try {
    return Promise.resolve(project.value(answer));
  } catch (error) {
    return Promise.reject(project.error(error, fetch));
  }
}

function cancelled(): CellError {
  return new CellError('#N/A', 'Cancelled');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/**
 * Cache key: `requestKey` (url.ts, the one key encoder) scoped by the connection: environment + server
 * + which client, i.e. which sign-in. The client's serial keeps a cell asked after a new sign-in to the
 * same server from joining a request of the previous sign-in (its token, its soon-closed connection).
 */
const connectionScopes = new WeakMap<object, string>();
/**
 * The whole key of a reused (frozen) Fetch, for the last client that asked: a cell of a wave then
 * builds no string at all, and the maps it is looked up in reuse the string's hash.
 */
const fetchKeys = new WeakMap<Fetch, { client: object; key: string }>();
let clientSerial = 0;

export function cacheKey(client: Pick<CregoClient, 'environment' | 'baseUrl'>, fetch: Fetch): string {
  const known = fetchKeys.get(fetch);
  if (known !== undefined && known.client === client) return known.key;
  let scope = connectionScopes.get(client);
  if (scope === undefined) {
    // The serial alone tells clients apart; environment and server make the key readable.
    scope = `#${++clientSerial} ${client.environment} ${client.baseUrl}`;
    connectionScopes.set(client, scope);
  }
  const key = requestKey(scope, fetch.endpoint, fetch.path, fetch.query, { all: fetch.all, body: fetch.body });
  // Only a frozen fetch is known not to change under its remembered key.
  if (Object.isFrozen(fetch)) fetchKeys.set(fetch, { client, key });
  return key;
}
