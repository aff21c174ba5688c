/**
 * The carrier-independent client core: builds requests from the (profile-resolved) endpoint
 * map, adds the bearer token, limits concurrency, retries what is safe to retry, coalesces
 * identical GETs, caches GET answers, and turns every failure into one `CregoError`.
 * The two carriers (fetch for the browser, undici for Node) only move bytes: see transport.ts.
 *
 * Retry rules (docs/api-assumptions.md, "API client"):
 * - GET, PUT, DELETE are replay-safe: retried on 429 (after Retry-After), 502/503/504 and
 *   network errors, with exponential backoff and full jitter.
 * - A 429 is retried for every method, POST and PATCH included: the API refused it before doing
 *   anything (like a 401), so the re-send is the first time the request is acted on.
 * - A POST is replayed only with an Idempotency-Key (which the API honours on POST); a PATCH
 *   never (not idempotent in general, and no key is honoured for it). Without a replay, a
 *   request that may have reached the server but whose answer was lost (reset, timeout,
 *   502/504 from a gateway) fails with `unknown_outcome` and is never sent again. A request
 *   that provably never left (connection refused) is retried, since nothing reached Crego.
 * - A 401 (not on the auth endpoints) renews the token once and re-sends: the API refused it
 *   before doing anything. A second 401 surfaces as `auth`.
 */
import { CregoError, type CallOptions, type ClientStats, type CregoClient, type InvalidateScope, type PageOptions } from './contract';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, raceAbort, sleep, type RetryPolicy } from './backoff';
import { TtlCache } from './cache';
import { httpError } from './errors';
import { Limiter } from './limiter';
import {
  EndpointResolver,
  parseProfile,
  renameAnswer,
  renameBody,
  renameFieldErrors,
  type ApiProfile,
  type ApiSettings,
  type ResolvedEndpoint,
} from './profile';
import { TokenSource } from './auth';
import { stampBusinessDates, TIMEZONE } from './dates';
import type { Transport, WireResponse } from './transport';
import { toTransportError } from './transport';
import type { TokenAnswer } from './types';
import { baseUrlProblem, buildUrl, normaliseBaseUrl, requestKey, transportProblem } from './url';

export interface ClientConfig {
  /** e.g. `https://preprod.api.crego.io`, or `/api` behind the add-in server's proxy. */
  baseUrl: string;
  /** Label that scopes the cache (`sandbox`, `preprod`, `production`); defaults to the base URL. */
  environment?: string;
  /** A pasted bearer token. */
  token?: string;
  /** Sign-in through `auth.login` instead of a pasted token. */
  username?: string;
  password?: string;
  /** Requests on the wire at once (default 6). */
  concurrency?: number;
  /** Per-request timeout (default 30 000 ms). */
  timeoutMs?: number;
  /** How long a GET answer is reused (default 30 000 ms; 0 disables the cache). */
  cacheTtlMs?: number;
  retry?: Partial<RetryPolicy>;
  /** An API profile (object, e.g. from task pane settings, or JSON text), validated on creation. */
  profile?: ApiProfile | string | Record<string, unknown>;
  /** One event per attempt; never carries a token, a password or a body. */
  log?: (event: ClientLogEvent) => void;
}

export interface ClientLogEvent {
  endpoint: string;
  method: string;
  /** Path and query (ids, never a token). */
  url: string;
  attempt: number;
  status?: number;
  outcome: 'ok' | 'retry' | 'error';
  kind?: string;
  durationMs: number;
}

export interface HttpClientStats extends ClientStats {
  inFlight: number;
  tokenRenewals: number;
  cacheEntries: number;
}

/** What both carriers return: the shared `CregoClient` plus lifecycle and introspection. */
export interface CregoHttpClient extends CregoClient {
  readonly carrier: string;
  readonly resolver: EndpointResolver;
  stats(): HttpClientStats;
  /** Release pooled connections (Node). */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONCURRENCY = 6;
export const DEFAULT_CACHE_TTL_MS = 30_000;
/**
 * Page size `listAll` asks for when the caller names none: it wants everything, so fewer,
 * larger pages (the map's default of 15 would mean 7× the requests). A server with a lower
 * maximum serves less per page and `listAll` follows what page 1 actually held.
 */
export const LIST_ALL_PAGE_SIZE = 100;
/** Marker: use the map's default page size (`pages()` walks what a person would page through). */
const DEFAULT_PAGE_SIZE = Symbol('map default page size');

/** Why an attempt's signal fired: our timer, or the caller(s) giving up. */
class TimeoutReason {}

type FailureKind = 'timeout' | 'cancelled' | 'network';
class AttemptFailure {
  constructor(
    readonly kind: FailureKind,
    /** Whether the request may have reached the server. */
    readonly sent: boolean,
    readonly code?: string,
  ) {}
}

interface Flight {
  promise: Promise<WireResponse>;
  controller: AbortController;
  waiters: number;
  generation: number;
}

const REPLAY_SAFE_METHODS = new Set(['GET', 'PUT', 'DELETE']);
const GATEWAY_RETRY = new Set([502, 503, 504]);

export function createClientWith(config: ClientConfig, transport: Transport): CregoHttpClient {
  return new HttpClient(config, transport);
}

class HttpClient implements CregoHttpClient {
  readonly environment: string;
  readonly baseUrl: string;
  readonly resolver: EndpointResolver;
  readonly settings: ApiSettings;
  private readonly limiter: Limiter;
  private readonly cache: TtlCache;
  private readonly tokens: TokenSource;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly flights = new Map<string, Flight>();
  /** Bumped by every invalidation: an answer fetched before it is neither cached nor joined. */
  private generation = 0;
  private readonly counters = { sent: 0, cacheHits: 0, coalesced: 0, retries: 0 };

  constructor(
    private readonly config: ClientConfig,
    private readonly transport: Transport,
  ) {
    if (!config.baseUrl) throw new CregoError({ kind: 'config', message: 'No Crego base URL configured' });
    this.baseUrl = normaliseBaseUrl(config.baseUrl);
    // Every client (pane, functions, CLI, server): a token goes over TLS, or stays on this machine.
    const problem = baseUrlProblem(this.baseUrl) ?? transportProblem(this.baseUrl);
    if (problem) throw new CregoError({ kind: 'config', message: problem });
    this.environment = config.environment ?? this.baseUrl;
    const profile = config.profile === undefined ? undefined : parseProfile(config.profile);
    this.resolver = new EndpointResolver(profile);
    this.settings = this.resolver.settings;
    this.limiter = new Limiter(config.concurrency ?? DEFAULT_CONCURRENCY);
    this.cache = new TtlCache(config.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS);
    this.retry = { ...DEFAULT_RETRY, ...config.retry };
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tokens = new TokenSource(config, (key, body, signal, headers) => this.authPost(key, body, signal, headers));
  }

  get carrier(): string {
    return this.transport.carrier;
  }

  async call<T = unknown>(key: string, options: CallOptions = {}): Promise<T> {
    const ep = this.resolver.get(key);
    const url = this.url(ep, options);
    if (ep.method !== 'GET') {
      const res = await this.execute(ep, url, options, options.signal);
      this.invalidateAfterWrite(ep, options);
      try {
        return this.decode(ep, res) as T;
      } catch (err) {
        // A 2xx we cannot read (an HTML page from a portal or a misrouted proxy, a cut-off body):
        // whatever answered may have acted on the write, so say so instead of a plain `server` error.
        if ((ep.method === 'POST' || ep.method === 'PATCH') && !ep.noAuth) throw this.unknownOutcome(ep, 'unreadable', 0, res.status);
        throw err;
      }
    }
    const ck = requestKey(this.environment, key, options.path, options.query);
    if (options.cache !== 'bypass') {
      const hit = this.cache.get(ck);
      if (hit) {
        this.counters.cacheHits++;
        return this.decode(ep, { status: 200, text: hit.text, header: () => null }) as T;
      }
    }
    const res = await this.join(ck, options.signal, (signal, generation) =>
      this.execute(ep, url, options, signal).then((r) => {
        if (generation === this.generation) this.remember(ck, ep, options, r);
        return r;
      }),
    );
    return this.decode(ep, res) as T;
  }

  pages<T = unknown>(key: string, options: PageOptions = {}): AsyncIterable<T[]> {
    const ep = this.pagedEndpoint(key);
    return this.walk<T>(key, ep, options, 1, this.pageSize(ep, options, DEFAULT_PAGE_SIZE), 0);
  }

  /** Page 1 first (to learn the count), then the remaining pages side by side under the concurrency limit. */
  async listAll<T = unknown>(key: string, options: PageOptions = {}): Promise<T[]> {
    const ep = this.pagedEndpoint(key);
    const size = this.pageSize(ep, options, LIST_ALL_PAGE_SIZE);
    const first = await this.call<{ count?: unknown; results?: T[] }>(
      key,
      this.pageOptions(ep, options, 1, size),
    );
    const results = Array.isArray(first?.results) ? [...first.results] : [];
    const count = typeof first?.count === 'number' ? first.count : undefined;
    // Page 1 is full unless it is the only page, so its length is the page size the server really
    // serves: a server that caps the size but reports the size asked for would make us skip rows.
    const served = results.length;
    if (count === undefined || served === 0) {
      // No count: walk sequentially until a short page.
      if (results.length < size) return results;
      for await (const page of this.walk<T>(key, ep, options, 2, size, results.length)) results.push(...page);
      return results;
    }
    const pageCount = Math.ceil(count / served);
    const rest = await Promise.all(
      Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) =>
        this.call<{ results?: T[] }>(key, this.pageOptions(ep, options, i + 2, served)),
      ),
    );
    for (const r of rest) if (Array.isArray(r?.results)) results.push(...r.results);
    return results;
  }

  invalidate(scope: InvalidateScope = {}): void {
    this.generation++;
    this.cache.invalidate(scope);
  }

  stats(): HttpClientStats {
    return {
      ...this.counters,
      peakInFlight: this.limiter.peakInFlight,
      inFlight: this.limiter.inFlight,
      tokenRenewals: this.tokens.renewals,
      cacheEntries: this.cache.size,
    };
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────

  private url(ep: ResolvedEndpoint, options: CallOptions): string {
    // `encodeURIComponent` leaves `.` and `..` as they are, and every URL parser then resolves them:
    // the id `..` of Get Summary would call /v1/lms/summary/, of Delete Fee `DELETE /v1/lms/`.
    for (const value of Object.values(options.path ?? {})) {
      if (String(value) === '.' || String(value) === '..')
        throw new CregoError({ kind: 'not_found', endpoint: ep.key, message: `Not found: '${value}' is not an id (${ep.name})` });
    }
    try {
      const query = stampBusinessDates(options.query, this.settings.businessDateEncoding);
      return buildUrl(this.baseUrl, ep.path, options.path, query, ep.queryNames);
    } catch (err) {
      throw new CregoError({ kind: 'config', endpoint: ep.key, message: `${ep.name}: ${(err as Error).message}` });
    }
  }

  private pagedEndpoint(key: string): ResolvedEndpoint {
    const ep = this.resolver.get(key);
    if (ep.answer !== 'page')
      throw new CregoError({ kind: 'config', endpoint: key, message: `${ep.name} does not answer with pages` });
    return ep;
  }

  /** The caller's page size, else `fallback` (or the map's default when it is DEFAULT_PAGE_SIZE), capped by the map. */
  private pageSize(ep: ResolvedEndpoint, options: PageOptions, fallback: number | typeof DEFAULT_PAGE_SIZE): number {
    const wanted = options.pageSize ?? (fallback === DEFAULT_PAGE_SIZE ? ep.pagination.defaultPageSize : fallback);
    return Math.max(1, Math.min(ep.pagination.maxPageSize, Math.floor(wanted)));
  }

  private pageOptions(ep: ResolvedEndpoint, options: PageOptions, page: number, size: number): CallOptions {
    return { ...options, query: { ...options.query, [ep.pagination.page]: page, [ep.pagination.pageSize]: size } };
  }

  /**
   * Pages one by one from `from`, `seen` results already read. Stops at `count` when the answer
   * has one, else at the first short page.
   */
  private async *walk<T>(key: string, ep: ResolvedEndpoint, options: PageOptions, from: number, size: number, seen: number) {
    for (let page = from; page <= 1_000_000; page++) {
      const answer = await this.call<{ count?: unknown; results?: T[] }>(key, this.pageOptions(ep, options, page, size));
      const results = Array.isArray(answer?.results) ? answer.results : [];
      seen += results.length;
      if (results.length) yield results;
      const count = typeof answer?.count === 'number' ? answer.count : undefined;
      if (results.length === 0 || (count !== undefined ? seen >= count : results.length < size)) return;
    }
  }

  /** Join an identical GET in flight, or start one. The request is aborted only when every waiter gave up. */
  private join(
    key: string,
    signal: AbortSignal | undefined,
    start: (signal: AbortSignal, generation: number) => Promise<WireResponse>,
  ): Promise<WireResponse> {
    let flight = this.flights.get(key);
    if (flight && flight.generation === this.generation) {
      this.counters.coalesced++;
    } else {
      const controller = new AbortController();
      const f: Flight = { controller, waiters: 0, generation: this.generation, promise: undefined as never };
      f.promise = start(controller.signal, f.generation).finally(() => {
        if (this.flights.get(key) === f) this.flights.delete(key);
      });
      // Nobody may be listening any more when it settles; that is not an unhandled rejection.
      f.promise.catch(() => {});
      this.flights.set(key, f);
      flight = f;
    }
    const f = flight;
    f.waiters++;
    if (!signal) return f.promise;
    return raceAbort(f.promise, signal, () => {
      f.waiters--;
      if (f.waiters === 0) f.controller.abort(signal.reason);
      return this.cancelled(key);
    });
  }

  private remember(ck: string, ep: ResolvedEndpoint, options: CallOptions, res: WireResponse): void {
    if (!this.cache.enabled) return;
    const ids = new Set<string>();
    for (const v of Object.values(options.path ?? {})) ids.add(String(v));
    for (const v of Object.values(options.query ?? {})) if (v !== undefined && v !== null) ids.add(String(v));
    const accounts = new Set<string>();
    try {
      const answer = renameAnswer(ep, JSON.parse(res.text)) as { account?: unknown; results?: unknown };
      if (typeof answer?.account === 'string') accounts.add(answer.account);
      if (Array.isArray(answer?.results))
        for (const r of answer.results) if (typeof r?.account === 'string') accounts.add(r.account);
    } catch {
      return; // not JSON: decode() reports it; do not cache
    }
    this.cache.set(ck, { text: res.text, endpoint: ep.key, ids, accounts });
  }

  /** A successful write changes what GETs would answer: drop cached answers of the accounts it names. */
  private invalidateAfterWrite(ep: ResolvedEndpoint, options: CallOptions): void {
    if (ep.noAuth) return;
    const accounts = new Set<string>();
    const body = options.body as { account?: unknown; items?: Array<{ account?: unknown }> } | undefined;
    if (typeof body?.account === 'string') accounts.add(body.account);
    if (Array.isArray(body?.items)) for (const it of body.items) if (typeof it?.account === 'string') accounts.add(it.account);
    for (const v of Object.values(options.path ?? {})) accounts.add(String(v));
    if (accounts.size === 0) return this.invalidate();
    this.generation++;
    for (const account of accounts) this.cache.invalidate({ account });
  }

  private decode(ep: ResolvedEndpoint, res: WireResponse): unknown {
    if (!res.text.trim()) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.text);
    } catch {
      throw new CregoError({
        kind: 'server',
        status: res.status,
        endpoint: ep.key,
        message: `Crego answered ${ep.name} with something that is not JSON (HTTP ${res.status})`,
      });
    }
    return renameAnswer(ep, parsed);
  }

  private cancelled(key: string): CregoError {
    return new CregoError({ kind: 'cancelled', endpoint: key, message: 'Cancelled' });
  }

  private authPost(key: 'auth.login' | 'auth.refresh', body: unknown, signal?: AbortSignal, headers?: Record<string, string>): Promise<TokenAnswer> {
    const ep = this.resolver.get(key);
    return this.execute(ep, this.url(ep, {}), { body }, signal, headers).then((r) => this.decode(ep, r) as TokenAnswer);
  }

  /**
   * Send with retries; resolves with a 2xx answer or rejects with a CregoError. When an earlier attempt
   * may have been acted on (answer lost, gateway gave up) and a later one then fails, the error says so
   * (`earlierAttemptUnknown`): a 429 or a 401 on the retry refuses the retry, not the first attempt.
   */
  private async execute(
    ep: ResolvedEndpoint,
    url: string,
    options: CallOptions,
    signal: AbortSignal | undefined,
    /** Sign-in's Basic credentials (never on an API call). */
    extraHeaders?: Record<string, string>,
  ): Promise<WireResponse> {
    const fate = { maybeActed: false };
    try {
      return await this.executeAttempts(ep, url, options, signal, fate, extraHeaders);
    } catch (err) {
      if (fate.maybeActed && err instanceof CregoError && err.kind !== 'unknown_outcome' && !err.earlierAttemptUnknown) {
        throw new CregoError({ ...err, message: err.message, earlierAttemptUnknown: true });
      }
      throw err;
    }
  }

  private async executeAttempts(
    ep: ResolvedEndpoint,
    url: string,
    options: CallOptions,
    signal: AbortSignal | undefined,
    fate: { maybeActed: boolean },
    extraHeaders?: Record<string, string>,
  ): Promise<WireResponse> {
    // Auth endpoints create nothing, so a lost sign-in answer is safe to ask again. The API
    // honours Idempotency-Key on POST only (docs/api-assumptions.md), so a PATCH is never replayed.
    const replaySafe =
      REPLAY_SAFE_METHODS.has(ep.method) || (ep.method === 'POST' && !!options.idempotencyKey) || !!ep.noAuth;
    const bodyText =
      options.body === undefined
        ? undefined
        : JSON.stringify(renameBody(ep, stampBusinessDates(options.body, this.settings.businessDateEncoding)));
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let retries = 0;
    let renewedAfter401 = false;
    for (;;) {
      let token: string | undefined;
      try {
        token = ep.noAuth ? undefined : await this.tokens.token(signal);
      } catch (err) {
        if (signal?.aborted) throw this.cancelled(ep.key);
        throw err;
      }
      // X-Timezone: the newer platform renders date-times in the zone the client names; the first ignores it.
      const headers: Record<string, string> = { Accept: 'application/json', 'X-Timezone': TIMEZONE, ...extraHeaders };
      if (bodyText !== undefined) headers['Content-Type'] = 'application/json';
      if (token) headers.Authorization = `Bearer ${token}`;
      if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
      const started = Date.now();
      const log = (outcome: ClientLogEvent['outcome'], status?: number, kind?: string) =>
        this.config.log?.({
          endpoint: ep.key,
          method: ep.method,
          url: url.slice(this.baseUrl.length),
          attempt: retries + 1,
          status,
          outcome,
          kind,
          durationMs: Date.now() - started,
        });

      let res: WireResponse;
      try {
        res = await this.attempt(ep.method, url, headers, bodyText, signal, timeoutMs);
      } catch (failure) {
        if (!(failure instanceof AttemptFailure)) throw failure;
        log('error', undefined, failure.kind);
        if (failure.sent && !replaySafe) throw this.unknownOutcome(ep, failure.kind, timeoutMs);
        if (failure.kind === 'cancelled') throw this.cancelled(ep.key);
        if (failure.kind === 'timeout')
          throw new CregoError({
            kind: 'timeout',
            endpoint: ep.key,
            message: `Crego did not answer ${ep.name} within ${duration(timeoutMs)}`,
          });
        if (retries < this.retry.retries) {
          if (failure.sent) fate.maybeActed = true;
          await this.pause(backoffDelay(retries, this.retry), signal, ep.key);
          retries++;
          this.counters.retries++;
          continue;
        }
        throw new CregoError({
          kind: 'network',
          endpoint: ep.key,
          code: failure.code,
          message: `Could not reach Crego at ${hostOf(this.baseUrl)}${failure.code ? ` (${failure.code})` : ''}: check the connection`,
        });
      }

      const status = res.status;
      if (status >= 200 && status < 300) {
        log('ok', status);
        return res;
      }
      if (status === 401 && !ep.noAuth && this.tokens.canRenew && !renewedAfter401) {
        // Refused before anything happened: renew once (shared with other callers) and re-send.
        log('retry', status, 'auth');
        renewedAfter401 = true;
        this.tokens.reject(token);
        continue;
      }
      const retryAfterMs = parseRetryAfter(res.header('retry-after'));
      const canRetry = replaySafe && retries < this.retry.retries;
      // A 429 is a refusal before any work (a rate limit is checked before the request is
      // handled), so re-sending it repeats nothing, whatever the method: like the 401 above, a
      // POST without a key is re-sent too.
      if (status === 429 && retries < this.retry.retries && (retryAfterMs ?? 0) <= this.retry.maxRetryAfterMs) {
        log('retry', status, 'rate_limited');
        await this.pause(retryAfterMs ?? backoffDelay(retries, this.retry), signal, ep.key);
        retries++;
        this.counters.retries++;
        continue;
      }
      if (GATEWAY_RETRY.has(status) && canRetry) {
        log('retry', status, 'server');
        // A 502/504 comes from a gateway that may have handed the request on before giving up.
        if (status !== 503) fate.maybeActed = true;
        await this.pause(backoffDelay(retries, this.retry), signal, ep.key);
        retries++;
        this.counters.retries++;
        continue;
      }
      log('error', status);
      // A gateway error on a one-shot request: the upstream may have acted before the gateway gave up.
      if ((status === 502 || status === 504) && !replaySafe) throw this.unknownOutcome(ep, 'gateway', timeoutMs, status);
      const error = httpError({
        endpoint: ep.key,
        name: ep.name,
        group: ep.group,
        status,
        text: res.text,
        requestId: res.header('x-request-id') ?? undefined,
        retryAfterMs,
        secrets: this.tokens.secrets(),
        authMessage: ep.noAuth ? 'Sign-in failed: check the username and password' : this.tokens.expiredMessage,
      });
      if (error.fieldErrors) (error as { fieldErrors?: Record<string, string[]> }).fieldErrors = renameFieldErrors(ep, error.fieldErrors);
      if (error.itemErrors) (error as { itemErrors?: Array<Record<string, string[]>> }).itemErrors = error.itemErrors.map((e) => renameFieldErrors(ep, e) ?? e);
      throw error;
    }
  }

  /** One exchange under the concurrency limit and the per-request timeout. */
  private async attempt(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<WireResponse> {
    let release: () => void;
    try {
      release = await this.limiter.acquire(signal);
    } catch {
      throw new AttemptFailure('cancelled', false);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutReason()), timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.counters.sent++;
    try {
      return await this.transport.send({ method, url, headers, body, signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) {
        throw new AttemptFailure(controller.signal.reason instanceof TimeoutReason ? 'timeout' : 'cancelled', true);
      }
      const te = toTransportError(err);
      throw new AttemptFailure('network', te.sent !== false, te.code);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      release();
    }
  }

  private async pause(ms: number, signal: AbortSignal | undefined, key: string): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch {
      throw this.cancelled(key);
    }
  }

  private unknownOutcome(ep: ResolvedEndpoint, why: FailureKind | 'gateway' | 'unreadable', timeoutMs: number, status?: number): CregoError {
    const cause =
      why === 'timeout'
        ? `no answer within ${duration(timeoutMs)}`
        : why === 'cancelled'
          ? 'it was cancelled after being sent'
          : why === 'gateway'
            ? `a gateway error (HTTP ${status})`
            : why === 'unreadable'
              ? `HTTP ${status}, but the answer is not JSON`
              : 'the connection dropped before the answer';
    return new CregoError({
      kind: 'unknown_outcome',
      endpoint: ep.key,
      status,
      message: `${ep.name}: Crego may or may not have done this (${cause}). It was not sent again: check in Crego before retrying`,
    });
  }
}

/** `30 s`, or `150 ms` below a second. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function hostOf(baseUrl: string): string {
  const m = /^[a-z]+:\/\/([^/]+)/i.exec(baseUrl);
  return m ? m[1] : baseUrl || 'the configured address';
}
