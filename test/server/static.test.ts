import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index';
import { CONTENT_SECURITY_POLICY } from '../../src/server/csp';
import { buildInto, read } from '../manifest/helpers';
import { httpsCall, startUpstream, testTls } from './helpers';

describe('serving the built add-in over HTTPS', () => {
  let tls: Awaited<ReturnType<typeof testTls>>;
  let dist: Awaited<ReturnType<typeof buildInto>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;

  beforeAll(async () => {
    [tls, dist] = await Promise.all([testTls(), buildInto({})]);
    upstream = await startUpstream((_, res) => res.end('{}'));
    server = await startServer({ port: 0, distDir: dist.dir, tls, crego: { baseUrl: upstream.url, environment: 'preprod' } });
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    dist?.cleanup();
  });

  it('serves taskpane.html on https://localhost with a certificate its CA vouches for, and a CSP without inline script', async () => {
    expect(server.url).toMatch(/^https:\/\/localhost:\d+$/);
    const reply = await httpsCall(`${server.url}/taskpane.html`, tls.ca);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toBe(read(dist.dir, 'taskpane.html'));
    const csp = reply.headers['content-security-policy'] as string;
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
    expect(scriptSrc).toContain('https://appsforoffice.microsoft.com');
    expect(scriptSrc).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(reply.headers['x-frame-options']).toBeUndefined(); // Excel on the web frames the pane
  });

  it('sends Access-Control-Allow-Origin on functions.json and functions.js, and answers their preflight', async () => {
    for (const file of ['functions.json', 'functions.js']) {
      const reply = await httpsCall(`${server.url}/${file}`, tls.ca, { headers: { Origin: 'https://excel.officeapps.live.com' } });
      expect(reply.status).toBe(200);
      expect(reply.headers['access-control-allow-origin'], file).toBe('*');
      expect(reply.body).toBe(read(dist.dir, file));
    }
    const preflight = await httpsCall(`${server.url}/functions.json`, tls.ca, { method: 'OPTIONS', headers: { Origin: 'https://excel.officeapps.live.com', 'Access-Control-Request-Method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    const page = await httpsCall(`${server.url}/taskpane.html`, tls.ca);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves the manifest and the icons with their types', async () => {
    const manifest = await httpsCall(`${server.url}/manifest.xml`, tls.ca);
    expect(manifest.status).toBe(200);
    expect(manifest.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(manifest.body).toContain('<Namespace resid="Functions.Namespace"/>');
    const icon = await httpsCall(`${server.url}/assets/icon-80.png`, tls.ca);
    expect(icon.headers['content-type']).toBe('image/png');
  });

  it('revalidates unhashed files and answers 304 to a matching ETag', async () => {
    const first = await httpsCall(`${server.url}/functions.js`, tls.ca);
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await httpsCall(`${server.url}/functions.js`, tls.ca, { headers: { 'If-None-Match': first.headers.etag as string } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers 404 for missing files and for paths that climb out of dist/', async () => {
    for (const path of ['/nope.html', '/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fmanifest.xml']) {
      const reply = await httpsCall(`${server.url}${path}`, tls.ca);
      expect(reply.status, path).toBe(404);
    }
  });

  it('redirects / to the task pane and refuses writes to static files', async () => {
    const root = await httpsCall(`${server.url}/`, tls.ca);
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/taskpane.html');
    const post = await httpsCall(`${server.url}/taskpane.html`, tls.ca, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });
});
