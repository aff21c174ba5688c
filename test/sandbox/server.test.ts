import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ENDPOINTS, SUMMARY_FIELDS } from '../../src/api/endpoints';
import { boot, type Booted } from './helpers';

const example = JSON.parse(readFileSync(new URL('../../../shared/crego-api/examples/accounts-get-summary.response.json', import.meta.url), 'utf8'));

let t: Booted;
beforeAll(async () => {
  t = await boot();
});
afterAll(() => t.sb.close());

describe('sandbox HTTP basics', () => {
  it('refuses a call without a valid bearer token with 401 and the error body', async () => {
    const res = await fetch(`${t.sb.url}/v1/lms/loans/`);
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body).toMatchObject({ code: 'not_authenticated' });
    expect(body.detail).toMatch(/Bearer/);
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
    const bad = await fetch(`${t.sb.url}/v1/lms/loans/`, { headers: { Authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
  });

  it('signs in, refreshes, and lets the refreshed token through; a spent refresh token is refused', async () => {
    const login = await t.call('POST', '/auth/login/', { username: 'demo', password: 'demo', type: 'staff' }, { Authorization: '' });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body).sort()).toEqual(['access', 'expires_in', 'refresh', 'token_type', 'user']);
    expect(login.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { username: 'demo', type: 'staff' } });
    const refreshed = await t.call('POST', '/auth/tokens/refresh/', { refresh: login.body.refresh }, { Authorization: '' });
    expect(refreshed.status).toBe(200);
    const ok = await t.call('GET', '/v1/lms/loans/?page_size=1', undefined, { Authorization: `Bearer ${refreshed.body.access}` });
    expect(ok.status).toBe(200);
    const again = await t.call('POST', '/auth/tokens/refresh/', { refresh: login.body.refresh }, { Authorization: '' });
    expect(again.status).toBe(401);
    const wrong = await t.call('POST', '/auth/login/', { username: 'demo', password: 'x' }, { Authorization: '' });
    expect(wrong.status).toBe(401);
  });

  it('answers 403 when a read-only user tries to write, and lets it read', async () => {
    const login = await t.call('POST', '/auth/login/', { username: 'viewer', password: 'viewer' }, { Authorization: '' });
    const auth = { Authorization: `Bearer ${login.body.access}` };
    expect((await t.call('GET', '/v1/lms/loans/?page_size=1', undefined, auth)).status).toBe(200);
    const denied = await t.call('POST', '/v1/lms/emis/calculate_emi/', { loan_amount: 1000, roi: 12, emi_count: 2 }, auth);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'permission_denied' });
    expect(denied.body.detail).toContain('Calculate EMI');
  });

  it('expires access tokens after tokenTtlSeconds', async () => {
    const short = await boot({ tokenTtlSeconds: 1, accounts: 12 });
    try {
      const login = await short.call('POST', '/auth/login/', { username: 'demo', password: 'demo' }, { Authorization: '' });
      expect(login.body.expires_in).toBe(1);
      await new Promise((r) => setTimeout(r, 1100));
      const late = await short.call('GET', '/v1/lms/loans/', undefined, { Authorization: `Bearer ${login.body.access}` });
      expect(late.status).toBe(401);
      expect(late.body.code).toBe('token_expired');
    } finally {
      await short.sb.close();
    }
  });

  it('answers 404 JSON for an unknown path and 501 naming an unimplemented endpoint', async () => {
    const unknown = await t.get('/v1/lms/nothing-here/');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    // The trailing slash is part of every Crego path: a client that drops it must not be served silently.
    for (const path of ['/v1/lms/loans', `/v1/lms/accounts/${(await t.get('/v1/lms/loans/?page_size=1')).body.results[0].account}/summary`]) {
      const r = await t.get(path);
      expect(r.status, path).toBe(404);
      expect(r.body.detail, path).toContain(`Crego paths end with a slash: ${path}/.`);
    }
    expect((await t.post('/v1/lms/emis/calculate_emi', { loan_amount: 1000, roi: 12, emi_count: 2 })).status).toBe(404);
    for (const def of ENDPOINTS.filter((e) => !e.implemented && e.key !== 'accounts.update_loan_params').slice(0, 5)) {
      const path = def.path.replace(/\{[a-z_]+\}/g, 'x');
      const r = await t.call(def.method, path, def.method === 'GET' || def.method === 'DELETE' ? undefined : {});
      expect(r.status, def.key).toBe(501);
      expect(r.body.detail).toContain(def.key);
    }
  });

  it('lists the demo portfolio with the documented page envelope and page/page_size', async () => {
    const p1 = await t.get('/v1/lms/loans/?page=1&page_size=10');
    expect(Object.keys(p1.body)).toEqual(['count', 'current_page', 'page_size', 'results']);
    expect(p1.body).toMatchObject({ count: 24, current_page: 1, page_size: 10 });
    expect(p1.body.results).toHaveLength(10);
    const p3 = await t.get('/v1/lms/loans/?page=3&page_size=10');
    expect(p3.body.results).toHaveLength(4);
    const ids = new Set([...p1.body.results, ...p3.body.results].map((l: any) => l.account));
    expect(ids.size).toBe(14);
    const bad = await t.get('/v1/lms/loans/?page_size=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.page_size[0]).toMatch(/1 to 500/);
  });

  it('pagination edges: a page past the end is empty (count kept), the size bounds hold, any non-integer is a 400 naming the parameter', async () => {
    expect((await t.get('/v1/lms/loans/?page=99')).body).toEqual({ count: 24, current_page: 99, page_size: 15, results: [] });
    expect((await t.get('/v1/lms/loans/?page_size=500')).body.results).toHaveLength(24);
    expect((await t.get('/v1/lms/loans/?page_size=1')).body.results).toHaveLength(1);
    for (const [query, param] of [['page=0', 'page'], ['page=-1', 'page'], ['page=abc', 'page'], ['page=1e1', 'page'], ['page=0x2', 'page'], ['page=%202', 'page'],
      ['page=2.0', 'page'], ['page_size=501', 'page_size'], ['page_size=1.5', 'page_size'], ['page_size=1e2', 'page_size']]) {
      const r = await t.get(`/v1/lms/loans/?${query}`);
      expect(r.status, query).toBe(400);
      expect(Object.keys(r.body.errors), query).toEqual([param]);
      expect(r.body.detail, query).toContain(param);
    }
  });

  it('covers every asset category, closed loans and credit lines in the demo portfolio', async () => {
    const all = (await t.get('/v1/lms/loans/?page_size=500')).body.results;
    const cats = new Set(all.filter((l: any) => l.type === 'term_loan').map((l: any) => l.asset_category));
    expect([...cats].sort()).toEqual(['NPA', 'Regular', 'SMA-0', 'SMA-1', 'SMA-2']);
    expect(all.some((l: any) => l.status === 'closed')).toBe(true);
    expect(all.some((l: any) => l.type === 'credit_line')).toBe(true);
  });

  it('answers Get Summary with the 23 documented fields, typed as in Crego’s example', async () => {
    const loans = (await t.get('/v1/lms/loans/?page_size=500')).body.results;
    for (const l of loans.slice(0, 12)) {
      const s = await t.get(`/v1/lms/accounts/${l.account}/summary/?as_of_date=1768501799&include_closed_loan=true`);
      expect(s.status).toBe(200);
      expect(Object.keys(s.body)).toEqual([...SUMMARY_FIELDS]);
      expect(Object.keys(s.body).sort()).toEqual(Object.keys(example).sort());
      for (const f of SUMMARY_FIELDS) {
        if (f === 'asset_category') expect(typeof s.body[f]).toBe('string');
        else if (f === 'asset_category_date') expect(s.body[f] === null || typeof s.body[f] === 'number').toBe(true);
        else expect(typeof s.body[f], f).toBe('number');
      }
      expect(Number.isInteger(s.body.dpd) && Number.isInteger(s.body.peak_dpd)).toBe(true);
    }
  });

  it('adds latencyMs to every request, so concurrent requests are in flight together', async () => {
    const slow = await boot({ accounts: 12, latencyMs: 100 });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => slow.get('/v1/lms/loans/?page_size=1')));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(slow.sb.stats()).toMatchObject({ requests: 6, maxInFlight: 6, byEndpoint: { 'loans.list': 6 } });
    } finally {
      await slow.sb.close();
    }
  });

  it('counts requests per endpoint and resets the counters', async () => {
    t.sb.resetStats();
    await t.get('/v1/lms/loans/?page_size=1');
    await t.get('/v1/lms/loans/?page_size=1');
    const s = t.sb.stats();
    expect(s.requests).toBe(2);
    expect(s.byEndpoint['loans.list']).toBe(2);
    expect(s.maxInFlight).toBeGreaterThanOrEqual(1);
  });
});
