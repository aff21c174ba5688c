import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { CregoHttpClient } from '../../src/api/client';
import { CARRIERS, closeAfterEach, failure, FAST_RETRY, gate, json, startTestServer, type TestServer, until, as } from './helpers';

const TOKEN = 'tok-resilience-123456';
const PAGE = { count: 0, current_page: 1, page_size: 15, results: [] };


/** Track whether the client hung up before the server answered. */
function watchAbort(res: ServerResponse, onAbort: () => void) {
  res.on('close', () => {
    if (!res.writableFinished) onAbort();
  });
}

describe.each(CARRIERS)('resilience over %s', (_carrier, make) => {
  let server: TestServer | undefined, client: CregoHttpClient | undefined;
  closeAfterEach(() => [client, server], () => (client = server = undefined));

  it('retries a GET after 429, waiting the Retry-After seconds, then succeeds', async () => {
    let n = 0;
    server = await startTestServer((_req, res) => {
      if (n++ === 0) return json(res, 429, { detail: 'Slow down', code: 'throttled' }, { 'Retry-After': '1' });
      json(res, 200, PAGE);
    });
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    await expect(client.call('records.list')).resolves.toEqual(PAGE);
    expect(server.requests).toHaveLength(2);
    expect(client.stats().retries).toBe(1);
  });

  it('gives up with rate_limited when Retry-After is longer than it will wait', async () => {
    server = await startTestServer((_req, res) => json(res, 429, { detail: 'Slow down', code: 'throttled' }, { 'Retry-After': '3600' }));
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    const err = await failure(client.call('records.list'));
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfter: 3600 });
    expect(err.message).toContain('try again in 3600 s');
    expect(server.requests).toHaveLength(1);
  });

  it('retries 502/503/504 on a GET and surfaces server after the last attempt', async () => {
    let n = 0;
    server = await startTestServer((_req, res) => json(res, [502, 503, 504][n++ % 3], { detail: 'Upstream down', code: 'x' }));
    client = make({ baseUrl: server.url, token: TOKEN, retry: { ...FAST_RETRY, retries: 3 } });
    const err = await failure(client.call('records.list'));
    expect(err.kind).toBe('server');
    expect(server.requests).toHaveLength(4);
  });

  it('recovers from a 503 on a GET', async () => {
    let n = 0;
    server = await startTestServer((_req, res) => (n++ === 0 ? json(res, 503, { detail: 'busy', code: 'x' }) : json(res, 200, PAGE)));
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    await expect(client.call('records.list')).resolves.toEqual(PAGE);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a GET whose connection is reset', async () => {
    let n = 0;
    server = await startTestServer((_req, res, socket) => (n++ === 0 ? socket.destroy() : json(res, 200, PAGE)));
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    await expect(client.call('records.list')).resolves.toEqual(PAGE);
    expect(server.requests).toHaveLength(2);
  });

  it('fails with timeout when no answer comes within timeoutMs, and aborts the request', async () => {
    let aborted = 0;
    server = await startTestServer((_req, res) => watchAbort(res, () => aborted++));
    client = make({ baseUrl: server.url, token: TOKEN, timeoutMs: 150, retry: FAST_RETRY });
    const err = await failure(client.call('records.list'));
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('Crego did not answer Record Listing within 150 ms');
    await until(() => aborted === 1, 'the server to see the abort');
  });

  it('reports unknown_outcome for a POST whose reply is lost, and never sends it again', async () => {
    server = await startTestServer((_req, _res, socket) => socket.destroy());
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    const err = await failure(client.call('records.create', { body: { account: 'a1', amount: 100, utr: 'U1' } }));
    expect(err.kind).toBe('unknown_outcome');
    expect(err.message).toMatch(/may or may not have done this/);
    expect(server.requests).toHaveLength(1);
  });

  it('reports unknown_outcome for a POST that times out after being sent', async () => {
    server = await startTestServer(() => {});
    client = make({ baseUrl: server.url, token: TOKEN, timeoutMs: 150 });
    const err = await failure(client.call('topups.create', { body: { account: 'a1', amount: 100, ref_id: 'T1' } }));
    expect(err.kind).toBe('unknown_outcome');
    expect(server.requests).toHaveLength(1);
  });

  it('cancelling a POST: unknown_outcome once it was sent, plain cancelled while it still waited for a slot', async () => {
    const hold = gate();
    server = await startTestServer(async (_req, res) => {
      await hold.promise;
      if (!res.destroyed) json(res, 201, { id: 'r1' });
    });
    client = make({ baseUrl: server.url, token: TOKEN, concurrency: 1, maxConcurrency: 1 });
    const sent = new AbortController();
    const queued = new AbortController();
    const first = client.call('records.create', { body: { account: 'a1', utr: 'U9' }, signal: sent.signal });
    const second = client.call('records.create', { body: { account: 'a1', utr: 'U10' }, signal: queued.signal });
    await until(() => server!.requests.length === 1, 'the first POST');
    queued.abort();
    expect((await failure(second)).kind).toBe('cancelled');
    sent.abort();
    const err = await failure(first);
    expect(err.kind).toBe('unknown_outcome');
    expect(err.message).toMatch(/cancelled after being sent/);
    hold.open();
    expect(server.requests).toHaveLength(1);
  });

  it('re-sends a POST with an Idempotency-Key after a lost reply; the server creates once', async () => {
    const created = new Map<string, unknown>();
    let dropFirst = true;
    server = await startTestServer((req, res, socket) => {
      const key = String(req.headers['idempotency-key']);
      if (!created.has(key)) created.set(key, { id: `r${created.size + 1}`, ...JSON.parse(req.body) });
      if (dropFirst) {
        dropFirst = false;
        return socket.destroy(); // the record exists, the answer is lost
      }
      json(res, 201, created.get(key));
    });
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    const answer = await client.call('records.create', { body: { account: 'a1', amount: 100, utr: 'U2' }, idempotencyKey: 'k-1' });
    expect(answer).toMatchObject({ id: 'r1', utr: 'U2' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests.every((r) => r.headers['idempotency-key'] === 'k-1')).toBe(true);
    expect(created.size).toBe(1);
  });

  it('a POST whose first reply was lost and whose retries end in 429 says so: the 429 does not prove nothing was created', async () => {
    let n = 0;
    server = await startTestServer((_req, res, socket) => {
      if (n++ === 0) return socket.destroy(); // acted on, answer lost
      json(res, 429, { detail: 'Slow down', code: 'throttled' }, { 'Retry-After': '0' });
    });
    client = make({ baseUrl: server.url, token: TOKEN, retry: { ...FAST_RETRY, retries: 2 } });
    const err = await failure(client.call('records.bulk_create', { body: { items: [{ account: 'a1' }] }, idempotencyKey: 'k-lost' }));
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, earlierAttemptUnknown: true });
    // A 429 on the first attempt is a plain refusal: nothing reached the handler.
    n = 1;
    const plain = await failure(client.call('records.bulk_create', { body: { items: [{ account: 'a1' }] }, idempotencyKey: 'k-429' }));
    expect(plain.kind).toBe('rate_limited');
    expect(plain.earlierAttemptUnknown).toBeUndefined();
  });

  it('the same for a sign-in refusal after a lost reply (token expired meanwhile): auth, with the earlier attempt unknown', async () => {
    let n = 0;
    server = await startTestServer((_req, res, socket) => {
      if (n++ === 0) return socket.destroy();
      json(res, 401, { detail: 'Token expired', code: 'token_not_valid' });
    });
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    const err = await failure(client.call('records.bulk_create', { body: { items: [] }, idempotencyKey: 'k-auth' }));
    expect(err).toMatchObject({ kind: 'auth', earlierAttemptUnknown: true });
  });

  it('does not retry a POST without a key on 503, and reports a 502 as unknown_outcome', async () => {
    let status = 503;
    server = await startTestServer((_req, res) => json(res, status, { detail: 'gateway', code: 'x' }));
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    expect((await failure(client.call('fees.create', { body: { account: 'a1' } }))).kind).toBe('server');
    expect(server.requests).toHaveLength(1);
    status = 502;
    expect((await failure(client.call('fees.create', { body: { account: 'a1' } }))).kind).toBe('unknown_outcome');
    expect(server.requests).toHaveLength(2);
  });

  it('re-sends a POST (no key) and a PATCH refused with 429: the server did nothing, so each is acted on once', async () => {
    const acted: string[] = [];
    const refused = new Set<string>();
    server = await startTestServer((req, res) => {
      if (!refused.has(req.method)) {
        refused.add(req.method); // throttled before any work, Retry-After as an HTTP date
        return json(res, 429, { detail: 'Slow down', code: 'throttled' }, { 'Retry-After': new Date(Date.now() + 1000).toUTCString() });
      }
      acted.push(req.method);
      json(res, req.method === 'POST' ? 201 : 200, { id: 'f1' });
    });
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    await expect(client.call('fees.create', { body: { account: 'a1', amount: 10 } })).resolves.toEqual({ id: 'f1' });
    await expect(client.call('topups.update', { path: { id: 't1' }, body: { remark: 'x' } })).resolves.toEqual({ id: 'f1' });
    expect(acted).toEqual(['POST', 'PATCH']);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'PATCH', 'PATCH']);
    expect(server.requests.every((r) => r.headers['idempotency-key'] === undefined)).toBe(true);
  });

  it('treats PATCH like POST (unknown_outcome) and PUT as replay-safe (retried) after a reset', async () => {
    const seen = new Set<string>();
    server = await startTestServer((req, res, socket) => {
      if (seen.has(req.method)) return json(res, 200, { ok: true });
      seen.add(req.method); // the first PATCH and the first PUT lose their answer
      socket.destroy();
    });
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    // Even with a key: the API honours Idempotency-Key on POST only, so a PATCH is never replayed.
    const patch = client.call('topups.update', { path: { id: 't1' }, body: { remark: 'x' }, idempotencyKey: 'p-1' });
    expect((await failure(patch)).kind).toBe('unknown_outcome');
    expect(server.requests).toHaveLength(1);
    await expect(client.call('topups.check_line_amount', { body: { account: 'a1', amount: 5 } })).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a POST that never left (connection refused) and ends with network, not unknown_outcome', async () => {
    const closed = await startTestServer(() => {});
    const url = closed.url;
    await closed.close();
    client = make({ baseUrl: url, token: TOKEN, retry: { ...FAST_RETRY, retries: 2 } });
    const err = await failure(client.call('records.create', { body: { account: 'a1' } }));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/Could not reach Crego at 127\.0\.0\.1/);
    expect(client.stats()).toMatchObject({ sent: 3, retries: 2 });
  });

  it('coalesces N identical GETs in flight into one request', async () => {
    const hold = gate();
    server = await startTestServer(async (_req, res) => {
      await hold.promise;
      json(res, 200, { principal_outstanding: 5 });
    });
    client = make({ baseUrl: server.url, token: TOKEN });
    const calls = Array.from({ length: 25 }, () => client!.call('accounts.summary', { path: { id: 'acc1' }, query: { as_of_date: 1 } }));
    await until(() => server!.requests.length === 1, 'the request');
    hold.open();
    const answers = await Promise.all(calls);
    expect(answers).toHaveLength(25);
    expect(new Set(answers).size).toBe(25); // every caller gets its own copy
    expect(server.requests).toHaveLength(1);
    expect(client.stats().coalesced).toBe(24);
  });

  it('never has more requests in flight than a fixed concurrency limit', async () => {
    const hold = gate();
    server = await startTestServer(async (_req, res) => {
      await hold.promise;
      json(res, 200, { ok: 1 });
    });
    client = make({ baseUrl: server.url, token: TOKEN, concurrency: 3, maxConcurrency: 3 });
    const calls = Array.from({ length: 20 }, (_, i) => client!.call('records.get', { path: { id: `r${i}` } }));
    await until(() => server!.requests.length === 3, 'three requests');
    hold.open();
    await Promise.all(calls);
    expect(server.requests).toHaveLength(20);
    expect(server.maxInFlight).toBe(3);
    expect(client.stats().peakInFlight).toBe(3);
  });

  it('aborts a shared GET only when the last waiting caller cancels', async () => {
    let hold = gate();
    let aborted = 0;
    server = await startTestServer(async (_req, res) => {
      watchAbort(res, () => aborted++);
      await hold.promise;
      if (!res.destroyed) json(res, 200, { v: 1 });
    });
    client = make({ baseUrl: server.url, token: TOKEN });
    const a = new AbortController();
    const b = new AbortController();
    const first = client.call('records.get', { path: { id: 'x' }, signal: a.signal });
    const second = client.call('records.get', { path: { id: 'x' }, signal: b.signal });
    await until(() => server!.requests.length === 1, 'the request');
    a.abort();
    expect((await failure(first)).kind).toBe('cancelled');
    hold.open();
    await expect(second).resolves.toEqual({ v: 1 });
    expect(aborted).toBe(0);

    hold = gate();
    server.requests.length = 0;
    const c = new AbortController();
    const d = new AbortController();
    client.invalidate();
    const third = client.call('records.get', { path: { id: 'y' }, signal: c.signal });
    const fourth = client.call('records.get', { path: { id: 'y' }, signal: d.signal });
    await until(() => server!.requests.length === 1, 'the second request');
    c.abort();
    d.abort();
    expect((await failure(third)).kind).toBe('cancelled');
    expect((await failure(fourth)).kind).toBe('cancelled');
    await until(() => aborted === 1, 'the server to see the abort');
  });

  it('does not cache (or let new callers join) a GET that was in flight when the cache was invalidated', async () => {
    let version = 0;
    let hold = gate();
    server = await startTestServer(async (_req, res) => {
      const v = version;
      await hold.promise;
      json(res, 200, { account: 'A', version: v });
    });
    client = make({ baseUrl: server.url, token: TOKEN });
    const stale = client.call('accounts.summary', { path: { id: 'A' } });
    await until(() => server!.requests.length === 1, 'the first request');
    version = 1;
    client.invalidate({ account: 'A' }); // e.g. a bulk push to A finished meanwhile
    const fresh = client.call('accounts.summary', { path: { id: 'A' } });
    await until(() => server!.requests.length === 2, 'a second, fresh request');
    hold.open();
    expect(as<{ version: number }>(await stale).version).toBe(0);
    expect(as<{ version: number }>(await fresh).version).toBe(1);
    hold = gate();
    hold.open();
    expect(as<{ version: number }>(await client.call('accounts.summary', { path: { id: 'A' } })).version).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it('caches GET answers for the TTL and drops them by account, by endpoint, or all', async () => {
    let version = 0;
    server = await startTestServer((req, res) => {
      const account = /accounts\/([^/]+)\//.exec(req.url)?.[1] ?? new URL(req.url, 'http://x').searchParams.get('account');
      json(res, 200, { count: 1, current_page: 1, page_size: 15, results: [{ account, version }], account, version });
    });
    client = make({ baseUrl: server.url, token: TOKEN, environment: 'test' });
    const get = () =>
      Promise.all([
        client!.call('accounts.summary', { path: { id: 'A' } }),
        client!.call('accounts.summary', { path: { id: 'B' } }),
        client!.call('loans.list'),
      ]).then((all) => all.map((x) => as<{ version: number }>(x).version));
    expect(await get()).toEqual([0, 0, 0]);
    version = 1;
    expect(await get()).toEqual([0, 0, 0]); // served from cache
    client.invalidate({ account: 'A' }); // A's summary, and the loan list that contains A
    expect(await get()).toEqual([1, 0, 0]);
    client.invalidate({ endpoint: 'accounts.summary' });
    expect(await get()).toEqual([1, 1, 0]);
    version = 2;
    client.invalidate();
    expect(await get()).toEqual([2, 2, 2]);
    expect(await client.call('accounts.summary', { path: { id: 'A' }, cache: 'bypass' })).toMatchObject({ version: 2 });
    version = 3;
    await client.call('records.create', { body: { account: 'B', amount: 1 } }); // a write drops B's answers
    expect(await get()).toEqual([2, 3, 2]);
  });
});
