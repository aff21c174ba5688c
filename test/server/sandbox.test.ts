import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index';
import { SUMMARY_FIELDS } from '../../src/api/endpoints';
import { startBanner } from '../../src/server/banner';
import { buildInto } from '../manifest/helpers';
import { httpsCall, testTls } from './helpers';

describe('the embedded default: no CREGO_BASE_URL starts the sandbox in the same process', () => {
  let tls: Awaited<ReturnType<typeof testTls>>;
  let dist: Awaited<ReturnType<typeof buildInto>>;
  let server: RunningServer;

  beforeAll(async () => {
    [tls, dist] = await Promise.all([testTls(), buildInto({})]);
    server = await startServer({ port: 0, distDir: dist.dir, tls, sandbox: { accounts: 20, quiet: true } });
  });
  afterAll(async () => {
    await server?.close();
    dist?.cleanup();
  });

  it('tells the pane about the sandbox and its dev token in /config.json', async () => {
    expect(server.environment).toBe('sandbox');
    expect(server.apiTarget).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const config = JSON.parse((await httpsCall(`${server.url}/config.json`, tls.ca)).body);
    expect(config).toEqual({ environment: 'sandbox', apiBase: '/api', devToken: server.devToken });
    expect(config.devToken).toEqual(expect.any(String));
  });

  it('returns an account summary through /api with the dev token', async () => {
    const auth = { Authorization: `Bearer ${server.devToken}` };
    const loans = await httpsCall(`${server.url}/api/v1/lms/loans/?page=1&page_size=5`, tls.ca, { headers: auth });
    expect(loans.status).toBe(200);
    const account = (JSON.parse(loans.body) as { results: { account: string }[] }).results[0]!.account;
    const summary = await httpsCall(`${server.url}/api/v1/lms/accounts/${encodeURIComponent(account)}/summary/`, tls.ca, { headers: auth });
    expect(summary.status).toBe(200);
    const body = JSON.parse(summary.body) as Record<string, unknown>;
    for (const field of ['total_outstanding', 'dpd', 'asset_category']) {
      expect(SUMMARY_FIELDS).toContain(field);
      expect(body, field).toHaveProperty(field);
    }
  });

  it('passes the sandbox refusal through when the token is missing', async () => {
    const reply = await httpsCall(`${server.url}/api/v1/lms/loans/`, tls.ca);
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.body)).toMatchObject({ detail: expect.any(String), code: expect.any(String) });
  });

  it('prints where the manifest is, how to sideload, the API and the dev token on start', () => {
    const banner = startBanner(server, { repoRoot: dist.dir });
    expect(banner).toContain(`Crego for Excel is running at ${server.url}`);
    expect(banner).toMatch(/Manifest +\S*manifest\.xml/);
    expect(banner).toContain('Upload My Add-in');
    expect(banner).toContain('Excel on Windows');
    expect(banner).toContain(`the embedded Crego sandbox at ${server.apiTarget}`);
    expect(banner).toContain(`Dev token   ${server.devToken}`);
    expect(banner).toContain('self-signed');
  });

  it('stops the sandbox with the server', async () => {
    const s = await startServer({ port: 0, distDir: dist.dir, tls, sandbox: { accounts: 5, quiet: true } });
    const sandboxUrl = s.apiTarget;
    await s.close();
    await expect(fetch(`${sandboxUrl}/v1/lms/loans/`)).rejects.toThrow();
  });
});
