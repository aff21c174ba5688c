/**
 * The client against the sandbox playing Crego's newer platform: a 403 that means "module not licensed"
 * told apart from "no permission" (client message, a cell through `crego fn`), and sign-in with the
 * documented Basic header plus JSON body.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CregoError } from '../../src/api/contract';
import { createNodeClient } from '../../src/api/node';
import { run as fn } from '../../src/cli/commands/fn';
import { activeRuntime } from '../../src/functions/runtime';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';

let sb: RunningSandbox;
let account: string;
const env = { ...process.env };
beforeAll(async () => {
  sb = await startSandbox({ accounts: 6, today: '2026-01-15', unlicensed: ['Topups'] });
  const res = await fetch(`${sb.url}/v1/lms/loans/?page_size=1`, { headers: { Authorization: `Bearer ${sb.token}` } });
  account = ((await res.json()) as { results: Array<{ account: string }> }).results[0].account;
});
afterAll(() => sb.close());
afterEach(() => {
  process.env = { ...env };
  vi.restoreAllMocks();
  activeRuntime()?.disconnect();
});

describe('403: not licensed vs no permission', () => {
  it('says which one, and what to do, from the client', async () => {
    const client = createNodeClient({ baseUrl: sb.url, token: sb.token });
    try {
      const unlicensed = (await client.call('topups.list', { query: { account } }).catch((e) => e)) as CregoError;
      expect(unlicensed).toMatchObject({ kind: 'forbidden', status: 403 });
      expect(unlicensed.message).toMatch(/^Not licensed: the Topups module is not licensed for this Crego tenant; ask your Crego administrator to enable it/);
      await expect(client.call('records.list', { query: { account } })).resolves.toMatchObject({ count: expect.any(Number) });
    } finally {
      await client.close();
    }
    const viewer = createNodeClient({ baseUrl: sb.url, username: 'viewer', password: 'viewer' });
    try {
      const refused = (await viewer.call('records.create', { body: { account, amount: 1 } }).catch((e) => e)) as CregoError;
      expect(refused).toMatchObject({ kind: 'forbidden', status: 403 });
      expect(refused.message).toMatch(/^No permission: This user may only read.*; ask your Crego administrator for access/);
      expect(refused.message).not.toMatch(/licen/i);
    } finally {
      await viewer.close();
    }
  });

  it('shows the licensing message in a cell (crego fn), not a sign-in or permission one', async () => {
    process.env.CREGO_BASE_URL = sb.url;
    process.env.CREGO_TOKEN = sb.token;
    let out = '';
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
    const code = await fn(['TOPUPS', account]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(out).toBe('#N/A\n');
    expect(err).toMatch(/Not licensed: the Topups module is not licensed for this Crego tenant/);
  });
});

describe('sign-in as documented', () => {
  it('the sandbox takes the client’s Basic header + JSON body sign-in, and calls go through', async () => {
    const client = createNodeClient({ baseUrl: sb.url, username: 'demo', password: 'demo' });
    try {
      await expect(client.call('records.list', { query: { account } })).resolves.toMatchObject({ count: expect.any(Number) });
      expect(client.stats().tokenRenewals).toBe(1);
    } finally {
      await client.close();
    }
  });
});

describe('which platform (crego doctor)', () => {
  it('guesses from the host, the /api prefix and the sign-in answer, and says why', async () => {
    const { guessPlatform, loginShapeOf } = await import('../../src/api/platform');
    expect(guessPlatform('https://demo.preprod.crego.ai/api', 'none')).toMatchObject({ platform: 'newer' });
    expect(guessPlatform('https://preprod.api.crego.io', 'none')).toMatchObject({ platform: 'first' });
    expect(guessPlatform('https://preprod.api.crego.io', loginShapeOf({ access: 'a', refresh: 'r' })).platform).toBe('first');
    expect(guessPlatform('http://127.0.0.1:4010', loginShapeOf({ access: 'a', refresh: 'r', expires_in: 900, token_type: 'Bearer', user: {} })).platform).toBe('newer');
    expect(guessPlatform('http://127.0.0.1:4010', 'none')).toEqual({ platform: 'unknown', reasons: ['nothing in the base URL or the sign-in tells'] });
  });
});
