/**
 * The Node carrier over HTTP/2: against the sandbox with `--http2`, requests share one connection as
 * streams, many at once (undici alone would carry one request at a time per h2 connection), and the
 * same carrier still speaks HTTP/1.1 to a server without h2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientWith } from '../../src/api/client';
import { undiciTransport } from '../../src/api/undici-transport';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { testTls } from '../server/helpers';

let h2: RunningSandbox;
let h1: RunningSandbox;
let ca: string;

beforeAll(async () => {
  const tls = await testTls();
  ca = tls.ca;
  h2 = await startSandbox({ accounts: 30, http2: { cert: tls.cert, key: tls.key }, latencyMs: 100, quiet: true });
  h1 = await startSandbox({ accounts: 30, latencyMs: 100, quiet: true });
});
afterAll(async () => {
  await h2?.close();
  await h1?.close();
});

async function accountsOf(sandbox: RunningSandbox): Promise<string[]> {
  const client = createClientWith({ baseUrl: sandbox.url, token: sandbox.token }, undiciTransport({ ca }));
  const loans = await client.listAll('loans.list', { pageSize: 100 });
  await client.close();
  return [...new Set(loans.map((l) => l.account))].slice(0, 24);
}

describe('the Node carrier over HTTP/2', () => {
  it('carries many requests at once on an h2 connection', async () => {
    const ids = await accountsOf(h2);
    const client = createClientWith({ baseUrl: h2.url, token: h2.token, concurrency: 24, maxConcurrency: 24, cacheTtlMs: 0 }, undiciTransport({ connections: 24, ca }));
    await client.call('loans.list', { query: { page_size: 1 } }); // the connection, as a session's first call makes it
    h2.resetStats();
    await Promise.all(ids.map((id) => client.call('accounts.summary', { path: { id } })));
    await client.close();
    // Every summary waits 100 ms at the sandbox: undici on its own would carry them one at a time.
    expect(h2.stats().maxInFlight).toBeGreaterThanOrEqual(20);
  });

  it('speaks HTTP/1.1, one request per connection, to a server without h2', async () => {
    const ids = await accountsOf(h1);
    const client = createClientWith({ baseUrl: h1.url, token: h1.token, concurrency: 8, maxConcurrency: 8, cacheTtlMs: 0 }, undiciTransport({ connections: 8 }));
    h1.resetStats();
    const answers = await Promise.all(ids.map((id) => client.call('accounts.summary', { path: { id } })));
    await client.close();
    expect(answers).toHaveLength(ids.length);
    expect(h1.stats().maxInFlight).toBe(8);
  });
});
