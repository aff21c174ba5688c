/**
 * The /api proxy against a real browser (Debian's Chromium: the engine of Excel on the web in Edge
 * and Chrome, and of WebView2 on Windows). A page of the add-in's origin reads and writes through
 * the proxy, which signs with the server's token; a page of any other origin reads nothing, not
 * even with the token the server would add for it.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index';
import { buildInto } from '../manifest/helpers';
import { startUpstream, testTls } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PORTFOLIO = '{"results":[{"account":"ACC-SECRET-1"}]}';

describe('the /api proxy in Chromium', () => {
  let dist: Awaited<ReturnType<typeof buildInto>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  let foreignSite: Server;
  let foreignUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  const logs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
    const [tls, built] = await Promise.all([testTls(), buildInto({})]);
    dist = built;
    upstream = await startUpstream((_seen, res) => {
      // What a permissive Crego (or the sandbox) answers: any origin may read.
      res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }).end(PORTFOLIO);
    });
    server = await startServer({ port: 0, distDir: dist.dir, tls, crego: { baseUrl: upstream.url, token: 'server-side-token', environment: 'production' }, log: (l) => logs.push(l) });
    // "Any site the user visits": a page on another origin of this machine.
    foreignSite = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((r) => foreignSite.listen(0, '127.0.0.1', r));
    foreignUrl = `http://127.0.0.1:${(foreignSite.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    context = await browser.newContext({ ignoreHTTPSErrors: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
    await new Promise<void>((r) => (foreignSite ? foreignSite.close(() => r()) : r()));
    dist?.cleanup();
  });

  it("a page of the add-in's origin reads and writes through it, as the pane and the functions runtime do", async () => {
    upstream.seen.length = 0;
    const page = await context.newPage();
    await page.goto(`${server.url}/functions.json`);
    const result = await page.evaluate(async () => {
      const read = await fetch('/api/v1/lms/loans/');
      const write = await fetch('/api/v1/lms/records/', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1' }, body: '{}' });
      return { read: read.status, body: await read.text(), write: write.status };
    });
    expect(result).toEqual({ read: 200, body: PORTFOLIO, write: 200 });
    // What Chromium really sends from the add-in's own page (origin.ts lets exactly this through).
    expect(upstream.seen.map((s) => [s.method, s.headers['sec-fetch-site'], s.headers.authorization])).toEqual([
      ['GET', 'same-origin', 'Bearer server-side-token'],
      ['POST', 'same-origin', 'Bearer server-side-token'],
    ]);
    await page.close();
  });

  it('a page of another origin reads nothing and sends nothing to Crego', async () => {
    upstream.seen.length = 0;
    logs.length = 0;
    const page = await context.newPage();
    await page.goto(foreignUrl);
    const api = `${server.url}/api/v1/lms/loans/`;
    const outcome = await page.evaluate(async (url) => {
      const cors = await fetch(url).then(
        async (r) => `read ${r.status}: ${await r.text()}`,
        (e: Error) => `blocked: ${e.name}`,
      );
      const opaque = await fetch(url, { mode: 'no-cors' }).then((r) => r.type);
      const form = await fetch(url.replace('loans', 'records'), { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: 'account=A1' }).then((r) => r.type);
      return { cors, opaque, form };
    }, api);
    expect(outcome).toEqual({ cors: 'blocked: TypeError', opaque: 'opaque', form: 'opaque' });
    expect(upstream.seen).toHaveLength(0);
    expect(logs).toEqual([expect.stringMatching(/^GET \/api\/v1\/lms\/loans\/ 403 /), expect.stringMatching(/^GET \/api\/v1\/lms\/loans\/ 403 /), expect.stringMatching(/^POST \/api\/v1\/lms\/records\/ 403 /)]);
    await page.close();
  });
});
