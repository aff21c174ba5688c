/**
 * The contract every consumer of the Crego client codes against (functions, bulk, CLI,
 * task pane). The implementation lives in client.ts (with retry.ts, paging.ts, coalesce.ts, auth.ts, cache.ts);
 * this file holds only types and the error class so consumers stay decoupled from it.
 */
import type { EndpointKey, PagedKey } from './endpoints';
import type { ApiSettings } from './settings';
import type { Answer, PageItem } from './types';

export type ErrorKind =
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'unknown_outcome'
  | 'cancelled'
  | 'config';

export interface CregoErrorInit {
  kind: ErrorKind;
  /** Safe to show a person: never a token, a stack or raw HTML. */
  message: string;
  status?: number;
  requestId?: string;
  /** Per-field messages for `validation` (field → messages). */
  fieldErrors?: Record<string, string[]>;
  /** Endpoint key the error came from. */
  endpoint?: string;
  /** Seconds the server asked us to wait (429). */
  retryAfter?: number;
  /**
   * A bulk request refused as a whole (400): per-item field errors aligned with the request's items,
   * `{}` for an item with nothing wrong. Absent when the answer does not say which items are bad.
   */
  itemErrors?: Array<Record<string, string[]>>;
  /**
   * An earlier attempt of this same call may have been acted on (its answer was lost, or a gateway
   * gave up on it) before the attempt that failed with this error. The error then proves nothing about
   * whether the request took effect: a 429 or 401 refuses only the last attempt, not the first.
   */
  earlierAttemptUnknown?: boolean;
  /** For `network`: the system or TLS error code (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN…), to name the cause. */
  code?: string;
}

export class CregoError extends Error {
  readonly kind: ErrorKind;
  readonly status?: number;
  readonly requestId?: string;
  readonly fieldErrors?: Record<string, string[]>;
  readonly endpoint?: string;
  readonly retryAfter?: number;
  readonly itemErrors?: Array<Record<string, string[]>>;
  readonly earlierAttemptUnknown?: boolean;
  readonly code?: string;

  constructor(init: CregoErrorInit) {
    super(init.message);
    this.name = 'CregoError';
    this.kind = init.kind;
    this.status = init.status;
    this.requestId = init.requestId;
    this.fieldErrors = init.fieldErrors;
    this.endpoint = init.endpoint;
    this.retryAfter = init.retryAfter;
    this.itemErrors = init.itemErrors;
    if (init.earlierAttemptUnknown) this.earlierAttemptUnknown = true;
    if (init.code) this.code = init.code;
  }
}

export function isCregoError(e: unknown): e is CregoError {
  return e instanceof CregoError;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface CallOptions {
  /** Values for `{param}` placeholders in the endpoint's path. */
  path?: Record<string, string | number>;
  /** Query parameters; `undefined`/`null` are left out. */
  query?: Record<string, QueryValue>;
  /** JSON body for POST/PUT/PATCH. */
  body?: unknown;
  /**
   * Makes a POST safe to retry: the API replays the first answer for a repeated key
   * (see docs/api-assumptions.md). Without it a POST whose outcome is unknown fails with
   * `unknown_outcome` and is never sent again.
   */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /**
   * GET only. `bypass` skips the TTL cache (still coalesced with identical GETs in flight, and the
   * answer still cached). `caller`: the caller keeps answers and dedupes requests itself (the formula
   * batcher), so the client only sends: no cache read or write, no joining a request in flight.
   */
  cache?: 'default' | 'bypass' | 'caller';
  /** Per attempt, from the moment it holds a connection slot, its answer's body included. */
  timeoutMs?: number;
  /**
   * Called when an attempt takes a connection slot (again for each retry, and for each page of a
   * list): the request is on the wire from then on. A caller whose requests queue behind the client's
   * concurrency limit starts its own clock here rather than when it called.
   */
  onSent?: () => void;
}

export interface PageOptions extends CallOptions {
  pageSize?: number;
}

export interface InvalidateScope {
  /** Drop cached answers whose path or query names this account id. */
  account?: string;
  /** Drop cached answers of this endpoint key. */
  endpoint?: string;
}

export interface ClientStats {
  /** Requests put on the wire (retries counted). */
  sent: number;
  /** Answers served from the TTL cache. */
  cacheHits: number;
  /** Calls that joined an identical GET already in flight. */
  coalesced: number;
  /** Highest number of requests in flight at once. */
  peakInFlight: number;
  retries: number;
  /** The adaptive concurrency limit now (absent for clients without one). */
  concurrency?: ConcurrencyStatus;
}

export interface ConcurrencyStatus {
  /** Requests allowed on the wire at once right now. */
  limit: number;
  /** The most it may grow to. */
  ceiling: number;
  /** How long new sends are still held by a Retry-After (0 when not). */
  pausedMs: number;
}

export interface CregoClient {
  /** Call one endpoint of the map by key (a key not in the map fails `tsc`); resolves with its parsed answer. */
  call<K extends EndpointKey>(key: K, options?: CallOptions): Promise<Answer<K>>;
  /** Walk every page of a `page` endpoint (parameter names come from the map). */
  pages<K extends PagedKey>(key: K, options?: PageOptions): AsyncIterable<PageItem<K>[]>;
  /** Every result of every page of a `page` endpoint. */
  listAll<K extends PagedKey>(key: K, options?: PageOptions): Promise<PageItem<K>[]>;
  /** Drop cached GET answers: all, by account, or by endpoint. */
  invalidate(scope?: InvalidateScope): void;
  /** Environment label (e.g. `sandbox`, `preprod`, `production`), part of every cache key. */
  readonly environment: string;
  readonly baseUrl: string;
  /** The API profile's behaviour settings (UTR scope, business-date stamping); defaults when absent. */
  readonly settings?: ApiSettings;
  stats(): ClientStats;
}
