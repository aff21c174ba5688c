import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/doctor';
import { createClient } from '../../src/api/index';
import { runProbe, type ProbeReport } from '../../src/api/probe';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { json, startTestServer } from './helpers';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ accounts: 20, seed: 5, quiet: true });
});
afterAll(() => sandbox?.close());

/** Run `crego doctor` in-process, capturing what it prints. */
async function doctor(args: string[], env: NodeJS.ProcessEnv) {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await run(args, env);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('crego doctor against the sandbox', () => {
  it('reports every implemented endpoint the add-in uses as conforming and exits 0', async () => {
    const { code, out } = await doctor(['--json'], { CREGO_BASE_URL: sandbox.url, CREGO_TOKEN: sandbox.token });
    const report = JSON.parse(out) as ProbeReport;
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    const notOk = report.results.filter((r) => r.status !== 'conforming');
    expect(notOk).toEqual([]);
    const keys = report.results.map((r) => r.key);
    for (const k of ['accounts.summary', 'accounts.loan_params', 'accounts.refresh_limit', 'loans.list', 'loans.summary',
      'loans.emi_amount', 'emis.list', 'emis.outstanding', 'emis.settlements', 'records.list', 'records.get', 'fees.list',
      'fees.get', 'topups.list', 'auth.ping'])
      expect(keys).toContain(k);
    expect(out).not.toContain(sandbox.token);
  });

  it('prints one line per endpoint; signs in with CREGO_USERNAME/CREGO_PASSWORD too', async () => {
    const { code, out } = await doctor([], { CREGO_BASE_URL: sandbox.url, CREGO_USERNAME: 'demo', CREGO_PASSWORD: 'demo' });
    expect(code).toBe(0);
    expect(out).toMatch(/^ {2}ok {6}GET {2}\/v1\/lms\/accounts\/\{id\}\/summary\/ +accounts\.summary \(documented\): 23 fields ok$/m);
    expect(out).toMatch(/\d+ conforming, 0 missing fields, 0 wrong types, 0 not found, 0 not implemented, 0 errors, 0 skipped/);
  });

  it('reports the platform it sees and the settings that apply', async () => {
    // The sandbox's sign-in answers docs.crego.ai's shape: read as the newer platform, expiry from expires_in.
    const signedIn = await doctor([], { CREGO_BASE_URL: sandbox.url, CREGO_USERNAME: 'demo', CREGO_PASSWORD: 'demo', CREGO_API_PROFILE: '{"utrScope": "tenant"}' });
    expect(signedIn.out).toMatch(/^Platform: newer \(a guess\): sign-in answered with docs\.crego\.ai's shape/m);
    expect(signedIn.out).toContain('sign-in: Basic header + JSON body; token expiry from expires_in');
    expect(signedIn.out).toContain('utrScope tenant (a UTR is unique across the tenant: newer platform)');
    expect(signedIn.out).toContain('businessDateEncoding end_of_day');
    // A pasted token on a loopback URL: nothing tells.
    const pasted = await doctor(['--json'], { CREGO_BASE_URL: sandbox.url, CREGO_TOKEN: sandbox.token });
    expect(JSON.parse(pasted.out)).toMatchObject({ platform: { platform: 'unknown' }, settings: { utrScope: 'account', businessDateEncoding: 'end_of_day' } });
  });

  it('flags a wrong path from a profile as 404 and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crego-doctor-'));
    const file = join(dir, 'profile.json');
    writeFileSync(file, JSON.stringify({ name: 'wrong-summary', endpoints: { 'accounts.summary': { path: '/v1/lms/accounts/{id}/overview/' } } }));
    const { code, out } = await doctor(['--profile', file], { CREGO_BASE_URL: sandbox.url, CREGO_TOKEN: sandbox.token });
    expect(code).toBe(1);
    expect(out).toContain('(profile wrong-summary)');
    expect(out).toMatch(/404 +GET +\/v1\/lms\/accounts\/\{id\}\/overview\/ .*404: the path .* looks wrong/);
  });

  it('with --all, reports the GETs the sandbox does not implement as 501', async () => {
    const { code, out } = await doctor(['--all', '--json'], { CREGO_BASE_URL: sandbox.url, CREGO_TOKEN: sandbox.token });
    const report = JSON.parse(out) as ProbeReport;
    expect(code).toBe(1);
    expect(report.results.find((r) => r.key === 'payouts.list')).toMatchObject({ status: 'not_implemented', httpStatus: 501 });
    expect(report.results.find((r) => r.key === 'accounts.summary')?.status).toBe('conforming');
  });

  it('refuses a token flag, says what is missing or malformed (exit 2), and says once that the token is refused', async () => {
    const flag = await doctor(['--token', 'abc'], { CREGO_BASE_URL: sandbox.url });
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/--token is not accepted: .*shell history.*CREGO_TOKEN/);
    const noUrl = await doctor([], { CREGO_TOKEN: 'x' });
    expect(noUrl).toMatchObject({ code: 2, err: expect.stringContaining('set CREGO_BASE_URL') });
    const noAuth = await doctor([], { CREGO_BASE_URL: sandbox.url });
    expect(noAuth).toMatchObject({ code: 2, err: expect.stringContaining('CREGO_TOKEN, or CREGO_USERNAME and CREGO_PASSWORD') });
    const refused = await doctor([], { CREGO_BASE_URL: sandbox.url, CREGO_TOKEN: 'wrong-token-5678' });
    expect(refused.code).toBe(1);
    // The cause as `crego fn` names it (src/cli/cause.ts): no pane wording such as "paste a new one".
    expect(refused.out).toMatch(/cannot check anything: Crego at http:\/\/127\.0\.0\.1:\d+ refused the credentials \(HTTP 401\)\. Set a valid CREGO_TOKEN/);
    const down = await doctor([], { CREGO_BASE_URL: 'http://127.0.0.1:9', CREGO_TOKEN: sandbox.token });
    expect(down.out).toContain('cannot check anything: Nothing is listening at http://127.0.0.1:9 (connection refused)');
    expect(refused.out).not.toContain('wrong-token-5678');
    const bad = await doctor([], { CREGO_BASE_URL: sandbox.url, CREGO_TOKEN: sandbox.token, CREGO_API_PROFILE: '{"endpoints":{"loans.list":{"method":"GRAB"}}}' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('endpoints.loans.list.method: must be one of GET, POST, PUT, PATCH, DELETE, got "GRAB"');
  });
});

describe('the probe with the browser client (task pane "Check connection")', () => {
  it('runs over fetch against the sandbox and finds everything conforming', async () => {
    const client = createClient({ baseUrl: sandbox.url, token: sandbox.token });
    const report = await runProbe(client);
    expect(report.ok).toBe(true);
    expect(report.ids.account).toBeTruthy();
    expect(report.ids.line_account).toBeTruthy();
  });

  it('names missing fields and wrong types', async () => {
    const server = await startTestServer((req, res) => {
      const path = req.url.split('?')[0];
      if (path === '/v1/lms/loans/')
        return json(res, 200, { count: 1, current_page: 1, page_size: 1, results: [{ id: 'L1', account: 'A1', type: 'term_loan' }] });
      if (path === '/v1/lms/accounts/A1/summary/')
        return json(res, 200, { principal_outstanding: '500000.00', dpd: 0 });
      json(res, 404, { detail: 'No such path', code: 'not_found' });
    });
    try {
      const client = createClient({ baseUrl: server.url, token: 'tok-probe-1234' });
      const report = await runProbe(client);
      const loans = report.results.find((r) => r.key === 'loans.list')!;
      expect(loans.status).toBe('missing_fields');
      expect(loans.missing).toContain('borrower_name');
      const summary = report.results.find((r) => r.key === 'accounts.summary')!;
      expect(summary.status).toBe('missing_fields');
      expect(summary.wrongTypes).toContainEqual({ field: 'principal_outstanding', expected: 'number', got: 'string "500000.00"' });
      expect(report.results.find((r) => r.key === 'emis.list')).toMatchObject({ status: 'not_found', httpStatus: 404 });
      expect(report.ok).toBe(false);
    } finally {
      await server.close();
    }
  });
});
