/**
 * The retry decision on its own, one rule a row: what the client does after an attempt, for each
 * method, answer and failure. The client's behaviour over HTTP is in resilience.test.ts; this table is
 * where a rule is read and changed.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../src/api/backoff';
import { decideRetry, isReplaySafe, type AttemptOutcome, type RetryDecision } from '../../src/api/retry';

const policy = { ...DEFAULT_RETRY, retries: 3, maxRetryAfterMs: 30_000 };
const status = (s: number, retryAfterMs?: number): AttemptOutcome => ({ status: s, retryAfterMs });
const failure = (kind: 'timeout' | 'cancelled' | 'network', sent: boolean): AttemptOutcome => ({ failure: { kind, sent, code: sent ? 'ECONNRESET' : 'ECONNREFUSED' } });

type Row = [string, { method: string; key?: boolean; outcome: AttemptOutcome; retries?: number; canRenew?: boolean; noAuth?: boolean }, Partial<RetryDecision>];

const ROWS: Row[] = [
  ['2xx: done', { method: 'POST', outcome: status(201) }, { action: 'done' }],
  ['GET 503: retry after the backoff', { method: 'GET', outcome: status(503) }, { action: 'retry', delayMs: 40, maybeActed: false, kind: 'server' }],
  ['GET 502: retry, the gateway may have handed it on', { method: 'GET', outcome: status(502) }, { action: 'retry', maybeActed: true }],
  ['GET 503 with no retries left: fail with the answer', { method: 'GET', outcome: status(503), retries: 3 }, { action: 'fail', error: 'http', status: 503 }],
  ['POST without a key 503: fail, not replayed', { method: 'POST', outcome: status(503) }, { action: 'fail', error: 'http', status: 503 }],
  ['POST without a key 502: unknown outcome', { method: 'POST', outcome: status(502) }, { action: 'fail', error: 'unknown_outcome', why: 'gateway', status: 502 }],
  ['PATCH 504: unknown outcome', { method: 'PATCH', outcome: status(504) }, { action: 'fail', error: 'unknown_outcome', why: 'gateway' }],
  ['POST with a key 504: retried (the key replays)', { method: 'POST', key: true, outcome: status(504) }, { action: 'retry', maybeActed: true }],
  ['429 on a POST without a key: retried after Retry-After', { method: 'POST', outcome: status(429, 1000) }, { action: 'retry', delayMs: 1000, maybeActed: false, kind: 'rate_limited' }],
  ['429 without Retry-After: the backoff', { method: 'PATCH', outcome: status(429) }, { action: 'retry', delayMs: 40 }],
  ['429 asking longer than it will wait: fail', { method: 'GET', outcome: status(429, 3_600_000) }, { action: 'fail', error: 'http', status: 429 }],
  ['429 with no retries left: fail', { method: 'GET', outcome: status(429, 0), retries: 3 }, { action: 'fail', error: 'http' }],
  ['401 that can renew: renew', { method: 'POST', outcome: status(401), canRenew: true }, { action: 'renew' }],
  ['401 after renewing once: fail', { method: 'GET', outcome: status(401), canRenew: false }, { action: 'fail', error: 'http', status: 401 }],
  ['401 on sign-in: fail', { method: 'POST', outcome: status(401), canRenew: true, noAuth: true }, { action: 'fail', error: 'http' }],
  ['400: fail with the answer', { method: 'GET', outcome: status(400) }, { action: 'fail', error: 'http', status: 400 }],
  ['reset on a GET: retry, maybe acted on', { method: 'GET', outcome: failure('network', true) }, { action: 'retry', maybeActed: true, kind: 'network' }],
  ['connection refused on a POST without a key: retry, nothing left', { method: 'POST', outcome: failure('network', false) }, { action: 'retry', maybeActed: false }],
  ['reset on a POST without a key: unknown outcome', { method: 'POST', outcome: failure('network', true) }, { action: 'fail', error: 'unknown_outcome', why: 'network' }],
  ['timeout on a PATCH: unknown outcome', { method: 'PATCH', outcome: failure('timeout', true) }, { action: 'fail', error: 'unknown_outcome', why: 'timeout' }],
  ['timeout on a GET: fail with timeout (not retried)', { method: 'GET', outcome: failure('timeout', true) }, { action: 'fail', error: 'timeout' }],
  ['cancelled before sending: cancelled', { method: 'POST', outcome: failure('cancelled', false) }, { action: 'fail', error: 'cancelled' }],
  ['network with no retries left: network', { method: 'GET', outcome: failure('network', false), retries: 3 }, { action: 'fail', error: 'network', code: 'ECONNREFUSED' }],
];

describe('decideRetry', () => {
  it.each(ROWS)('%s', (_name, row, expected) => {
    const decision = decideRetry({
      outcome: row.outcome,
      replaySafe: isReplaySafe(row.method as 'GET', row.key ? 'k' : undefined, !!row.noAuth),
      retries: row.retries ?? 0,
      policy,
      noAuth: !!row.noAuth,
      canRenew: row.canRenew ?? false,
      backoffMs: 40,
    });
    expect(decision).toMatchObject(expected);
  });

  it('sign-in calls are replay-safe (they create nothing); PUT and DELETE are, PATCH never is', () => {
    expect(isReplaySafe('POST', undefined, true)).toBe(true);
    expect([isReplaySafe('PUT', undefined, false), isReplaySafe('DELETE', undefined, false), isReplaySafe('PATCH', 'k', false)]).toEqual([true, true, false]);
  });
});
