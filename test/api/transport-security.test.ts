/**
 * A bearer token goes over TLS, or stays on this machine: every client (the browser build the pane
 * and functions use, the Node one of the CLI) refuses plain http to another host before sending
 * anything. URLs in messages never carry their credentials or query.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/api/index';
import { createNodeClient } from '../../src/api/node';
import { displayUrl, isLoopbackHost, transportProblem } from '../../src/api/url';

describe('tokens travel only over TLS off this machine', () => {
  const offMachine = ['http://crego.example.com', 'http://10.0.0.5:4010/api', 'HTTP://API.CREGO.EXAMPLE/v1', 'http://127.0.0.1.nip.io:4010', 'http://0x7f000001/'];
  const fine = ['https://crego.example.com', 'http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010', 'http://127.10.0.1/', 'http://sandbox.localhost:4010', '/api'];

  it('refuses plain http to another host in the Node client (the CLI) and the browser client (pane, functions)', async () => {
    let sent = 0;
    const fetchSpy = (async () => {
      sent++;
      return new Response('{}');
    }) as typeof fetch;
    for (const baseUrl of offMachine) {
      expect(() => createNodeClient({ baseUrl, token: 'secret-token' }), baseUrl).toThrow(/plain http to another machine.*use https:\/\//);
      expect(() => createClient({ baseUrl, token: 'secret-token', fetch: fetchSpy }), baseUrl).toThrow(/plain http to another machine/);
    }
    expect(sent).toBe(0);
    for (const baseUrl of fine.filter((u) => u.includes('://'))) {
      const client = createNodeClient({ baseUrl, token: 't' });
      await client.close();
    }
    expect(() => createClient({ baseUrl: '/api', token: 't', fetch: fetchSpy })).not.toThrow();
  });

  it('knows loopback from the rest', () => {
    for (const u of fine) expect(transportProblem(u), u).toBeUndefined();
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
    expect(isLoopbackHost('localhost.evil.example')).toBe(false);
    expect(transportProblem('ftp://crego.example.com')).toMatch(/must start with https/);
  });
});

describe('secrets in a base URL are never echoed', () => {
  it('shows a URL without its user, password, query or fragment', () => {
    expect(displayUrl('https://ops:hunter2@api.crego.example/v1/?api_key=SEKRIT#x')).toBe('https://api.crego.example/v1/');
    expect(displayUrl('https://api.crego.example?token=SEKRIT')).toBe('https://api.crego.example');
    expect(displayUrl('http://user:pa ss@bad host/?k=SEKRIT')).toBe('http://bad host/');
    expect(displayUrl('not a url?api_key=SEKRIT')).toBe('not a url');
    expect(displayUrl('ht!tp://ops:hunter2@x/')).toBe('ht!tp://x/');
    expect(displayUrl('ops:hunter2@api.example')).toBe('api.example');
  });

  it('keeps them out of every refusal of a client', () => {
    for (const baseUrl of ['http://ops:hunter2@10.0.0.5/?api_key=SEKRIT', 'ftp://ops:hunter2@host/?api_key=SEKRIT', 'http://10.0.0.5/?api_key=SEKRIT', 'https://ops:hunter2@api.example']) {
      let message = '';
      try {
        createNodeClient({ baseUrl, token: 't' });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, baseUrl).not.toBe('');
      expect(message, baseUrl).not.toMatch(/hunter2|SEKRIT/);
    }
  });
});
