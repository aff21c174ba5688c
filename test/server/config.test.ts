import { X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../src/server/config';
import { manifestVersion, resolveAddinOrigin } from '../../src/server/build/origin';
import { resolveTls } from '../../src/server/certs';
import { testTls } from './helpers';

describe('server settings from the environment', () => {
  it('defaults to port 3000 on loopback with the embedded sandbox', () => {
    expect(settingsFromEnv({})).toEqual({ port: 3000, host: '127.0.0.1', timeoutMs: 30_000, maxBodyBytes: 5 * 1024 * 1024 });
  });

  it('takes a real Crego from CREGO_BASE_URL and CREGO_TOKEN', () => {
    const s = settingsFromEnv({ CREGO_BASE_URL: 'https://api.crego.example/', CREGO_TOKEN: 't0k', PORT: '3443' });
    expect(s.crego).toEqual({ baseUrl: 'https://api.crego.example', token: 't0k', environment: 'production' });
    expect(s.port).toBe(3443);
    expect(settingsFromEnv({ CREGO_BASE_URL: 'http://127.0.0.1:4010' }).crego?.environment).toBe('sandbox');
    expect(settingsFromEnv({ CREGO_BASE_URL: 'https://pre.example', CREGO_ENVIRONMENT: 'preprod' }).crego?.environment).toBe('preprod');
  });

  it('never echoes a password or a query string of CREGO_BASE_URL in its refusals', () => {
    for (const url of ['https://ops:hunter2@api.crego.example/', 'https://api.crego.example/?api_key=SEKRIT', 'http://ops:hunter2@api.crego.example/?api_key=SEKRIT', 'ht!tp://ops:hunter2@x/?api_key=SEKRIT']) {
      let message = '';
      try {
        settingsFromEnv({ CREGO_BASE_URL: url });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, url).toMatch(/CREGO_BASE_URL/);
      expect(message, url).not.toMatch(/hunter2|SEKRIT|ops:/);
    }
  });

  it('refuses plain http to another machine, a token without a base URL, and bad numbers', () => {
    expect(() => settingsFromEnv({ CREGO_BASE_URL: 'http://api.crego.example' })).toThrow('use https:// (plain http is accepted only for localhost)');
    expect(() => settingsFromEnv({ CREGO_TOKEN: 'x' })).toThrow('CREGO_TOKEN is set but CREGO_BASE_URL is not');
    expect(() => settingsFromEnv({ PORT: 'eighty' })).toThrow("PORT='eighty' is not a port number");
    expect(() => settingsFromEnv({ CREGO_PROXY_TIMEOUT_MS: '-5' })).toThrow('CREGO_PROXY_TIMEOUT_MS');
  });

  it('derives the add-in origin and the manifest version', () => {
    expect(resolveAddinOrigin({})).toBe('https://localhost:3000');
    expect(resolveAddinOrigin({ PORT: '4000' })).toBe('https://localhost:4000');
    expect(resolveAddinOrigin({ ADDIN_ORIGIN: 'https://cdn.example.com/crego/' })).toBe('https://cdn.example.com/crego');
    expect(() => resolveAddinOrigin({ ADDIN_ORIGIN: 'addin.example.com' })).toThrow('is not a URL');
    expect(() => resolveAddinOrigin({ ADDIN_ORIGIN: 'https://addin.example.com/?x=1' })).toThrow('without query');
    expect(manifestVersion('1.2.3')).toBe('1.2.3.0');
    expect(manifestVersion('0.4.0-beta.2')).toBe('0.4.0.0');
  });
});

describe('the HTTPS certificate', () => {
  it('generates a localhost certificate signed by a local CA, and reuses it', async () => {
    const tls = await testTls();
    expect(tls).toMatchObject({ source: 'self-signed', trusted: false });
    const leaf = new X509Certificate(tls.cert);
    const ca = new X509Certificate(tls.ca);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(tls.key)))).toBe(true);
    const again = await resolveTls({ repoRoot: tls.caFile!.replace(/\/\.certs\/ca\.crt$/, ''), env: { CREGO_CERTS: 'self-signed' } });
    expect(again.cert).toBe(tls.cert);
  });

  it('keeps the private key readable by its owner only (0600), also one an older run left open', async () => {
    const tls = await testTls();
    const repoRoot = tls.caFile!.replace(/\/\.certs\/ca\.crt$/, '');
    const keyFile = join(repoRoot, '.certs', 'localhost.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    chmodSync(keyFile, 0o644);
    await resolveTls({ repoRoot, env: { CREGO_CERTS: 'self-signed' } });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('uses the PEM files given in CREGO_TLS_CERT / CREGO_TLS_KEY, and wants both', async () => {
    const tls = await testTls();
    const keyFile = tls.certFile.replace(/localhost\.crt$/, 'localhost.key');
    const given = await resolveTls({ repoRoot: '/nonexistent', env: { CREGO_TLS_CERT: tls.certFile, CREGO_TLS_KEY: keyFile } });
    expect(given).toMatchObject({ source: 'files', cert: readFileSync(tls.certFile, 'utf8') });
    await expect(resolveTls({ repoRoot: '/nonexistent', env: { CREGO_TLS_CERT: tls.certFile } })).rejects.toThrow('Set both CREGO_TLS_CERT and CREGO_TLS_KEY');
  });
});
