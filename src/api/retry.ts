/**
 * The retry decision, as one pure function: given what happened to an attempt (an answer's status, or
 * a failure before any answer), say whether to retry after N ms, renew the token and re-send, or give
 * up, and how. `HttpClient.execute` only acts on the answer. The rules (docs/api-assumptions.md, "API client"):
 * - GET, PUT, DELETE are replay-safe: retried on 429 (after Retry-After), 502/503/504 and network
 *   errors, with exponential backoff and full jitter.
 * - A 429 is retried for every method, POST and PATCH included: the API refused it before doing
 *   anything (like a 401), so the re-send is the first time the request is acted on.
 * - A POST is replayed only with an Idempotency-Key (which the API honours on POST); a PATCH never
 *   (not idempotent in general, and no key is honoured for it). Without a replay, a request that may
 *   have reached the server but whose answer was lost (reset, timeout, 502/504 from a gateway) fails
 *   with `unknown_outcome` and is never sent again. A request that provably never left (connection
 *   refused) is retried, since nothing reached Crego.
 * - A 401 (not on the auth endpoints) renews the token once and re-sends: the API refused it before
 *   doing anything. A second 401 surfaces as `auth`.
 */
import type { HttpMethod } from './endpoints';
import type { RetryPolicy } from './backoff';

/** Methods whose re-send repeats nothing. */
export const REPLAY_SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'PUT', 'DELETE']);
/** Statuses a gateway answers when the upstream failed or is down: worth another try. */
export const GATEWAY_RETRY: ReadonlySet<number> = new Set([502, 503, 504]);

/** An attempt that got no answer: our timeout, the caller cancelling, or the network. */
export interface AttemptFailure {
  kind: 'timeout' | 'cancelled' | 'network';
  /** Whether the request may have reached the server. */
  sent: boolean;
  code?: string;
}

export type AttemptOutcome = { failure: AttemptFailure } | { status: number; retryAfterMs?: number };

export interface RetryInput {
  outcome: AttemptOutcome;
  /** Safe to send again: a replay-safe method, a POST with an Idempotency-Key, or a sign-in call. */
  replaySafe: boolean;
  /** Retries already made (0 after the first attempt). */
  retries: number;
  policy: RetryPolicy;
  /** The endpoint is a sign-in call (no token to renew). */
  noAuth: boolean;
  /** The token source can get a new token, and has not been asked to after a 401 in this call yet. */
  canRenew: boolean;
  /** The backoff this retry would wait (computed by the caller, jitter included, so this stays pure). */
  backoffMs: number;
}

/** Why a call gives up: each becomes one CregoError in the client. */
export type GiveUp =
  | { error: 'cancelled' }
  | { error: 'timeout' }
  | { error: 'network'; code?: string }
  | { error: 'unknown_outcome'; why: 'timeout' | 'cancelled' | 'network' | 'gateway'; status?: number }
  | { error: 'http'; status: number };

export type RetryDecision =
  | { action: 'done' }
  | { action: 'renew' }
  /** `maybeActed`: the attempt being retried may have been acted on (its answer was lost). */
  | { action: 'retry'; delayMs: number; maybeActed: boolean; kind: 'network' | 'rate_limited' | 'server' }
  | ({ action: 'fail' } & GiveUp);

export function decideRetry(input: RetryInput): RetryDecision {
  const { outcome, replaySafe, retries, policy } = input;
  const left = retries < policy.retries;
  if ('failure' in outcome) {
    const f = outcome.failure;
    if (f.sent && !replaySafe) return { action: 'fail', error: 'unknown_outcome', why: f.kind };
    if (f.kind === 'cancelled') return { action: 'fail', error: 'cancelled' };
    if (f.kind === 'timeout') return { action: 'fail', error: 'timeout' };
    if (left) return { action: 'retry', delayMs: input.backoffMs, maybeActed: f.sent, kind: 'network' };
    return { action: 'fail', error: 'network', code: f.code };
  }
  const { status, retryAfterMs } = outcome;
  if (status >= 200 && status < 300) return { action: 'done' };
  if (status === 401 && !input.noAuth && input.canRenew) return { action: 'renew' };
  // A 429 is a refusal before any work (a rate limit is checked before the request is handled), so
  // re-sending it repeats nothing, whatever the method: a POST without a key is re-sent too.
  if (status === 429 && left && (retryAfterMs ?? 0) <= policy.maxRetryAfterMs) {
    return { action: 'retry', delayMs: retryAfterMs ?? input.backoffMs, maybeActed: false, kind: 'rate_limited' };
  }
  // A 502/504 comes from a gateway that may have handed the request on before giving up; a 503 did not.
  if (GATEWAY_RETRY.has(status) && replaySafe && left) {
    return { action: 'retry', delayMs: input.backoffMs, maybeActed: status !== 503, kind: 'server' };
  }
  if ((status === 502 || status === 504) && !replaySafe) return { action: 'fail', error: 'unknown_outcome', why: 'gateway', status };
  return { action: 'fail', error: 'http', status };
}

/** Whether a request may be sent again without risk of acting twice. */
export function isReplaySafe(method: HttpMethod, idempotencyKey: string | undefined, noAuth: boolean): boolean {
  // Auth endpoints create nothing, so a lost sign-in answer is safe to ask again. The API honours
  // Idempotency-Key on POST only (docs/api-assumptions.md), so a PATCH is never replayed.
  return REPLAY_SAFE_METHODS.has(method) || (method === 'POST' && !!idempotencyKey) || noAuth;
}
