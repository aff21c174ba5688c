/**
 * What `createClient` / `createNodeClient` take (ClientConfig) and what they return beyond the shared
 * `CregoClient` contract (CregoHttpClient: carrier, resolver, stats, close).
 */
import type { ExpirySource } from './auth';
import type { LoginShape } from './platform';
import type { RetryPolicy } from './backoff';
import type { ClientStats, ConcurrencyStatus, CregoClient } from './contract';
import type { ApiProfile, EndpointResolver } from './profile';

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
  /**
   * Requests on the wire at once to start with (default 6); the limit then adapts to Crego's answers
   * (src/api/limiter.ts) up to `maxConcurrency`.
   */
  concurrency?: number;
  /** The adaptive limit's ceiling (default 64); equal to `concurrency` for a fixed limit. */
  maxConcurrency?: number;
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
  concurrency: ConcurrencyStatus;
  tokenRenewals: number;
  cacheEntries: number;
}

/** What both carriers return: the shared `CregoClient` plus lifecycle and introspection. */
export interface CregoHttpClient extends CregoClient {
  readonly carrier: string;
  readonly resolver: EndpointResolver;
  stats(): HttpClientStats;
  /** How the last sign-in went: its answer's shape and where the token's expiry came from (`crego doctor`). */
  signIn(): { loginShape: LoginShape; expiry: ExpirySource | undefined };
  /** Release pooled connections (Node). */
  close(): Promise<void>;
}
