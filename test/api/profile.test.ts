import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CregoHttpClient } from '../../src/api/client';
import type { CregoError } from '../../src/api/contract';
import { createNodeClient, loadProfileFile, profileFromEnv } from '../../src/api/node';
import { parseProfile, ProfileError } from '../../src/api/profile';
import { CARRIERS, closeAfterEach, json, startTestServer, type TestServer, as } from './helpers';

const TOKEN = 'tok-profile-abcdef';

const problemsOf = (input: unknown): string[] => {
  try {
    parseProfile(input, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as ProfileError).kind).toBe('config');
    return (err as ProfileError).problems;
  }
  throw new Error('expected the profile to be refused');
};

describe.each(CARRIERS)('API profile over %s', (_carrier, make) => {
  let server: TestServer | undefined, client: CregoHttpClient | undefined;
  closeAfterEach(() => [client, server], () => (client = server = undefined));

  it('honours a renamed path, method, query/body/answer field names and pagination names', async () => {
    server = await startTestServer((req, res) => {
      if (req.url.startsWith('/v2/lending/instalments/')) {
        const u = new URL(req.url, 'http://x');
        const pg = Number(u.searchParams.get('pg'));
        const rows = [{ id: 'e1', emi: 100 }, { id: 'e2', emi: 200 }, { id: 'e3', emi: 300 }];
        return json(res, 200, { total: 3, items: rows.slice((pg - 1) * 2, pg * 2) });
      }
      if (req.url === '/v1/lms/records/bulk/') return json(res, 200, { echo: JSON.parse(req.body) });
      if (req.url.startsWith('/v1/lms/accounts/acc1/overview/'))
        return json(res, 400, { detail: 'Bad input', code: 'invalid', errors: { ason: ['Not a date'] } });
      json(res, 404, { detail: 'no route', code: 'not_found' });
    });
    const profile = {
      name: 'corrected',
      pagination: { page: 'pg', pageSize: 'per', count: 'total', results: 'items' },
      endpoints: {
        'emis.list': { path: '/v2/lending/instalments/', query: { account: 'account_id' }, fields: { emi_amount: 'emi' } },
        'records.bulk_create': { path: '/v1/lms/records/bulk/', method: 'PUT', body: { utr: 'utr_no' } },
        'accounts.summary': { path: '/v1/lms/accounts/{id}/overview/', query: { as_of_date: 'ason' } },
      },
    };
    client = make({ baseUrl: server.url, token: TOKEN, profile });
    const rows = await client.listAll('emis.list', { query: { account: 'A1' }, pageSize: 2 });
    expect(rows).toEqual([
      { id: 'e1', emi_amount: 100 },
      { id: 'e2', emi_amount: 200 },
      { id: 'e3', emi_amount: 300 },
    ]);
    expect(server.requests[0].url).toBe('/v2/lending/instalments/?account_id=A1&pg=1&per=2');

    const bulk = await client.call('records.bulk_create', { body: { items: [{ utr: 'U1', amount: 5 }] } });
    expect(as<{ echo: unknown }>(bulk).echo).toEqual({ items: [{ utr_no: 'U1', amount: 5 }] });
    expect(server.requests.at(-1)!.method).toBe('PUT');

    const err = (await client.call('accounts.summary', { path: { id: 'acc1' }, query: { as_of_date: 5 } }).catch((e) => e)) as CregoError;
    expect(server.requests.at(-1)!.url).toBe('/v1/lms/accounts/acc1/overview/?ason=5');
    expect(err.kind).toBe('validation');
    expect(err.fieldErrors).toEqual({ as_of_date: ['Not a date'] });
  });

  it('businessDateEncoding "start_of_day" stamps business dates at 00:00 IST in bodies, bulk items and queries; instants untouched', async () => {
    server = await startTestServer((req, res) => json(res, 200, { echo: req.body ? JSON.parse(req.body) : null }));
    const endOfDay = 1704479399.999999; // 5 Jan 2024 23:59:59.999999 IST, as the add-in builds it
    const startOfDay = 1704393000; // 5 Jan 2024 00:00 IST
    client = make({ baseUrl: server.url, token: TOKEN, profile: { businessDateEncoding: 'start_of_day' } });
    expect(client.settings).toEqual({ utrScope: 'account', businessDateEncoding: 'start_of_day' });
    const bulk = await client.call('records.bulk_create', {
      body: { items: [{ utr: 'U1', date: endOfDay, bank_date: endOfDay, amount: 5, created_at: endOfDay }] },
    });
    expect(as<{ echo: unknown }>(bulk).echo).toEqual({ items: [{ utr: 'U1', date: startOfDay, bank_date: startOfDay, amount: 5, created_at: endOfDay }] });
    await client.call('accounts.summary', { path: { id: 'acc1' }, query: { as_of_date: endOfDay } });
    expect(server.requests.at(-1)!.url).toBe(`/v1/lms/accounts/acc1/summary/?as_of_date=${startOfDay}`);
    await client.close();
    // The default keeps the end of the day, byte for byte.
    client = make({ baseUrl: server.url, token: TOKEN });
    const plain = await client.call('records.create', { body: { account: 'a', date: endOfDay } });
    expect(as<{ echo: unknown }>(plain).echo).toEqual({ account: 'a', date: endOfDay });
  });
});

describe('API profile validation', () => {
  it('takes utrScope and businessDateEncoding, and refuses other values', () => {
    expect(parseProfile({ utrScope: 'tenant', businessDateEncoding: 'start_of_day' })).toEqual({ utrScope: 'tenant', businessDateEncoding: 'start_of_day' });
    expect(problemsOf({ utrScope: 'bank', businessDateEncoding: 'midday' })).toEqual([
      'utrScope: must be one of "account", "tenant", got "bank"',
      'businessDateEncoding: must be one of "end_of_day", "start_of_day", got "midday"',
    ]);
  });

  it('names every wrong entry and why', () => {
    const problems = problemsOf({
      name: 'broken',
      colour: 'blue',
      endpoints: {
        'accounts.sumary': { path: '/v1/x/' },
        'emis.list': { path: '/v1/lms/emi', method: 'FETCH', pth: '/x/' },
        'accounts.summary': { path: '/v1/lms/accounts/{account}/summary/' },
        'records.list': { query: { acount: 'account_id' } },
        'records.get': { fields: { amount: 'amount value' } },
        'records.create': { pagination: { page: 'p' } },
      },
      pagination: { pageSize: 0 },
    });
    const text = problems.join('\n');
    expect(text).toContain("profile: unknown setting 'colour'");
    expect(text).toContain("endpoints.accounts.sumary: unknown endpoint key (did you mean 'accounts.summary'?)");
    expect(text).toContain('endpoints.emis.list.path: "/v1/lms/emi" must end with "/"');
    expect(text).toContain('endpoints.emis.list.method: must be one of GET, POST, PUT, PATCH, DELETE, got "FETCH"');
    expect(text).toContain("endpoints.emis.list: unknown setting 'pth' (did you mean 'path'?)");
    expect(text).toContain('endpoints.accounts.summary.path: "/v1/lms/accounts/{account}/summary/" must use the placeholders {id}');
    expect(text).toContain("endpoints.records.list.query: 'acount' is not a query parameter of this endpoint (did you mean 'account'?)");
    expect(text).toContain('endpoints.records.get.fields.amount: the API\'s name must be a plain name');
    expect(text).toContain('endpoints.records.create.pagination: records.create does not answer with pages');
    expect(text).toContain('pagination.pageSize: must be a parameter name');
    expect(problems).toHaveLength(10);
  });

  it('says so when the text is not JSON, and the client refuses to start with a bad profile', () => {
    expect(problemsOf('{"endpoints": ')[0]).toMatch(/^not valid JSON/);
    expect(() => createNodeClient({ baseUrl: 'http://127.0.0.1:1', token: TOKEN, profile: { endpoints: { 'emis.list': { path: 'emis' } } } })).toThrow(
      /endpoints\.emis\.list\.path: must be a path starting with "\/"/,
    );
  });

  it('loads from a file (--profile) and from CREGO_API_PROFILE (a path or inline JSON)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crego-profile-'));
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ name: 'file', endpoints: { 'loans.list': { path: '/v1/lms/loan/' } } }));
    expect(loadProfileFile(file).endpoints?.['loans.list']?.path).toBe('/v1/lms/loan/');
    expect(profileFromEnv({ CREGO_API_PROFILE: file })?.name).toBe('file');
    expect(profileFromEnv({ CREGO_API_PROFILE: '{"name":"inline"}' })?.name).toBe('inline');
    expect(profileFromEnv({})).toBeUndefined();
    expect(() => loadProfileFile(join(dir, 'missing.json'))).toThrow(/Cannot read API profile '.*missing\.json': ENOENT/);
    writeFileSync(file, '{"endpoints": {"loans.list": {"path": "/v1/lms/loan"}}}');
    expect(() => loadProfileFile(file)).toThrow(/p\.json' is not valid:\n {2}- endpoints\.loans\.list\.path: "\/v1\/lms\/loan" must end with "\/"/);
  });
});
