/**
 * How the functions behave under Excel's calling patterns, against the sandbox over real HTTP:
 * one request per account however many cells, the cache and explicit refresh, cancellation,
 * the hard timeout, value preview, and the connection errors a person sees.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as CREGO from '../../src/functions/functions';
import { summaryFetch } from '../../src/functions/engine';
import { createNodeClient } from '../../src/api/node';
import type { Loan } from '../../src/api/types';
import { loadDefaultConnection, type CregoRuntimeApi } from '../../src/functions/runtime';
import { CONNECTION_STORAGE_KEY, TOKEN_STORAGE_KEY } from '../../src/excel/storage';
import { startSandbox } from '../../src/sandbox/index';
import { errorOf, invocation } from './custom-functions-stub';
import { bootPortfolio, nextTurn, requestsTo, until, useRuntime, type Portfolio, type TestRuntime } from './helpers';

let p: Portfolio;
let t: TestRuntime;

beforeAll(async () => {
  p = await bootPortfolio();
});
afterAll(() => p.sandbox.close());
beforeEach(() => {
  p.sandbox.setFaults('');
  p.sandbox.resetStats();
});
afterEach(() => t?.runtime.disconnect());

const FIELDS = ['total_outstanding', 'dpd', 'asset_category', 'total_paid'];

describe('batching', () => {
  it('N cells over K accounts send K requests, including repeats of the same cell', async () => {
    t = useRuntime(p.sandbox);
    const ids = p.termAccounts.slice(0, 3);
    const cells = [...ids, ids[0]!].flatMap((id) => FIELDS.map((f) => CREGO.summary([[id]], [[f]], 0, false, invocation())));
    const values = await Promise.all(cells);
    expect(values).toHaveLength(16);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(3);
    // The batcher itself shared them (not only the client's coalescing of identical GETs).
    expect(t.runtime.batcher.stats()).toMatchObject({ sent: 3, joined: 13 });
    // Cells for the same account agree with each other.
    expect(values[12]).toEqual(values[0]);
  });

  it('a wave leaves when the pass that asked for it ends, before any timer runs (a hidden webview throttles them), with every cell of the pass in it', async () => {
    t = useRuntime(null);
    const client = createNodeClient({ baseUrl: p.sandbox.url, token: p.sandbox.token, environment: 'sandbox', retry: { retries: 0 } });
    let timerRan = false;
    let invoked = 0;
    const handedOver: Array<{ timerRan: boolean; invoked: number }> = [];
    // The same client, with each fetch the batcher hands it noted (the requests still go to the sandbox).
    const noting = new Proxy(client, {
      get(target, prop) {
        const member = Reflect.get(target, prop, target) as unknown;
        if (typeof member !== 'function') return member;
        return (...args: unknown[]) => {
          if (prop === 'call') handedOver.push({ timerRan, invoked });
          return (member as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    t.runtime.configure({ client: noting });
    setTimeout(() => (timerRan = true), 0);
    // What Excel's runtime does with one host message: every invocation in one synchronous loop.
    const ids = p.termAccounts.slice(0, 4);
    const cells: Promise<unknown>[] = [];
    for (const id of ids) {
      for (const field of FIELDS) {
        invoked++;
        cells.push(CREGO.summary([[id]], [[field]], 0, false, invocation()));
      }
    }
    await Promise.all(cells);
    expect(handedOver).toEqual(ids.map(() => ({ timerRan: false, invoked: ids.length * FIELDS.length })));
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(ids.length);
  });

  it('a spilled table and single cells over the same accounts share their requests', async () => {
    t = useRuntime(p.sandbox);
    const ids = p.termAccounts.slice(0, 4);
    const [table, ...singles] = await Promise.all([
      CREGO.summary(ids.map((id) => [id]), [FIELDS], 0, false, invocation()),
      ...ids.map((id) => CREGO.summary([[id]], [['dpd']], 0, false, invocation())),
    ]);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(4);
    expect(t.runtime.batcher.stats().sent).toBe(4);
    expect(singles.map((s) => s[0]![0])).toEqual(table.map((row) => row[1]));
  });

  it('different as-of dates of one account are different requests', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    await Promise.all([45800, 45900, 45800].map((d) => CREGO.summary([[id]], [['dpd']], d, false, invocation())));
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(2);
  });
});

describe('a wave larger than the client takes at once', () => {
  it('sends every account once, queued in the batcher, never more on the wire than it hands over', async () => {
    // Slow enough answers that requests would overlap if the batcher handed over more.
    p.sandbox.setFaults('latency=30');
    t = useRuntime(p.sandbox, { batcher: { maxInFlight: 2 } });
    const ids = p.termAccounts.slice(0, 8);
    // Every cell twice: the second asks while its fetch is still queued (or on the wire) and joins it.
    const cells = [...ids, ...ids].flatMap((id) => FIELDS.map((f) => CREGO.summary([[id]], [[f]], 0, false, invocation())));
    const values = await Promise.all(cells);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(8);
    expect(p.sandbox.stats().maxInFlight).toBeLessThanOrEqual(2);
    expect(t.runtime.batcher.stats()).toMatchObject({ sent: 8, pending: 0 });
    // The same numbers a spill over those accounts shows (now from the cache).
    const table = await CREGO.summary(ids.map((id) => [id]), [FIELDS], 0, false, invocation());
    expect(values.slice(0, 8 * FIELDS.length).map((v) => v[0]![0])).toEqual(table.flat());
    expect(values.slice(8 * FIELDS.length)).toEqual(values.slice(0, 8 * FIELDS.length));
  });

  it('a queued fetch whose cells are all cancelled before its turn is never sent', async () => {
    p.sandbox.setFaults('latency=200');
    t = useRuntime(p.sandbox, { batcher: { maxInFlight: 1 } });
    const [a, b] = p.termAccounts;
    const first = CREGO.summary([[a!]], [['dpd']], 0, false, invocation());
    const queued = invocation();
    const second = CREGO.summary([[b!]], [['dpd']], 0, false, queued);
    await until(() => requestsTo(p.sandbox, 'accounts.summary') === 1);
    queued.cancel();
    expect(await errorOf(second)).toEqual({ code: '#N/A', message: 'Cancelled' });
    expect((await first)[0]![0]).toEqual(expect.any(Number));
    await nextTurn();
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(1);
    expect(t.runtime.batcher.stats()).toMatchObject({ sent: 1, aborted: 0, pending: 0 });
  });
});

describe('cache and refresh', () => {
  it('a recalculation with unchanged inputs costs no request; refresh drops the cache and recalculates', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const first = await CREGO.summary([[id]], [['total_paid']], 0, false, invocation());
    await CREGO.summary([[id]], [['total_paid']], 0, false, invocation());
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(1);

    const published = (globalThis as { CregoRuntime?: CregoRuntimeApi }).CregoRuntime!;
    expect(published.status()).toMatchObject({ connected: true, source: 'configure', environment: 'sandbox' });
    await published.refresh('sheet');
    expect(t.recalcs).toEqual(['sheet']);
    expect(await CREGO.summary([[id]], [['total_paid']], 0, false, invocation())).toEqual(first);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(2);
  });

  it('a refresh while a request is on its way: cells asked after it get a request of their own, not the older answer', async () => {
    p.sandbox.setFaults('latency=300');
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const before = CREGO.summary([[id]], [['total_paid']], 0, false, invocation());
    await until(() => requestsTo(p.sandbox, 'accounts.summary') === 1);
    t.runtime.invalidate();
    const after = CREGO.summary([[id]], [['total_paid']], 0, false, invocation());
    await Promise.all([before, after]);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(2);
    expect(t.runtime.batcher.stats()).toMatchObject({ sent: 2, joined: 0 });
  });

  it('a LIVE tick while a calculation\'s read of the same account is on its way gets a request of its own', async () => {
    p.sandbox.setFaults('latency=300');
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const calculation = CREGO.summary([[id]], [['total_paid']], 0, false, invocation());
    await until(() => requestsTo(p.sandbox, 'accounts.summary') === 1);
    // What a LIVE tick asks (engine.ts live): it must not show an answer Crego gave before the tick.
    const tick = t.runtime.batcher.get(t.runtime.client()!, summaryFetch(id, undefined, false), { fresh: true });
    await Promise.all([calculation, tick]);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(2);
  });

  it('invalidating one account keeps the others cached', async () => {
    t = useRuntime(p.sandbox);
    const [a, b] = p.termAccounts;
    await Promise.all([a!, b!].map((id) => CREGO.summary([[id]], [['dpd']], 0, false, invocation())));
    t.runtime.invalidate({ account: a });
    await Promise.all([a!, b!].map((id) => CREGO.summary([[id]], [['dpd']], 0, false, invocation())));
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(3);
  });

  it('a new connection never serves answers cached for the previous one', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    await CREGO.summary([[id]], [['dpd']], 0, false, invocation());
    t.runtime.configure({ baseUrl: p.sandbox.url, token: 'somebody-elses-token', environment: 'sandbox' });
    expect(await errorOf(CREGO.summary([[id]], [['dpd']], 0, false, invocation()))).toEqual({ code: '#N/A', message: 'Sign in to Crego in the task pane' });
  });

  it('a cell asked after a new connection never joins a request of the previous one', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const before = CREGO.summary([[id]], [['dpd']], 0, false, invocation()).catch(() => undefined);
    // Same server and environment, another sign-in, in the same recalculation wave.
    t.runtime.configure({ baseUrl: p.sandbox.url, token: 'somebody-elses-token', environment: 'sandbox' });
    const after = CREGO.summary([[id]], [['dpd']], 0, false, invocation());
    expect(await errorOf(after)).toEqual({ code: '#N/A', message: 'Sign in to Crego in the task pane' });
    await before;
  });
});

describe('cancellation and timeouts', () => {
  it('cancelling one of two cells on an account leaves the request for the other', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const i1 = invocation();
    const c1 = CREGO.summary([[id]], [['dpd']], 0, false, i1);
    const c2 = CREGO.summary([[id]], [['total_paid']], 0, false, invocation());
    i1.cancel();
    expect(await errorOf(c1)).toEqual({ code: '#N/A', message: 'Cancelled' });
    expect((await c2)[0]![0]).toEqual(expect.any(Number));
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(1);
    expect(t.runtime.batcher.stats().aborted).toBe(0);
  });

  it('cancelling the only cell before the wave is sent sends nothing', async () => {
    t = useRuntime(p.sandbox);
    const i1 = invocation();
    const c1 = CREGO.summary([[p.termAccounts[0]!]], [['dpd']], 0, false, i1);
    await Promise.resolve();
    i1.cancel();
    expect(await errorOf(c1)).toEqual({ code: '#N/A', message: 'Cancelled' });
    await nextTurn();
    expect(p.sandbox.stats().requests).toBe(0);
  });

  it('cancelling the last cell waiting on a request in flight aborts that request', async () => {
    p.sandbox.setFaults('latency=5000');
    t = useRuntime(p.sandbox);
    const i1 = invocation();
    const c1 = CREGO.summary([[p.termAccounts[0]!]], [['dpd']], 0, false, i1);
    await until(() => requestsTo(p.sandbox, 'accounts.summary') === 1);
    i1.cancel();
    expect(await errorOf(c1)).toEqual({ code: '#N/A', message: 'Cancelled' });
    expect(t.runtime.batcher.stats()).toMatchObject({ aborted: 1, pending: 0 });
  });

  it('a cell whose answer never comes settles at its timeout with a retry message', async () => {
    p.sandbox.setFaults('latency=5000');
    t = useRuntime(p.sandbox, { batcher: { timeoutMs: 200 } });
    const cells = [p.termAccounts[0]!, p.termAccounts[1]!].map((id) => CREGO.summary([[id]], [['dpd']], 0, false, invocation()));
    for (const c of cells) {
      expect(await errorOf(c)).toEqual({ code: '#N/A', message: 'Crego did not answer in time, will retry on refresh' });
    }
    expect(t.runtime.batcher.stats()).toMatchObject({ timeouts: 2, aborted: 2, pending: 0 });
  });
});

describe('value preview', () => {
  it('never sends a request: it waits for the committed formula and shares its answer', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const preview = CREGO.summary([[id]], [['total_paid']], 0, false, invocation({ preview: true }));
    await nextTurn();
    await nextTurn();
    expect(t.runtime.batcher.stats()).toMatchObject({ sent: 0, pending: 1 });
    const committed = await CREGO.summary([[id]], [['total_paid']], 0, false, invocation());
    expect(await preview).toEqual(committed);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(1);
  });

  it('answers from the cache when it can', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const committed = await CREGO.summary([[id]], [['dpd']], 0, false, invocation());
    expect(await CREGO.summary([[id]], [['dpd']], 0, false, invocation({ preview: true }))).toEqual(committed);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(1);
  });

  it('a preview nobody commits settles with a hint, still without a request', async () => {
    t = useRuntime(p.sandbox, { batcher: { previewTimeoutMs: 50 } });
    const err = await errorOf(CREGO.emis(p.termAccounts[0]!, invocation({ preview: true })));
    expect(err).toEqual({ code: '#N/A', message: 'Preview only: press Enter to fetch from Crego' });
    expect(t.runtime.batcher.stats()).toMatchObject({ sent: 0, pending: 0 });
    expect(p.sandbox.stats().requests).toBe(0);
  });
});

describe('connection errors', () => {
  it('no connection yet: #N/A asking to sign in, at once and without a request', async () => {
    t = useRuntime(null);
    expect(await errorOf(CREGO.summary([[p.termAccounts[0]!]], [['dpd']], 0, false, invocation()))).toEqual({
      code: '#N/A',
      message: 'Sign in to Crego in the task pane',
    });
    expect(p.sandbox.stats().requests).toBe(0);
  });

  it('a default connection that never comes: #N/A unreachable at the connect timeout, then a retry on the next call', async () => {
    let calls = 0;
    t = useRuntime(null, {
      connectTimeoutMs: 50,
      loadDefault: () => (++calls === 1 ? new Promise<never>(() => undefined) : Promise.resolve({ baseUrl: p.sandbox.url, token: p.sandbox.token })),
    });
    expect(await errorOf(CREGO.summary([[p.termAccounts[0]!]], [['dpd']], 0, false, invocation()))).toEqual({
      code: '#N/A',
      message: 'Crego unreachable, will retry on refresh',
    });
    // The hung attempt is not remembered: the next calculation connects afresh.
    expect((await CREGO.summary([[p.termAccounts[0]!]], [['dpd']], 0, false, invocation()))[0]![0]).toEqual(expect.any(Number));
  });

  it('an expired or wrong token: #N/A asking to sign in, never the token', async () => {
    t = useRuntime(null);
    t.runtime.configure({ baseUrl: p.sandbox.url, token: 'sbx-expired-token-123', environment: 'sandbox' });
    const err = await errorOf(CREGO.outstanding(p.termAccounts[0]!, 'dpd', 0, invocation()));
    expect(err).toEqual({ code: '#N/A', message: 'Sign in to Crego in the task pane' });
  });

  it('a server that is down or failing: #N/A "Crego unreachable, will retry on refresh"', async () => {
    t = useRuntime(null);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    t.runtime.configure({ baseUrl: `http://127.0.0.1:${port}`, token: p.sandbox.token });
    expect(await errorOf(CREGO.summary([[p.termAccounts[0]!]], [['dpd']], 0, false, invocation()))).toEqual({
      code: '#N/A',
      message: 'Crego unreachable, will retry on refresh',
    });

    t.runtime.configure({ baseUrl: p.sandbox.url, token: p.sandbox.token });
    p.sandbox.setFaults('5xx=1');
    const err = await errorOf(CREGO.fees(p.termAccounts[0]!, invocation()));
    expect(err).toEqual({ code: '#N/A', message: 'Crego unreachable, will retry on refresh' });
    // The failure was not cached: once Crego is back, the same formula works.
    p.sandbox.setFaults('');
    expect((await CREGO.fees(p.termAccounts[0]!, invocation()))[0]![0]).toBe('date');
  });
});

describe('default connection (task pane not opened yet)', () => {
  let server: Server;
  let origin: string;
  let config: Record<string, unknown>;
  const g = globalThis as Record<string, unknown>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/config.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(config));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    delete g.location;
    delete g.OfficeRuntime;
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('reads /config.json and the token the pane stored, then works without configure', async () => {
    config = { environment: 'sandbox', apiBase: p.sandbox.url };
    g.location = { origin };
    g.OfficeRuntime = { storage: { getItem: async (key: string) => (key === TOKEN_STORAGE_KEY ? p.sandbox.token : null) } };
    t = useRuntime(null, { loadDefault: loadDefaultConnection });
    const value = await CREGO.summary([[p.termAccounts[0]!]], [['dpd']], 0, false, invocation());
    expect(value[0]![0]).toEqual(expect.any(Number));
    expect(t.runtime.status()).toMatchObject({ connected: true, source: 'config.json', environment: 'sandbox', baseUrl: p.sandbox.url });
  });

  it('with no stored token and no dev token, asks to sign in instead of waiting', async () => {
    config = { environment: 'production', apiBase: '/api' };
    g.location = { origin };
    g.OfficeRuntime = { storage: { getItem: async () => null } };
    t = useRuntime(null, { loadDefault: loadDefaultConnection });
    expect(await errorOf(CREGO.emis(p.termAccounts[0]!, invocation()))).toEqual({ code: '#N/A', message: 'Sign in to Crego in the task pane' });
    expect(t.runtime.status().connected).toBe(false);
  });

  it('follows the environment the pane last signed in to, never sending its token to the server\'s API', async () => {
    const other = await startSandbox({ accounts: 5, seed: 7, faults: '', quiet: true });
    try {
      config = { environment: 'sandbox', apiBase: p.sandbox.url, devToken: p.sandbox.token };
      g.location = { origin };
      const stored: Record<string, string> = {
        [TOKEN_STORAGE_KEY]: other.token,
        [CONNECTION_STORAGE_KEY]: JSON.stringify({ environment: 'preprod', baseUrl: other.url }),
      };
      g.OfficeRuntime = { storage: { getItem: async (key: string) => stored[key] ?? null } };
      t = useRuntime(null, { loadDefault: loadDefaultConnection });
      const direct = createNodeClient({ baseUrl: other.url, token: other.token });
      const [loan] = await direct.listAll('loans.list', {});
      await direct.close();
      expect((await CREGO.summary([[loan!.account]], [['dpd']], 0, false, invocation()))[0]![0]).toEqual(expect.any(Number));
      expect(t.runtime.status()).toMatchObject({ source: 'config.json', environment: 'preprod', baseUrl: other.url });
      expect(p.sandbox.stats().requests).toBe(0);

      // Signed out of that environment: the server's dev token is not borrowed for it.
      delete stored[TOKEN_STORAGE_KEY];
      t = useRuntime(null, { loadDefault: loadDefaultConnection });
      expect(await errorOf(CREGO.emis(loan!.account, invocation()))).toEqual({ code: '#N/A', message: 'Sign in to Crego in the task pane' });
      expect(p.sandbox.stats().requests).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('uses the dev token of an embedded sandbox when the pane stored none', async () => {
    config = { environment: 'sandbox', apiBase: p.sandbox.url, devToken: p.sandbox.token };
    g.location = { origin };
    delete g.OfficeRuntime;
    t = useRuntime(null, { loadDefault: loadDefaultConnection });
    expect((await CREGO.topups(p.creditLines[0]!, invocation()))[0]![0]).toBe('date');
  });
});
