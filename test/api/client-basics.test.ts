import { describe, expect, it } from 'vitest';
import { CregoError } from '../../src/api/contract';
import type { CregoHttpClient } from '../../src/api/client';
import { CARRIERS, closeAfterEach, failure, FAST_RETRY, gate, json, startTestServer, type TestServer, until } from './helpers';

const TOKEN = 'tok-SECRET-abc123';

describe.each(CARRIERS)('client basics over %s', (carrier, make) => {
  let server: TestServer | undefined, client: CregoHttpClient | undefined;
  closeAfterEach(() => [client, server], () => (client = server = undefined));

  it('builds the URL from the map: encoded path params, null/undefined query dropped, trailing slash kept', async () => {
    server = await startTestServer((_req, res) => json(res, 200, { ok: true }));
    client = make({ baseUrl: `${server.url}/`, token: TOKEN });
    await client.call('accounts.summary', {
      path: { id: 'a b/../c' },
      query: { as_of_date: 1704479399.999999, include_closed_loan: false, skip: undefined, nothing: null },
    });
    expect(server.requests[0].url).toBe('/v1/lms/accounts/a%20b%2F..%2Fc/summary/?as_of_date=1704479399.999999&include_closed_loan=false');
    expect(server.requests[0].method).toBe('GET');
    expect(client.carrier).toBe(carrier);
  });

  it('refuses a base URL with a query string or credentials, without echoing them', async () => {
    server = await startTestServer((_req, res) => json(res, 201, { id: 'r1' }));
    for (const baseUrl of [server.url.replace('//', '//gw:secret-pw@'), `${server.url}?key=secret-key`, `${server.url}#secret-key`]) {
      let error: unknown;
      try {
        make({ baseUrl, token: TOKEN });
      } catch (err) {
        error = err;
      }
      expect(error, baseUrl).toMatchObject({ kind: 'config', message: expect.stringMatching(/^The Crego base URL must not carry/) });
      expect((error as Error).message).not.toMatch(/secret/);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('refuses the ids . and .. (a URL would resolve them onto another endpoint) without sending anything', async () => {
    server = await startTestServer((_req, res) => json(res, 200, { ok: true }));
    client = make({ baseUrl: server.url, token: TOKEN });
    for (const id of ['.', '..']) {
      expect(await failure(client.call('accounts.summary', { path: { id } }))).toMatchObject({ kind: 'not_found', message: `Not found: '${id}' is not an id (Get Summary)` });
      expect((await failure(client.call('fees.delete', { path: { id } }))).kind).toBe('not_found');
    }
    await client.call('accounts.summary', { path: { id: '...' } }); // not a dot segment: sent, as an id
    expect(server.requests.map((r) => r.url)).toEqual(['/v1/lms/accounts/.../summary/']);
  });

  it('sends the bearer token and JSON body, and parses the JSON answer', async () => {
    server = await startTestServer((req, res) => json(res, 201, { id: 'r1', echo: JSON.parse(req.body) }));
    client = make({ baseUrl: server.url, token: TOKEN });
    const answer = await client.call('records.create', { body: { account: 'acc', amount: 10.5 } });
    expect(answer).toEqual({ id: 'r1', echo: { account: 'acc', amount: 10.5 } });
    const seen = server.requests[0];
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.url).toBe('/v1/lms/records/');
    expect(seen.url).not.toContain(TOKEN);
  });

  it('maps each status to an error kind with a person-safe message and the request id', async () => {
    const answers: Record<string, [number, unknown]> = {
      '/v1/lms/records/r400/': [400, { detail: 'Invalid record', code: 'invalid', errors: { amount: ['Must be positive'] } }],
      '/v1/lms/records/r401/': [401, { detail: 'Token expired', code: 'auth' }],
      '/v1/lms/records/r403/': [403, { detail: 'No access to this account', code: 'forbidden' }],
      '/v1/lms/records/r404/': [404, { detail: 'No record with that id', code: 'not_found' }],
      '/v1/lms/records/r409/': [409, { detail: 'Duplicate UTR', code: 'duplicate' }],
      '/v1/lms/records/r413/': [413, { detail: 'At most 1000 items', code: 'too_large' }],
      '/v1/lms/records/r500/': [500, '<html><body>Traceback (most recent call last)…</body></html>'],
      '/v1/lms/records/r501/': [501, { detail: 'Not implemented', code: 'not_implemented' }],
    };
    server = await startTestServer((req, res) => {
      const [status, body] = answers[req.url];
      res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/html' : 'application/json', 'X-Request-Id': `req-${status}` });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    client = make({ baseUrl: server.url, token: TOKEN, retry: { retries: 0 } });
    const kinds: Record<string, CregoError> = {};
    for (const id of ['r400', 'r401', 'r403', 'r404', 'r409', 'r413', 'r500', 'r501']) {
      kinds[id] = await failure(client.call('records.get', { path: { id } }));
    }
    expect(kinds.r400).toMatchObject({ kind: 'validation', status: 400, requestId: 'req-400', fieldErrors: { amount: ['Must be positive'] } });
    expect(kinds.r400.message).toContain('Invalid record');
    expect(kinds.r400.message).toContain('amount: Must be positive');
    expect(kinds.r401).toMatchObject({ kind: 'auth', status: 401 });
    expect(kinds.r401.message).toMatch(/paste a new one/);
    expect(kinds.r403).toMatchObject({ kind: 'forbidden', message: expect.stringContaining('No access to this account') });
    expect(kinds.r404).toMatchObject({ kind: 'not_found', message: expect.stringContaining('No record with that id') });
    expect(kinds.r409.kind).toBe('conflict');
    expect(kinds.r413.kind).toBe('too_large');
    expect(kinds.r500).toMatchObject({ kind: 'server', status: 500, requestId: 'req-500' });
    expect(kinds.r500.message).not.toMatch(/Traceback|<html>/);
    expect(kinds.r501).toMatchObject({ kind: 'server', status: 501, message: expect.stringContaining('not available') });
    for (const e of Object.values(kinds)) {
      expect(e).toBeInstanceOf(CregoError);
      expect(e.endpoint).toBe('records.get');
      expect(e.message).not.toContain(TOKEN);
    }
  });

  it('answers it cannot read: a gateway HTML page, an empty body, and a non-JSON 2xx (on a POST: outcome unknown)', async () => {
    server = await startTestServer((req, res) => {
      if (req.url.includes('gateway')) return res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>');
      if (req.url.includes('empty')) return res.writeHead(200).end();
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'text/html' }).end('<html><body>Please sign in to the portal</body></html>');
    });
    client = make({ baseUrl: server.url, token: TOKEN, retry: { retries: 0 } });
    const gateway = await failure(client.call('records.get', { path: { id: 'gateway' } }));
    expect(gateway).toMatchObject({ kind: 'server', status: 502, message: 'Crego had a problem (HTTP 502)' });
    await expect(client.call('records.get', { path: { id: 'empty' } })).resolves.toBeNull();
    const page = await failure(client.call('records.get', { path: { id: 'portal' } }));
    expect(page).toMatchObject({ kind: 'server', status: 200, message: 'Crego answered Get Single Record with something that is not JSON (HTTP 200)' });
    const post = await failure(client.call('records.create', { body: { account: 'a1', utr: 'U1' } }));
    expect(post).toMatchObject({ kind: 'unknown_outcome', status: 201 });
    expect(post.message).toMatch(/may or may not have done this \(HTTP 201, but the answer is not JSON\)/);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    for (const e of [gateway, page, post]) expect(e.message).not.toMatch(/<|portal|nginx/);
  });

  it('listAll gets every row from a server that serves fewer per page than asked but reports the size asked for', async () => {
    const rows = Array.from({ length: 230 }, (_, i) => ({ id: `r${i}`, account: 'A' }));
    server = await startTestServer((req, res) => {
      const q = new URL(req.url, 'http://x').searchParams;
      const page = Number(q.get('page'));
      const asked = Number(q.get('page_size'));
      const size = Math.min(asked, 40); // its own cap, silently applied
      json(res, 200, { count: rows.length, current_page: page, page_size: asked, results: rows.slice((page - 1) * size, page * size) });
    });
    client = make({ baseUrl: server.url, token: TOKEN });
    const all = await client.listAll('records.list');
    expect(all.map((r) => r.id)).toEqual(rows.map((r) => r.id));
  });

  it('never lets the token into an error message, even when the server echoes it', async () => {
    server = await startTestServer((req, res) =>
      json(res, 400, { detail: `bad header ${req.headers.authorization}`, code: 'x', errors: { token: [String(req.headers.authorization)] } }),
    );
    const events: unknown[] = [];
    client = make({ baseUrl: server.url, token: TOKEN, log: (e) => events.push(e) });
    const err = (await client.call('records.list').catch((e) => e)) as CregoError;
    expect(err.kind).toBe('validation');
    expect(err.message).toContain('bad header Bearer ***');
    expect(JSON.stringify(err.fieldErrors)).not.toContain(TOKEN);
    expect(err.message).not.toContain(TOKEN);
    expect(String(err.stack)).not.toContain(TOKEN);
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('walks every page with the map pagination names (pages and listAll)', async () => {
    const all = Array.from({ length: 23 }, (_, i) => ({ id: `e${i}`, account: 'acc1' }));
    server = await startTestServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      const page = Number(u.searchParams.get('page'));
      const size = Number(u.searchParams.get('page_size'));
      json(res, 200, { count: all.length, current_page: page, page_size: size, results: all.slice((page - 1) * size, page * size) });
    });
    client = make({ baseUrl: server.url, token: TOKEN });
    const pages: Array<unknown[]> = [];
    for await (const p of client.pages('emis.list', { query: { account: 'acc1' }, pageSize: 10 })) pages.push(p);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1/lms/emis/?account=acc1&page=1&page_size=10',
      '/v1/lms/emis/?account=acc1&page=2&page_size=10',
      '/v1/lms/emis/?account=acc1&page=3&page_size=10',
    ]);
    client.invalidate();
    const rows = await client.listAll('emis.list', { query: { account: 'acc1' }, pageSize: 5 });
    expect(rows.map((r) => r.id)).toEqual(all.map((r) => r.id));
  });

  it('keeps connections alive: 20 sequential requests reuse their sockets', async () => {
    server = await startTestServer((_req, res) => json(res, 200, { ok: true }));
    client = make({ baseUrl: server.url, token: TOKEN });
    for (let i = 0; i < 20; i++) await client.call('records.get', { path: { id: `r${i}` } });
    expect(server.requests).toHaveLength(20);
    // The pool may open a second socket while the first is being handed back; never one per request.
    expect(server.connections).toBeLessThanOrEqual(2);
  });

  it('counts what it sends in stats()', async () => {
    server = await startTestServer((_req, res) => json(res, 200, { count: 0, current_page: 1, page_size: 15, results: [] }));
    client = make({ baseUrl: server.url, token: TOKEN, retry: FAST_RETRY });
    await client.call('records.list');
    await client.call('records.list');
    expect(client.stats()).toMatchObject({ sent: 1, cacheHits: 1, retries: 0, peakInFlight: 1 });
  });

  it("a caller that caches and dedupes itself ('caller'): every call is sent, nothing is kept, and it hears when its request takes a slot", async () => {
    const hold = gate();
    server = await startTestServer(async (_req, res) => {
      await hold.promise;
      json(res, 200, { ok: true });
    });
    client = make({ baseUrl: server.url, token: TOKEN, concurrency: 1 });
    const onSlot: string[] = [];
    const asked = (name: string) => client!.call('accounts.summary', { path: { id: 'A' }, cache: 'caller', onSent: () => onSlot.push(name) });
    const first = asked('first');
    const second = asked('second');
    await until(() => server!.requests.length === 1, 'the first request');
    expect(onSlot).toEqual(['first']); // the second waits for the only slot instead of joining the first
    hold.open();
    await Promise.all([first, second]);
    expect(onSlot).toEqual(['first', 'second']);
    await client.call('accounts.summary', { path: { id: 'A' } });
    expect(server.requests).toHaveLength(3); // neither answer was cached for the next caller
    expect(client.stats()).toMatchObject({ coalesced: 0, cacheHits: 0 });
  });
});
