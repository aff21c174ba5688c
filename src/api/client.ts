/**
 * The carrier-independent client core: builds requests from the (profile-resolved) endpoint
 * map, adds the bearer token, limits concurrency, retries what is safe to retry, coalesces
 * identical GETs (coalesce.ts), caches GET answers, reads paged lists (paging.ts), and turns every
 * failure into one `CregoError`. The two carriers (fetch for the browser, undici for Node) only move
 * bytes: see transport.ts. Whether to retry is decided in retry.ts (one pure function, with the rules);
 * `execute` here only acts on that decision.
 */
import { CregoError, type CallOptions, type InvalidateScope, type PageOptions } from './contract';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, sleep, type RetryPolicy } from './backoff';
import { Coalescer } from './coalesce';
import { accountsIn, accountsWrittenBy, idsOf, TtlCache } from './cache';
import { cancelledError, giveUpError, unknownOutcome, withEarlierAttemptUnknown } from './failures';
import type { EndpointKey, PagedKey } from './endpoints';
import { DEFAULT_INITIAL_LIMIT, DEFAULT_LIMIT_CEILING, Limiter, type LimitSample, type Release } from './limiter';
import { Pager } from './paging';
import { EndpointResolver, parseProfile, renameAnswer, renameBody, type ApiSettings, type ResolvedEndpoint } from './profile';
import { TokenSource } from './auth';
import { stampBusinessDates, TIMEZONE } from './dates';
import type { Transport, WireResponse } from './transport';
import { toTransportError } from './transport';
import { decideRetry, isReplaySafe, type AttemptFailure, type AttemptOutcome, type RetryDecision } from './retry';
import type { Answer, PageItem, TokenAnswer } from './types';
import { baseUrlProblem, buildUrl, normaliseBaseUrl, requestKey, transportProblem } from './url';
import type { ClientConfig, ClientLogEvent, CregoHttpClient, HttpClientStats } from './client-options';

export type { ClientConfig, ClientLogEvent, CregoHttpClient, HttpClientStats } from './client-options';

export const DEFAULT_TIMEOUT_MS = 30_000;
/** The adaptive limit's start (a browser's six connections per host over HTTP/1.1) and its default ceiling. */
export const DEFAULT_CONCURRENCY = DEFAULT_INITIAL_LIMIT;
export const DEFAULT_MAX_CONCURRENCY = DEFAULT_LIMIT_CEILING;
export const DEFAULT_CACHE_TTL_MS = 30_000;

/** Why an attempt's signal fired: our timer, or the caller(s) giving up. */
class TimeoutReason {}

export function createClientWith(config: ClientConfig, transport: Transport): CregoHttpClient {
  return new HttpClient(config, transport);
}

class HttpClient implements CregoHttpClient {
  readonly environment: string;
  readonly baseUrl: string;
  readonly resolver: EndpointResolver;
  readonly settings: ApiSettings;
  private readonly limiter: Limiter;
  /** Answers as text: every caller parses its own copy. */
  private readonly cache: TtlCache<string>;
  private readonly tokens: TokenSource;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly flights: Coalescer;
  private readonly pager: Pager;
  /** Bumped by every invalidation: an answer fetched before it is neither cached nor joined. */
  private generation = 0;
  private readonly counters = { sent: 0, cacheHits: 0, retries: 0 };

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
    this.limiter = new Limiter({ initial: config.concurrency ?? DEFAULT_CONCURRENCY, ceiling: maxConcurrency(config) });
    this.cache = new TtlCache(config.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS);
    this.retry = { ...DEFAULT_RETRY, ...config.retry };
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tokens = new TokenSource(config, (key, body, signal, headers) => this.authPost(key, body, signal, headers));
    this.flights = new Coalescer((key) => this.cancelled(key));
    this.pager = new Pager(this.resolver, (key, options) => this.callByKey(key, options));
  }

  get carrier(): string {
    return this.transport.carrier;
  }

  call<K extends EndpointKey>(key: K, options: CallOptions = {}): Promise<Answer<K>> {
    return this.callByKey(key, options) as Promise<Answer<K>>;
  }

  pages<K extends PagedKey>(key: K, options: PageOptions = {}): AsyncIterable<PageItem<K>[]> {
    return this.pager.pages<PageItem<K>>(key, options);
  }

  listAll<K extends PagedKey>(key: K, options: PageOptions = {}): Promise<PageItem<K>[]> {
    return this.pager.listAll<PageItem<K>>(key, options);
  }

  invalidate(scope: InvalidateScope = {}): void {
    this.generation++;
    this.cache.invalidate(scope);
  }

  stats(): HttpClientStats {
    return {
      ...this.counters,
      coalesced: this.flights.joined,
      peakInFlight: this.limiter.peakInFlight,
      inFlight: this.limiter.inFlight,
      concurrency: { limit: this.limiter.limit, ceiling: this.limiter.ceiling, pausedMs: this.limiter.pausedForMs },
      tokenRenewals: this.tokens.renewals,
      cacheEntries: this.cache.size,
    };
  }

  signIn() {
    return { loginShape: this.tokens.loginShape, expiry: this.tokens.expirySource };
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────

  /** A write goes straight out; a GET is answered from the cache, joins one in flight, or goes out. */
  private async callByKey(key: string, options: CallOptions): Promise<unknown> {
    const ep = this.resolver.get(key);
    const url = this.url(ep, options);
    if (ep.method !== 'GET') {
      const res = await this.execute(ep, url, options, options.signal);
      this.invalidateAfterWrite(ep, options);
      try {
        return this.decode(ep, res);
      } catch (err) {
        // A 2xx we cannot read (an HTML page from a portal or a misrouted proxy, a cut-off body):
        // whatever answered may have acted on the write, so say so instead of a plain `server` error.
        if ((ep.method === 'POST' || ep.method === 'PATCH') && !ep.noAuth) throw unknownOutcome(ep, 'unreadable', 0, res.status);
        throw err;
      }
    }
    // The formula batcher caches and dedupes on its own terms (value previews, LIVE reads kept apart
    // from older ones): a second layer here would only join what it must keep apart.
    if (options.cache === 'caller') return this.decode(ep, await this.execute(ep, url, options, options.signal));
    const ck = requestKey(this.environment, key, options.path, options.query);
    if (options.cache !== 'bypass') {
      const text = this.cache.get(ck);
      if (text !== undefined) {
        this.counters.cacheHits++;
        return this.decode(ep, { status: 200, text, header: () => null });
      }
    }
    const generation = this.generation;
    const res = await this.flights.join(ck, generation, options.signal, (signal) =>
      this.execute(ep, url, options, signal).then((r) => {
        if (generation === this.generation) this.remember(ck, ep, options, r);
        return r;
      }),
    );
    return this.decode(ep, res);
  }

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

  private remember(ck: string, ep: ResolvedEndpoint, options: CallOptions, res: WireResponse): void {
    if (!this.cache.enabled) return;
    let answer: unknown;
    try {
      answer = renameAnswer(ep, JSON.parse(res.text));
    } catch {
      return; // not JSON: decode() reports it; do not cache
    }
    this.cache.set(ck, res.text, { endpoint: ep.key, ids: idsOf(options.path, options.query), accounts: accountsIn(answer) });
  }

  /** A successful write changes what GETs would answer: drop cached answers of the accounts it names. */
  private invalidateAfterWrite(ep: ResolvedEndpoint, options: CallOptions): void {
    if (ep.noAuth) return;
    const accounts = accountsWrittenBy(options.body, options.path);
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
    return cancelledError(key);
  }

  private authPost(key: 'auth.login' | 'auth.refresh', body: unknown, signal?: AbortSignal, headers?: Record<string, string>): Promise<TokenAnswer> {
    const ep = this.resolver.get(key);
    return this.execute(ep, this.url(ep, {}), { body }, signal, headers).then((r) => this.decode(ep, r) as TokenAnswer);
  }

  /**
   * Send, and act on `decideRetry` after each attempt: resolve with a 2xx answer, renew the token and
   * re-send, wait and re-send, or reject with a CregoError. When an earlier attempt may have been acted
   * on (answer lost, gateway gave up) and a later one then fails, the error says so
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
    const replaySafe = isReplaySafe(ep.method, options.idempotencyKey, !!ep.noAuth);
    const body = options.body === undefined ? undefined : JSON.stringify(renameBody(ep, stampBusinessDates(options.body, this.settings.businessDateEncoding)));
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const state = { retries: 0, renewed: false, maybeActed: false };
    const marked = (err: unknown) => (state.maybeActed ? withEarlierAttemptUnknown(err) : err);
    for (;;) {
      const token = await this.tokenFor(ep, signal).catch((err) => Promise.reject(marked(err)));
      const started = Date.now();
      const headers = this.headers(token, body !== undefined, options.idempotencyKey, extraHeaders);
      const outcome = await this.attempt(ep.method, url, headers, body, signal, timeoutMs, options.onSent);
      const decision = decideRetry({
        outcome,
        replaySafe,
        retries: state.retries,
        policy: this.retry,
        noAuth: !!ep.noAuth,
        canRenew: this.tokens.canRenew && !state.renewed,
        backoffMs: backoffDelay(state.retries, this.retry),
      });
      this.logAttempt(ep, url, state.retries + 1, started, outcome, decision);
      switch (decision.action) {
        case 'done':
          return (outcome as { res: WireResponse }).res;
        case 'renew':
          // Refused before anything happened: renew once (shared with other callers) and re-send.
          state.renewed = true;
          this.tokens.reject(token);
          continue;
        case 'retry':
          if (decision.maybeActed) state.maybeActed = true;
          await this.pause(decision.delayMs, signal, ep.key);
          state.retries++;
          this.counters.retries++;
          continue;
        case 'fail':
          throw marked(giveUpError(ep, decision, 'res' in outcome ? outcome.res : undefined, 'res' in outcome ? outcome.retryAfterMs : undefined, {
            baseUrl: this.baseUrl, timeoutMs, secrets: this.tokens.secrets(), expiredMessage: this.tokens.expiredMessage,
          }));
      }
    }
  }

  private async tokenFor(ep: ResolvedEndpoint, signal: AbortSignal | undefined): Promise<string | undefined> {
    if (ep.noAuth) return undefined;
    try {
      return await this.tokens.token(signal);
    } catch (err) {
      if (signal?.aborted) throw this.cancelled(ep.key);
      throw err;
    }
  }

  private headers(token: string | undefined, hasBody: boolean, idempotencyKey: string | undefined, extra?: Record<string, string>): Record<string, string> {
    // X-Timezone: the newer platform renders date-times in the zone the client names; the first ignores it.
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Timezone': TIMEZONE, ...extra };
    if (hasBody) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    return headers;
  }

  private logAttempt(ep: ResolvedEndpoint, url: string, attempt: number, started: number, outcome: Outcome, decision: RetryDecision): void {
    if (!this.config.log) return;
    const status = 'res' in outcome ? outcome.status : undefined;
    const [result, kind]: [ClientLogEvent['outcome'], string | undefined] =
      'failure' in outcome ? ['error', outcome.failure.kind]
      : decision.action === 'done' ? ['ok', undefined]
      : decision.action === 'renew' ? ['retry', 'auth']
      : decision.action === 'retry' ? ['retry', decision.kind]
      : ['error', undefined];
    this.config.log({ endpoint: ep.key, method: ep.method, url: url.slice(this.baseUrl.length), attempt, status, outcome: result, kind, durationMs: Date.now() - started });
  }

  /** One exchange under the concurrency limit and the per-request timeout: an answer, or why none came. */
  private async attempt(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    onSent?: () => void,
  ): Promise<Outcome> {
    let release: Release;
    try {
      release = await this.limiter.acquire(signal);
    } catch {
      return { failure: { kind: 'cancelled', sent: false } };
    }
    onSent?.();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutReason()), timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.counters.sent++;
    const sentAt = Date.now();
    let outcome: Outcome = { failure: { kind: 'cancelled', sent: true } };
    try {
      const res = await this.transport.send({ method, url, headers, body, signal: controller.signal });
      outcome = { status: res.status, retryAfterMs: parseRetryAfter(res.header('retry-after')), res };
      // A Retry-After holds the whole client, not only this request's retry (docs/api-assumptions.md).
      if (outcome.retryAfterMs !== undefined && (res.status === 429 || res.status === 503))
        this.limiter.pause(Math.min(outcome.retryAfterMs, this.retry.maxRetryAfterMs));
    } catch (err) {
      if (controller.signal.aborted) {
        outcome = { failure: { kind: controller.signal.reason instanceof TimeoutReason ? 'timeout' : 'cancelled', sent: true } };
      } else {
        const te = toTransportError(err);
        outcome = { failure: { kind: 'network', sent: te.sent !== false, code: te.code } };
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      release(limitSample(outcome, Date.now() - sentAt));
    }
    return outcome;
  }

  private async pause(ms: number, signal: AbortSignal | undefined, key: string): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch {
      throw this.cancelled(key);
    }
  }
}

/** What one attempt came to: an answer (with its Retry-After), or a failure before any answer. */
type Outcome = AttemptOutcome & ({ failure: AttemptFailure } | { status: number; retryAfterMs?: number; res: WireResponse });

/**
 * What an attempt tells the concurrency limit: refused (429, 503), no answer in time (timeout, 504), a
 * round trip, or nothing. Only a 2xx is a round trip: a 404 for a mistyped account or a 401 comes back
 * quicker than any real answer, and as the lowest round trip seen it would hold the limit down for good.
 */
function limitSample(outcome: Outcome, rttMs: number): LimitSample {
  if ('failure' in outcome) return outcome.failure.kind === 'timeout' ? 'timeout' : 'none';
  if (outcome.status === 429 || outcome.status === 503) return 'refused';
  if (outcome.status === 504) return 'timeout';
  return outcome.status >= 200 && outcome.status < 300 ? { rttMs } : 'none';
}

/** The adaptive limit's ceiling: `maxConcurrency`, else 64 (never below the starting concurrency). */
export function maxConcurrency(config: Pick<ClientConfig, 'concurrency' | 'maxConcurrency'>): number {
  return config.maxConcurrency ?? Math.max(DEFAULT_MAX_CONCURRENCY, config.concurrency ?? DEFAULT_CONCURRENCY);
}
