/**
 * The /api proxy's upstream is not held to a browser's six connections: to a Crego that offers HTTP/2
 * it multiplexes many requests on one connection; to one that speaks HTTP/1.1 only it opens more
 * connections than a browser would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { createApiProxy, type ApiProxy } from '../../src/server/proxy';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { testTls } from './helpers';

let tls: Awaited<ReturnType<typeof testTls>>;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  tls = await testTls();
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** A plain HTTP front for the proxy alone (the full server's TLS and pages are tested elsewhere). */
async function front(proxy: ApiProxy): Promise<string> {
  const server: Server = createServer((req, res) => void proxy.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => proxy.close(), () => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `count` Get Summary calls at once through the proxy; resolves with their statuses. */
async function summaries(url: string, sandbox: RunningSandbox, count: number): Promise<number[]> {
  const agent = new Agent({ connections: count });
  const first = await request(`${url}/api/v1/lms/loans/?page_size=100`, { dispatcher: agent });
  const page = (await first.body.json()) as { results?: Array<{ account: string }> };
  if (!page.results) throw new Error(`List Loans through the proxy: HTTP ${first.statusCode} ${JSON.stringify(page)}`);
  const ids = [...new Set(page.results.map((l) => l.account))].slice(0, count);
  sandbox.resetStats();
  const statuses = await Promise.all(
    ids.map(async (id) => {
      const res = await request(`${url}/api/v1/lms/accounts/${id}/summary/`, { dispatcher: agent });
      await res.body.text();
      return res.statusCode;
    }),
  );
  await agent.close();
  return statuses;
}

describe('the /api proxy upstream', () => {
  it('multiplexes over HTTP/2 when Crego offers it: many requests at once over 2 connections', async () => {
    const sandbox = await startSandbox({ accounts: 40, http2: { cert: tls.cert, key: tls.key }, latencyMs: 300, quiet: true });
    closers.push(() => sandbox.close());
    const url = await front(createApiProxy({ baseUrl: sandbox.url, token: sandbox.token, connections: 2, ca: tls.ca }));
    const statuses = await summaries(url, sandbox, 24);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Each summary waits 300 ms at Crego; over HTTP/1.1, 2 connections would carry 2 at a time.
    expect(sandbox.stats().maxInFlight).toBeGreaterThanOrEqual(12);
  });

  it('opens more than six HTTP/1.1 connections to a Crego without h2', async () => {
    const sandbox = await startSandbox({ accounts: 40, latencyMs: 300, quiet: true });
    closers.push(() => sandbox.close());
    const url = await front(createApiProxy({ baseUrl: sandbox.url, token: sandbox.token }));
    const statuses = await summaries(url, sandbox, 24);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(sandbox.stats().maxInFlight).toBeGreaterThanOrEqual(12);
  });
});
