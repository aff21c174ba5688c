/**
 * The adaptive concurrency limit (src/api/limiter.ts), driven through the real client core on a fake
 * clock (vitest's fake timers) against a fake server (a Transport that answers after a set delay):
 * growth while round trips hold, cuts on 429, 503, timeouts and a latency rise, the ceiling, and one
 * Retry-After holding every send of the client.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClientWith, type ClientConfig, type CregoHttpClient } from '../../src/api/client';
import type { Transport, WireRequest } from '../../src/api/transport';
import { createClient, http1Ceiling } from '../../src/api/index';

interface Answer {
  status?: number;
  /** How long the server takes; Infinity never answers. */
  delayMs?: number;
  retryAfter?: string;
}

interface FakeServer {
  transport: Transport;
  /** Requests received, with the (fake) time each arrived. */
  arrivals: number[];
  inFlight: number;
  maxInFlight: number;
  statuses: number[];
}

/** A server on the fake clock: `answer(n)` says how the n-th request (from 0) is answered. */
function fakeServer(answer: (n: number, now: number) => Answer): FakeServer {
  const server: FakeServer = {
    arrivals: [],
    inFlight: 0,
    maxInFlight: 0,
    statuses: [],
    transport: {
      carrier: 'fake',
      close: async () => {},
      send(req: WireRequest) {
        const n = server.arrivals.length;
        server.arrivals.push(Date.now());
        const { status = 200, delayMs = 20, retryAfter } = answer(n, Date.now());
        server.inFlight++;
        server.maxInFlight = Math.max(server.maxInFlight, server.inFlight);
        return new Promise((resolve, reject) => {
          const done = () => {
            server.inFlight--;
            req.signal.removeEventListener('abort', onAbort);
          };
          const onAbort = () => {
            clearTimeout(timer);
            done();
            reject(new Error('aborted'));
          };
          req.signal.addEventListener('abort', onAbort, { once: true });
          const timer = Number.isFinite(delayMs)
            ? setTimeout(() => {
                done();
                server.statuses.push(status);
                resolve({ status, text: '{}', header: (name) => (name.toLowerCase() === 'retry-after' ? (retryAfter ?? null) : null) });
              }, delayMs)
            : undefined;
        });
      },
    },
  };
  return server;
}

const BASE: ClientConfig = { baseUrl: 'https://crego.test', token: 't', cacheTtlMs: 0, retry: { retries: 0 } };

let client: CregoHttpClient | undefined;

function start(server: FakeServer, config: Partial<ClientConfig> = {}): CregoHttpClient {
  client = createClientWith({ ...BASE, ...config }, server.transport);
  return client;
}

/** `count` GETs at once (distinct ids, so nothing is coalesced); settles every one. */
function burst(c: CregoHttpClient, count: number, from = 0): Promise<PromiseSettledResult<unknown>[]> {
  return Promise.allSettled(Array.from({ length: count }, (_, i) => c.call('records.get', { path: { id: `r${from + i}` } })));
}

const limitOf = (c: CregoHttpClient) => c.stats().concurrency.limit;

/** Advance the fake clock round trip by round trip, noting the limit after each. */
async function trace(c: CregoHttpClient, rounds: number, stepMs = 20): Promise<number[]> {
  const limits: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await vi.advanceTimersByTimeAsync(stepMs);
    limits.push(limitOf(c));
  }
  return limits;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  vi.useRealTimers();
});

describe('adaptive concurrency limit', () => {
  it('starts at 6 and grows about one request per round trip while round trips stay at the lowest seen', async () => {
    const server = fakeServer(() => ({ delayMs: 20 }));
    const c = start(server);
    expect(limitOf(c)).toBe(6);
    const all = burst(c, 2000);
    const limits = await trace(c, 20);
    for (let i = 1; i < limits.length; i++) expect(limits[i]).toBeGreaterThanOrEqual(limits[i - 1]!);
    expect(limits[9]).toBeGreaterThanOrEqual(13);
    expect(limits[19]).toBeGreaterThanOrEqual(22);
    expect(limits[19]).toBeLessThanOrEqual(27); // additive, not doubling
    expect(server.maxInFlight).toBeLessThanOrEqual(limits[19]!);
    await vi.runAllTimersAsync();
    expect((await all).every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('a quick error answer (a 404 for a mistyped account) does not become the lowest round trip and hold the limit down', async () => {
    // Three 404s in 2 ms, then the real answers in 20 ms: as in the first test, the limit grows.
    const server = fakeServer((n) => (n < 3 ? { status: 404, delayMs: 2 } : { delayMs: 20 }));
    const c = start(server);
    const all = burst(c, 2000);
    const limits = await trace(c, 20);
    expect(limits[19]).toBeGreaterThanOrEqual(22);
    await vi.runAllTimersAsync();
    await all;
  });

  it('never goes above its ceiling (default 64, or maxConcurrency)', async () => {
    const server = fakeServer(() => ({ delayMs: 20 }));
    const c = start(server, { maxConcurrency: 10 });
    const all = burst(c, 1000);
    const limits = await trace(c, 40);
    expect(Math.max(...limits)).toBe(10);
    expect(server.maxInFlight).toBe(10);
    await vi.runAllTimersAsync();
    await all;

    const wide = fakeServer(() => ({ delayMs: 20 }));
    const d = start(wide);
    expect(d.stats().concurrency.ceiling).toBe(64);
    const many = burst(d, 6000);
    const grown = await trace(d, 120);
    expect(Math.max(...grown)).toBe(64);
    expect(wide.maxInFlight).toBe(64);
    await vi.runAllTimersAsync();
    await many;
  });

  it.each([
    [429, 'a 429'],
    [503, 'a 503'],
  ])('halves once on %s answers from one round trip, and can go below 6', async (status) => {
    let refuseFrom = Infinity;
    const server = fakeServer((n) => (n >= refuseFrom ? { status } : { delayMs: 20 }));
    const c = start(server);
    const all = burst(c, 3000);
    await trace(c, 12);
    const before = limitOf(c);
    expect(before).toBeGreaterThanOrEqual(14);
    refuseFrom = server.arrivals.length; // every request from now on is refused
    let justBefore = before;
    while (!server.statuses.includes(status)) {
      justBefore = limitOf(c);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(limitOf(c)).toBe(Math.floor(justBefore / 2));
    // The rest of that window's refusals are the same signal: one halving, not one per answer.
    await vi.advanceTimersByTimeAsync(15);
    expect(server.statuses.filter((s) => s === status).length).toBeGreaterThan(1);
    expect(limitOf(c)).toBe(Math.floor(justBefore / 2));
    const limits = await trace(c, 10);
    expect(Math.min(...limits)).toBe(1);
    await vi.runAllTimersAsync();
    await all;
  });

  it('halves on timeouts, but not below where it started (a slow answer is not a refusal)', async () => {
    let stallFrom = Infinity;
    const server = fakeServer((n) => ({ delayMs: n >= stallFrom ? Infinity : 20 }));
    const c = start(server, { timeoutMs: 200 });
    const all = burst(c, 3000);
    await trace(c, 12);
    const before = limitOf(c);
    stallFrom = server.arrivals.length;
    await vi.advanceTimersByTimeAsync(220);
    expect(limitOf(c)).toBe(Math.max(6, Math.floor(before / 2)));
    await trace(c, 20, 220);
    expect(limitOf(c)).toBe(6);
    await vi.runAllTimersAsync();
    const results = await all;
    expect(results.some((r) => r.status === 'rejected' && /did not answer|timed out|time/i.test(String(r.reason?.message)))).toBe(true);
  });

  it('steps down on a clear rise in latency (never below 6) and stops growing', async () => {
    let slowFrom = Infinity;
    const server = fakeServer((n) => ({ delayMs: n >= slowFrom ? 120 : 20 }));
    const c = start(server);
    const all = burst(c, 4000);
    await trace(c, 25);
    const before = limitOf(c);
    expect(before).toBeGreaterThanOrEqual(25);
    slowFrom = server.arrivals.length;
    const after = await trace(c, 20);
    const peak = Math.max(before, ...after);
    expect(peak).toBeLessThanOrEqual(before + 5); // growth stops once the slow answers come back
    expect(after[after.length - 1]).toBeLessThan(peak * 0.7);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(6);
    await vi.runAllTimersAsync();
    await all;
  });

  it('a Retry-After holds every new send of the client, not only the request that got it', async () => {
    // The fifth request is refused with Retry-After: 2 (seconds); everything else answers in 20 ms.
    const server = fakeServer((n) => (n === 4 ? { status: 429, delayMs: 5, retryAfter: '2' } : { delayMs: 20 }));
    const c = start(server, { retry: { retries: 1 } });
    const refusedAt = Date.now() + 5;
    const all = burst(c, 30);
    await vi.advanceTimersByTimeAsync(10);
    expect(c.stats().concurrency.pausedMs).toBeGreaterThan(1900);
    // Requests already on the wire finish; nothing new leaves until the pause is over.
    await vi.advanceTimersByTimeAsync(1900);
    const during = server.arrivals.filter((t) => t > refusedAt && t < refusedAt + 2000);
    expect(during).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(server.arrivals.some((t) => t >= refusedAt + 2000)).toBe(true);
    await vi.runAllTimersAsync();
    const results = await all;
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true); // the refused one was re-sent once
    expect(server.arrivals).toHaveLength(31);
  });

  it('against a rate limit (token bucket, 200/s, a second of burst), 429s stay under 5% and the wave near the rate bound', async () => {
    const rate = 200;
    let tokens = rate;
    let last = Date.now();
    const server = fakeServer((_n, now) => {
      tokens = Math.min(rate, tokens + ((now - last) * rate) / 1000);
      last = now;
      if (tokens < 1) return { status: 429, delayMs: 1, retryAfter: String(Math.max(1, Math.ceil((1 - tokens) / rate))) };
      tokens--;
      return { delayMs: 20 };
    });
    const c = start(server, { retry: { retries: 10 } });
    const t0 = Date.now();
    const all = burst(c, 2000);
    await vi.runAllTimersAsync();
    const results = await all;
    const ms = Date.now() - t0;
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const refused = server.statuses.filter((s) => s === 429).length;
    expect(refused / server.statuses.length).toBeLessThanOrEqual(0.05);
    expect(ms).toBeLessThanOrEqual(1.25 * (2000 / rate) * 1000);
  });
});

describe('the ceiling in a browser', () => {
  const page = (protocol: string) => ({ getEntriesByType: (type: string) => (type === 'navigation' ? [{ nextHopProtocol: protocol }] : []) });

  it('stays at six for the add-in server’s /api when the page came over HTTP/1.1, and grows to 64 over h2', () => {
    expect(http1Ceiling('/api', page('http/1.1'))).toBe(6);
    expect(http1Ceiling('/api', page('h2'))).toBeUndefined();
    // Another origin's protocol is not the page's: the latency rule handles the browser's queue there.
    expect(http1Ceiling('https://api.crego.io', page('http/1.1'))).toBeUndefined();
    expect(http1Ceiling('/api', undefined)).toBeUndefined();
  });

  it('a starting concurrency above six over HTTP/1.1 becomes the ceiling, instead of a client that refuses to start', async () => {
    const spy = vi.spyOn(performance, 'getEntriesByType').mockImplementation(((type: string) => (type === 'navigation' ? [{ nextHopProtocol: 'http/1.1' }] : [])) as unknown as typeof performance.getEntriesByType);
    try {
      const c = createClient({ baseUrl: '/api', token: 't', concurrency: 10 });
      expect(c.stats().concurrency).toMatchObject({ limit: 10, ceiling: 10 });
      expect(createClient({ baseUrl: '/api', token: 't' }).stats().concurrency.ceiling).toBe(6);
      await c.close();
    } finally {
      spy.mockRestore();
    }
  });
});
