/**
 * The add-in's host configuration, read in one place (src/excel): the server's /config.json through
 * one strict parser, and OfficeRuntime.storage. Served over loopback HTTP by a real server; storage
 * is Office's boundary, so it is a plain key/value double.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig, parseServerConfig } from '../../src/excel/serverConfig';
import { CONNECTION_STORAGE_KEY, loadConnection, loadToken, parseSavedConnection, saveConnection, saveToken, TOKEN_STORAGE_KEY } from '../../src/excel/storage';

describe('parseServerConfig: the one reading of /config.json', () => {
  it('takes what the add-in server sends', () => {
    expect(parseServerConfig({ environment: 'sandbox', apiBase: '/api', devToken: 'sbxdev_1' })).toEqual({ environment: 'sandbox', apiBase: '/api', devToken: 'sbxdev_1' });
    expect(parseServerConfig({ environment: 'production', apiBase: '/api' })).toEqual({ environment: 'production', apiBase: '/api' });
  });

  it.each([
    ['no environment', { apiBase: '/api' }],
    ['an empty environment', { environment: ' ', apiBase: '/api' }],
    ['no apiBase', { environment: 'sandbox' }],
    ['an apiBase that is not text', { environment: 'sandbox', apiBase: 3 }],
    ['a devToken that is not text', { environment: 'sandbox', apiBase: '/api', devToken: true }],
    ['an array', [1, 2]],
    ['null', null],
    ['text', 'sandbox'],
  ])('refuses %s (a page served by something else must not lend its values a token)', (_what, body) => {
    expect(parseServerConfig(body)).toBeNull();
  });
});

describe('loadServerConfig', () => {
  let server: Server;
  let origin: string;
  const answers: Record<string, { status: number; type: string; body: string }> = {};
  const asked: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      const answer = answers[req.url ?? ''] ?? { status: 404, type: 'text/plain', body: 'no' };
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads config.json beside the page, so an add-in served under a path finds its own', async () => {
    answers['/addin/config.json'] = { status: 200, type: 'application/json', body: JSON.stringify({ environment: 'preprod', apiBase: '/addin/api' }) };
    expect(await loadServerConfig(`${origin}/addin/taskpane.html?_host_Info=Excel`)).toEqual({ environment: 'preprod', apiBase: '/addin/api' });
    expect(asked).toContain('/addin/config.json');
  });

  it('says why when there is no configuration: an error status, or a page that is not JSON', async () => {
    await expect(loadServerConfig(`${origin}/taskpane.html`)).rejects.toThrow('config.json: HTTP 404');
    answers['/html/config.json'] = { status: 200, type: 'text/html', body: '<html>sign in</html>' };
    await expect(loadServerConfig(`${origin}/html/`)).rejects.toThrow("config.json: not the add-in server's configuration");
  });

  it('without a page (Node) asks nothing', async () => {
    const before = asked.length;
    await expect(loadServerConfig(undefined)).rejects.toThrow('no page');
    expect(asked.length).toBe(before);
  });
});

describe('the add-in storage (OfficeRuntime.storage, opened only here)', () => {
  const g = globalThis as { OfficeRuntime?: unknown };
  afterEach(() => delete g.OfficeRuntime);

  it("keeps the token and the connection it belongs to in Office's storage when the host has it", async () => {
    const kept = new Map<string, string>();
    g.OfficeRuntime = { storage: { getItem: async (k: string) => kept.get(k) ?? null, setItem: async (k: string, v: string) => void kept.set(k, v), removeItem: async (k: string) => void kept.delete(k) } };
    await saveToken('t0k');
    await saveConnection({ environment: 'preprod', baseUrl: 'https://preprod.example.test' });
    expect(kept.get(TOKEN_STORAGE_KEY)).toBe('t0k');
    expect(JSON.parse(kept.get(CONNECTION_STORAGE_KEY)!)).toEqual({ environment: 'preprod', baseUrl: 'https://preprod.example.test' });
    expect(await loadConnection()).toEqual({ environment: 'preprod', baseUrl: 'https://preprod.example.test' });
    kept.set(CONNECTION_STORAGE_KEY, '{"environment":"preprod"}');
    expect(await loadConnection()).toBeNull();
  });

  it('outside Office keeps them for the page only', async () => {
    await saveToken('page-only');
    expect(await loadToken()).toBe('page-only');
    g.OfficeRuntime = { storage: { getItem: async () => null, setItem: async () => undefined, removeItem: async () => undefined } };
    expect(await loadToken()).toBeNull();
  });

  it('reads a saved connection strictly: its URL must be text, unknown keys are dropped', () => {
    expect(parseSavedConnection('{"environment":"sandbox","baseUrl":"/api","username":"demo","extra":1}')).toEqual({ environment: 'sandbox', baseUrl: '/api', username: 'demo' });
    expect(parseSavedConnection('{"environment":"sandbox","baseUrl":""}')).toBeNull();
    expect(parseSavedConnection('not json')).toBeNull();
    expect(parseSavedConnection('null')).toBeNull();
  });
});
