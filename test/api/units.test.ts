/** The client's building blocks on their own: backoff, Retry-After, the limiter, the TTL cache, URLs. */
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from '../../src/api/backoff';
import { TtlCache } from '../../src/api/cache';
import { Limiter } from '../../src/api/limiter';
import { queryString, requestKey } from '../../src/api/url';

describe('backoff', () => {
  it('is full jitter: anywhere from 0 up to min(max, base·2^attempt)', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 200, maxDelayMs: 5000 };
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, policy, () => 0.999)).toBe(199);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(800);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(4995); // capped at 5 s
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores garbage', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(' 1.5 ')).toBe(1500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('Limiter', () => {
  it('grants slots first come first served and lets a waiting caller give up', async () => {
    const limiter = new Limiter({ initial: 1, ceiling: 1 });
    const order: string[] = [];
    const releaseA = await limiter.acquire();
    const gaveUp = new AbortController();
    const b = limiter.acquire().then((release) => (order.push('b'), release));
    const c = limiter.acquire(gaveUp.signal).then(
      () => order.push('c'),
      () => order.push('c gave up'),
    );
    const d = limiter.acquire().then((release) => (order.push('d'), release));
    gaveUp.abort();
    await c;
    releaseA();
    (await b)();
    (await d)();
    expect(order).toEqual(['c gave up', 'b', 'd']);
    expect(limiter.peakInFlight).toBe(1);
    expect(limiter.inFlight).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new Limiter({ initial: 0 })).toThrow(/concurrency must be a whole number/);
  });
});

describe('TtlCache', () => {
  it('expires entries after the TTL and drops them by endpoint, account or all', () => {
    let now = 1000;
    const cache = new TtlCache<string>(500, () => now);
    cache.set('a', 'A', { endpoint: 'accounts.summary', ids: new Set(['acc1']), accounts: new Set() });
    cache.set('b', 'B', { endpoint: 'loans.list', ids: new Set(), accounts: new Set(['acc1', 'acc2']) });
    cache.set('c', 'C', { endpoint: 'loans.list', ids: new Set(), accounts: new Set(['acc3']) });
    expect(cache.get('a')).toBe('A');
    expect(cache.invalidate({ account: 'acc1' })).toBe(2); // named in the path, and contained in an answer
    expect(cache.get('c')).toBe('C');
    now += 500;
    expect(cache.get('c')).toBeUndefined();
    const off = new TtlCache<string>(0);
    off.set('x', 'X', { endpoint: 'e', ids: new Set(), accounts: new Set() });
    expect(off.get('x')).toBeUndefined();
  });
});

describe('URLs and request keys', () => {
  it('drops null/undefined, encodes values, applies renames', () => {
    expect(queryString({ a: 1, b: undefined, c: null, d: 'x y&z', e: false }, { d: 'dee' })).toBe('?a=1&dee=x%20y%26z&e=false');
    expect(queryString({})).toBe('');
  });

  it('keys identical requests alike whatever the query order, and environments apart', () => {
    const k1 = requestKey('sandbox', 'emis.list', {}, { account: 'A', page: 1, skip: undefined });
    const k2 = requestKey('sandbox', 'emis.list', {}, { page: 1, account: 'A' });
    expect(k1).toBe(k2);
    expect(requestKey('production', 'emis.list', {}, { page: 1, account: 'A' })).not.toBe(k1);
  });

  it('one key for every cache: no value forges a separator, bodies match whatever their key order, a full walk is its own request', () => {
    expect(requestKey('s', 'loans.list', {}, { account: 'A&status=active' })).not.toBe(requestKey('s', 'loans.list', {}, { account: 'A', status: 'active' }));
    expect(requestKey('s|loans.list', 'x', {}, {})).not.toBe(requestKey('s', 'loans.list|x', {}, {}));
    const body = (b: unknown) => requestKey('s', 'emis.calculate', undefined, undefined, { body: b });
    expect(body({ loan_amount: 1, roi: 2 })).toBe(body({ roi: 2, loan_amount: 1 }));
    expect(body({ loan_amount: 1, roi: 2 })).not.toBe(body({ loan_amount: 1, roi: 3 }));
    expect(requestKey('s', 'loans.list', {}, {}, { all: true })).not.toBe(requestKey('s', 'loans.list', {}, {}));
  });
});

describe('undici carrier', () => {
  it('marks a request undici refused before writing a byte (an invalid header value) as never sent', async () => {
    const { undiciTransport } = await import('../../src/api/undici-transport');
    const transport = undiciTransport();
    try {
      const request = { method: 'POST', url: 'http://127.0.0.1:9/v1/lms/records/', headers: { 'X-Note': 'line\nbreak' }, body: '{}', signal: new AbortController().signal };
      await expect(transport.send(request)).rejects.toMatchObject({ sent: false, code: 'UND_ERR_INVALID_ARG' });
    } finally {
      await transport.close();
    }
  });
});
