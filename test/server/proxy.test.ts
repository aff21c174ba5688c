import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index';
import { startBanner } from '../../src/server/banner';
import { buildInto } from '../manifest/helpers';
import { h2Call, httpsCall, httpsRequest, startUpstream, testTls } from './helpers';

/**
 * An upstream that answers a byte every 100 ms for 2 s: its body (`/trickle`), its headers
 * (`/trickle-headers`), or its body after 2 KiB sent at once (`/trickle-late`). Each wait is short,
 * so only a deadline on the whole exchange stops it.
 */
function trickle(url: string, res: import('node:http').ServerResponse): void {
  const socket = res.socket!;
  const inHeaders = url.startsWith('/crego/v1/trickle-headers');
  const upFront = url.startsWith('/crego/v1/trickle-late') ? 2048 : 0;
  if (inHeaders) socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: ');
  else res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': upFront + 20 }).write(Buffer.alloc(upFront, 32));
  let sent = 0;
  const timer = setInterval(() => {
    if (++sent <= 20) {
      if (inHeaders) socket.write('x');
      else res.write(' ');
      return;
    }
    clearInterval(timer);
    if (inHeaders) socket.end('\r\nContent-Length: 2\r\n\r\n{}');
    else res.end();
  }, 100);
  socket.on('close', () => clearInterval(timer));
}

describe('/api proxy to a configured Crego (plain upstream on loopback)', () => {
  let tls: Awaited<ReturnType<typeof testTls>>;
  let dist: Awaited<ReturnType<typeof buildInto>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  let tokenServer: RunningServer;
  const logs: string[] = [];

  beforeAll(async () => {
    [tls, dist] = await Promise.all([testTls(), buildInto({})]);
    upstream = await startUpstream((seen, res) => {
      if (seen.url.startsWith('/crego/v1/slow')) return; // never answers: the proxy's deadline must fire
      if (seen.url.startsWith('/crego/v1/trickle')) return trickle(seen.url, res);
      if (seen.url.startsWith('/crego/v1/big')) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        for (let i = 0; i < 16; i++) res.write(Buffer.alloc(4096, 65 + i));
        res.end();
        return;
      }
      if (seen.url.startsWith('/crego/v1/invalid')) {
        res.writeHead(422, { 'Content-Type': 'application/json' }).end(JSON.stringify({ detail: 'amount must be positive', code: 'invalid' }));
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Set-Cookie': 'session=upstream; Path=/',
        'X-Request-Id': 'req-1',
        Connection: 'keep-alive, X-Hop',
        'X-Hop': 'connection-scoped',
      });
      res.end(JSON.stringify({ ok: true, path: seen.url }));
    });
    const common = { port: 0, distDir: dist.dir, tls, timeoutMs: 400, maxBodyBytes: 1024 };
    server = await startServer({ ...common, crego: { baseUrl: `${upstream.url}/crego`, environment: 'preprod' }, log: (l) => logs.push(l) });
    tokenServer = await startServer({ ...common, crego: { baseUrl: `${upstream.url}/crego`, token: 'server-side-token', environment: 'production' } });
  });
  afterAll(async () => {
    await server?.close();
    await tokenServer?.close();
    await upstream?.close();
    dist?.cleanup();
  });
  beforeEach(() => {
    upstream.seen.length = 0;
  });

  it('forwards method, path, query, body and Authorization to the configured base path', async () => {
    const reply = await httpsCall(`${server.url}/api/v1/lms/records/bulk/?dry_run=1`, tls.ca, {
      method: 'POST',
      headers: { Authorization: 'Bearer pane-token', 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1' },
      body: '{"items":[{"amount":100}]}',
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, path: '/crego/v1/lms/records/bulk/?dry_run=1' });
    expect(upstream.seen).toHaveLength(1);
    const [seen] = upstream.seen;
    expect(seen).toMatchObject({ method: 'POST', url: '/crego/v1/lms/records/bulk/?dry_run=1', body: '{"items":[{"amount":100}]}' });
    expect(seen!.headers).toMatchObject({ authorization: 'Bearer pane-token', 'idempotency-key': 'k-1', 'content-type': 'application/json' });
  });

  it('goes only to the configured origin, whatever Host or absolute request target the request names', async () => {
    await httpsCall(`${server.url}/api/v1/lms/loans/`, tls.ca, { headers: { Host: 'evil.example:443' } });
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.headers.host).toBe(new URL(upstream.url).host);
    // Absolute-form targets (what a client sends to a forward proxy) are not proxied anywhere.
    for (const target of ['http://evil.example/api/v1/lms/loans/', `https://localhost:${server.port}/api/v1/lms/loans/`]) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest({ hostname: 'localhost', port: server.port, path: target, ca: tls.ca, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status, target).toBe(404);
    }
    expect(upstream.seen).toHaveLength(1);
  });

  it('drops cookies both ways and hop-by-hop headers, keeps the rest', async () => {
    const reply = await httpsCall(`${server.url}/api/v1/lms/loans/`, tls.ca, {
      headers: { Cookie: 'sid=browser-session', Connection: 'close, X-Private', 'X-Private': 'hop', 'Proxy-Authorization': 'Basic x', Origin: `https://localhost:${server.port}`, Accept: 'application/json' },
    });
    const sent = upstream.seen[0]!.headers;
    expect(sent.cookie).toBeUndefined();
    expect(sent['x-private']).toBeUndefined();
    expect(sent['proxy-authorization']).toBeUndefined();
    expect(sent.origin).toBeUndefined();
    expect(sent.accept).toBe('application/json');
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(reply.headers['x-hop']).toBeUndefined();
    expect(reply.headers['x-request-id']).toBe('req-1');
  });

  it('passes an API error through unchanged', async () => {
    const reply = await httpsCall(`${server.url}/api/v1/invalid`, tls.ca, { method: 'POST', body: '{}' });
    expect(reply.status).toBe(422);
    expect(JSON.parse(reply.body)).toEqual({ detail: 'amount must be positive', code: 'invalid' });
  });

  it('refuses a body over the cap with 413 and never sends it upstream', async () => {
    const reply = await httpsCall(`${server.url}/api/v1/lms/records/bulk/`, tls.ca, { method: 'POST', body: 'x'.repeat(2048) });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'body_too_large', detail: expect.stringContaining('larger than 1 KiB') });
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses a streamed (chunked) body once it passes the cap', async () => {
    const reply = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ hostname: 'localhost', port: server.port, path: '/api/v1/lms/records/bulk/', method: 'POST', ca: tls.ca, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('x'.repeat(800));
      req.end('y'.repeat(800)); // two writes: sent chunked, without a Content-Length to check up front
    });
    expect(reply).toBe(413);
    expect(upstream.seen).toHaveLength(0);
  });

  it('keeps connections to Crego alive across requests', async () => {
    const before = upstream.connections();
    for (let i = 0; i < 5; i++) expect((await httpsCall(`${server.url}/api/v1/lms/loans/`, tls.ca)).status).toBe(200);
    expect(upstream.connections() - before).toBeLessThanOrEqual(1);
  });

  it('answers 504 with an error body when Crego does not answer in time', async () => {
    const reply = await httpsCall(`${server.url}/api/v1/slow`, tls.ca);
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'upstream_timeout', detail: expect.stringContaining('did not answer') });
  });

  it('answers 504 when the deadline passes, however slowly Crego trickles its answer', async () => {
    // 20 bytes 100 ms apart: every wait is far below the 400 ms deadline, the whole answer far above it.
    for (const path of ['/api/v1/trickle', '/api/v1/trickle-headers']) {
      const reply = await httpsCall(`${server.url}${path}`, tls.ca);
      expect(reply.status, path).toBe(504);
      expect(JSON.parse(reply.body), path).toMatchObject({ code: 'upstream_timeout' });
    }
    expect(logs.filter((l) => l.includes('trickle'))).toEqual([expect.stringMatching(/ 504 \d+ms$/), expect.stringMatching(/ 504 \d+ms$/)]);
  });

  it('streams an answer larger than it holds, and cuts it (never a clean 200) when the deadline passes', async () => {
    const small = await startServer({ port: 0, distDir: dist.dir, tls, timeoutMs: 400, proxyBufferBytes: 1024, crego: { baseUrl: `${upstream.url}/crego`, environment: 'preprod' } });
    try {
      const big = await httpsCall(`${small.url}/api/v1/big`, tls.ca);
      expect(big.status).toBe(200);
      expect(big.body).toBe(Array.from({ length: 16 }, (_, i) => String.fromCharCode(65 + i).repeat(4096)).join(''));
      // 2 KiB at once (past what it holds, so the 200 is already on its way), then a byte every 100 ms.
      await expect(httpsCall(`${small.url}/api/v1/trickle-late`, tls.ca)).rejects.toThrow();
    } finally {
      await small.close();
    }
  });

  it('cancels the upstream request when the pane hangs up', async () => {
    const patient = await startServer({ port: 0, distDir: dist.dir, tls, crego: { baseUrl: `${upstream.url}/crego`, environment: 'preprod' } });
    try {
      const reaching = upstream.next();
      const req = httpsRequest({ hostname: 'localhost', port: patient.port, path: '/api/v1/slow', ca: tls.ca, agent: false });
      req.on('error', () => {});
      req.end();
      const seen = await reaching;
      req.destroy();
      await seen.hungUp; // resolves only if the proxy closed its upstream request
      expect(seen.url).toBe('/crego/v1/slow');
    } finally {
      await patient.close();
    }
  });

  it('refuses dot segments, backslashes and empty segments in the path', async () => {
    for (const path of ['/api/v1/%2e%2e/%2e%2e/admin', '/api/v1/./x', '/api/v1/..%5c..%5cadmin', '/api//evil.example/x', '/api/v1//x']) {
      const reply = await httpsCall(`${server.url}${path}`, tls.ca);
      expect(reply.status, path).toBe(400);
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it('forwards only the methods the API uses: TRACE (which echoes headers) is refused', async () => {
    const reply = await httpsCall(`${tokenServer.url}/api/v1/lms/loans/`, tls.ca, { method: 'TRACE' });
    expect(reply.status).toBe(405);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'method_not_allowed' });
    expect(reply.body).not.toContain('server-side-token');
    expect(upstream.seen).toHaveLength(0);
  });

  it('forwards a POST that asked for 100-continue (curl does for large bodies)', async () => {
    const body = JSON.stringify({ items: [{ amount: 1 }] });
    const reply = await httpsCall(`${server.url}/api/v1/lms/records/bulk_create/`, tls.ca, {
      method: 'POST',
      headers: { Expect: '100-continue', 'Content-Type': 'application/json' },
      body,
    });
    expect(reply.status).toBe(200);
    expect(upstream.seen.map((s) => s.body)).toEqual([body]);
  });

  it('refuses a change sent by a page on another site, which the server-side token would otherwise sign', async () => {
    const post = (headers: Record<string, string>) =>
      httpsCall(`${tokenServer.url}/api/v1/lms/records/`, tls.ca, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: 'account=A1&amount=100',
      });
    const host = `localhost:${tokenServer.port}`;
    for (const headers of <Array<Record<string, string>>>[
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'same-site', Origin: 'https://other.localhost' },
      { Origin: 'https://evil.example' }, // a browser without Sec-Fetch-* headers
      { Origin: 'null' },
      { Origin: `http://${host}` }, // same host and port, plain http: another origin
    ]) {
      const reply = await post(headers);
      expect(reply.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 'cross_site' });
    }
    expect(upstream.seen).toHaveLength(0);
    // The add-in's own pages (same origin), and tools that are not browsers, still pass.
    expect((await post({ 'Sec-Fetch-Site': 'same-origin', Origin: `https://${host}` })).status).toBe(200);
    expect((await post({ Origin: `https://${host}` })).status).toBe(200);
    expect((await post({})).status).toBe(200);
    expect(upstream.seen.map((s) => s.headers.authorization)).toEqual(Array(3).fill('Bearer server-side-token'));
  });

  it('gives a page of another origin nothing to read, though the server would sign the request', async () => {
    const host = `localhost:${tokenServer.port}`;
    const foreign: Array<Record<string, string>> = [
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }, // the reported attack: a plain fetch()
      { 'Sec-Fetch-Site': 'cross-site' }, // <img>/<script> loads carry no Origin
      { Origin: 'https://evil.example' }, // WKWebView before Safari 16.4 sends no Sec-Fetch-*
      { 'Sec-Fetch-Site': 'same-site', Origin: 'https://sub.localhost' },
      { Origin: `http://${host}` }, // the scheme counts
      { Origin: `https://localhost:${tokenServer.port + 1}` }, // so does the port
      { Origin: `https://127.0.0.1:${tokenServer.port}` }, // and the host name
      { Origin: 'null' },
    ];
    for (const headers of foreign) {
      for (const method of ['GET', 'HEAD']) {
        const reply = await httpsCall(`${tokenServer.url}/api/v1/lms/loans/`, tls.ca, { method, headers });
        expect(reply.status, `${method} ${JSON.stringify(headers)}`).toBe(403);
        expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-')), JSON.stringify(headers)).toEqual([]);
      }
    }
    expect(upstream.seen).toHaveLength(0);
    // A preflight from another origin is refused too, so a browser sends nothing after it.
    const preflight = await httpsCall(`${tokenServer.url}/api/v1/lms/records/`, tls.ca, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // /config.json (the sandbox's dev token lives there) is the add-in's too.
    expect((await httpsCall(`${tokenServer.url}/config.json`, tls.ca, { headers: foreign[0] })).status).toBe(403);
    expect(upstream.seen).toHaveLength(0);
  });

  it("answers what the pane and the functions runtime send on Excel on the web, Windows and Mac", async () => {
    const own = `https://localhost:${tokenServer.port}`;
    // Per webview (see src/server/origin.ts): GETs carry no Origin; writes carry Origin; Sec-Fetch-Site where supported.
    const webviews: Record<string, { read: Record<string, string>; write: Record<string, string> }> = {
      'Excel on the web / WebView2 (Chromium)': {
        read: { 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty' },
        write: { 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'cors', Origin: own },
      },
      'Mac, WKWebView from Safari 16.4': { read: { 'Sec-Fetch-Site': 'same-origin' }, write: { 'Sec-Fetch-Site': 'same-origin', Origin: own } },
      'Mac, older WKWebView': { read: {}, write: { Origin: own } },
      'Windows, Trident (IE11) fallback': { read: {}, write: {} },
    };
    for (const [name, sent] of Object.entries(webviews)) {
      const read = await httpsCall(`${tokenServer.url}/api/v1/lms/loans/`, tls.ca, { headers: sent.read });
      expect(read.status, name).toBe(200);
      const write = await httpsCall(`${tokenServer.url}/api/v1/lms/records/`, tls.ca, { method: 'POST', headers: { 'Content-Type': 'application/json', ...sent.write }, body: '{}' });
      expect(write.status, name).toBe(200);
      expect(write.headers['access-control-allow-origin'], name).toBe(sent.write.Origin);
      const config = await httpsCall(`${tokenServer.url}/config.json`, tls.ca, { headers: sent.read });
      expect(config.status, name).toBe(200);
    }
    expect(upstream.seen).toHaveLength(2 * Object.keys(webviews).length);
  });

  it("replaces Crego's CORS headers with its own: the add-in's origin only", async () => {
    const open = await startUpstream((_seen, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Expose-Headers': 'X-Secret',
        Vary: 'Accept-Encoding',
      });
      res.end('{"results":[]}');
    });
    const s = await startServer({ port: 0, distDir: dist.dir, tls, crego: { baseUrl: open.url, token: 'server-side-token', environment: 'production' } });
    try {
      const own = `https://localhost:${s.port}`;
      const tool = await httpsCall(`${s.url}/api/v1/lms/loans/`, tls.ca);
      expect(tool.status).toBe(200);
      expect(Object.keys(tool.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      expect(tool.headers.vary).toBe('Accept-Encoding, Origin');
      const pane = await httpsCall(`${s.url}/api/v1/lms/loans/`, tls.ca, { headers: { Origin: own, 'Sec-Fetch-Site': 'same-origin' } });
      expect(pane.headers['access-control-allow-origin']).toBe(own);
      expect(pane.headers['access-control-allow-credentials']).toBeUndefined();
      expect(pane.headers['access-control-expose-headers']).not.toContain('X-Secret');
      // The add-in's own preflight is answered here (Crego's would name '*').
      const preflight = await httpsCall(`${s.url}/api/v1/lms/records/`, tls.ca, {
        method: 'OPTIONS',
        headers: { Origin: own, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': own, 'access-control-allow-headers': 'authorization, content-type, idempotency-key' });
      expect(open.seen).toHaveLength(2);
    } finally {
      await s.close();
      await open.close();
    }
  });

  it('accepts the configured public origin (ADDIN_ORIGIN) besides its own Host', async () => {
    const s = await startServer({ port: 0, distDir: dist.dir, tls, addinOrigin: 'https://addin.example.com/crego', crego: { baseUrl: `${upstream.url}/crego`, token: 'server-side-token', environment: 'production' } });
    try {
      const post = (origin: string) => httpsCall(`${s.url}/api/v1/lms/records/`, tls.ca, { method: 'POST', headers: { Origin: origin, 'Content-Type': 'application/json' }, body: '{}' });
      expect((await post('https://addin.example.com')).status).toBe(200);
      expect((await post('http://addin.example.com')).status).toBe(403);
      expect((await post('https://addin.example.com.evil.example')).status).toBe(403);
    } finally {
      await s.close();
    }
  });

  it('speaks HTTP/2 (ALPN h2) with every protection of the proxy, and HTTP/1.1 to clients without h2', async () => {
    const own = `https://localhost:${tokenServer.port}`;
    const fn = await h2Call(`${tokenServer.url}/functions.json`, tls.ca);
    expect(fn).toMatchObject({ status: 200, alpn: 'h2' });
    expect(fn.headers['access-control-allow-origin']).toBe('*');
    // The pane's own read and write, signed by the server; no HTTP/2 pseudo-header reaches Crego.
    const read = await h2Call(`${tokenServer.url}/api/v1/lms/loans/?page=2`, tls.ca, { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(read.status).toBe(200);
    const write = await h2Call(`${tokenServer.url}/api/v1/lms/records/`, tls.ca, { method: 'POST', headers: { origin: own, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, body: '{"amount":1}' });
    expect(write).toMatchObject({ status: 200, headers: { 'access-control-allow-origin': own } });
    expect(upstream.seen.map((s) => [s.method, s.url, s.body, s.headers.authorization])).toEqual([
      ['GET', '/crego/v1/lms/loans/?page=2', '', 'Bearer server-side-token'],
      ['POST', '/crego/v1/lms/records/', '{"amount":1}', 'Bearer server-side-token'],
    ]);
    expect(Object.keys(upstream.seen[0]!.headers).filter((h) => h.startsWith(':'))).toEqual([]);
    // Another origin, over h2 too (the own origin comes from :authority there): refused, Crego not called.
    for (const headers of <Array<Record<string, string>>>[{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, { origin: `http://localhost:${tokenServer.port}` }]) {
      expect((await h2Call(`${tokenServer.url}/api/v1/lms/loans/`, tls.ca, { headers })).status, JSON.stringify(headers)).toBe(403);
    }
    // Body cap, path rules, methods and the deadline hold over h2.
    expect((await h2Call(`${server.url}/api/v1/lms/records/bulk/`, tls.ca, { method: 'POST', body: 'x'.repeat(2048) })).status).toBe(413);
    expect((await h2Call(`${server.url}/api/v1/%2e%2e/admin`, tls.ca)).status).toBe(400);
    expect((await h2Call(`${server.url}/api/v1/lms/loans/`, tls.ca, { method: 'TRACE' })).status).toBe(405);
    expect((await h2Call(`${server.url}/api/v1/trickle`, tls.ca)).status).toBe(504);
    expect(upstream.seen).toHaveLength(3);
    // HTTP/1.1 (every other test here) still works on the same port.
    expect((await httpsCall(`${tokenServer.url}/functions.json`, tls.ca)).status).toBe(200);
  });

  it('logs method, path and status but never the Authorization header or the query', async () => {
    logs.length = 0;
    await httpsCall(`${server.url}/api/v1/lms/loans/?search=ACME`, tls.ca, { headers: { Authorization: 'Bearer do-not-log-me' } });
    expect(logs).toEqual([expect.stringMatching(/^GET \/api\/v1\/lms\/loans\/ 200 \d+ms$/)]);
    expect(logs.join('\n')).not.toContain('do-not-log-me');
  });

  it('adds the server-side CREGO_TOKEN only when the request has no Authorization of its own', async () => {
    await httpsCall(`${tokenServer.url}/api/v1/lms/loans/`, tls.ca);
    await httpsCall(`${tokenServer.url}/api/v1/lms/loans/`, tls.ca, { headers: { Authorization: 'Bearer own' } });
    expect(upstream.seen.map((s) => s.headers.authorization)).toEqual(['Bearer server-side-token', 'Bearer own']);
    const config = await httpsCall(`${tokenServer.url}/config.json`, tls.ca);
    expect(config.body).not.toContain('server-side-token');
  });

  it('answers 502 naming the origin when Crego cannot be reached', async () => {
    const gone = await startUpstream(() => {});
    const goneUrl = gone.url;
    await gone.close();
    const s = await startServer({ port: 0, distDir: dist.dir, tls, crego: { baseUrl: goneUrl, environment: 'preprod' } });
    try {
      const reply = await httpsCall(`${s.url}/api/v1/lms/loans/`, tls.ca);
      expect(reply.status).toBe(502);
      expect(JSON.parse(reply.body)).toEqual({ code: 'upstream_unreachable', detail: `Cannot reach Crego at ${goneUrl}. Check CREGO_BASE_URL and the network.` });
    } finally {
      await s.close();
    }
  });

  it("names an external API in the start banner: not 'the embedded sandbox', no 'Dev token undefined'", async () => {
    // A sandbox started apart (`crego sandbox`) on loopback counts as a sandbox environment, but not as embedded.
    const external = await startServer({ port: 0, distDir: dist.dir, tls, crego: { baseUrl: `${upstream.url}/crego`, environment: 'sandbox' } });
    try {
      const banner = startBanner(external, { repoRoot: dist.dir });
      expect(banner).toContain(`API         ${upstream.url}/crego (sandbox, from CREGO_BASE_URL), proxied at ${external.url}/api`);
      expect(banner).toContain('Token       none on the server: sign in from the task pane');
      expect(banner).not.toMatch(/embedded|Dev token|undefined/);
    } finally {
      await external.close();
    }
    const signed = startBanner(tokenServer, { repoRoot: dist.dir });
    expect(signed).toContain('Token       CREGO_TOKEN, added by the server');
    expect(signed).not.toContain('server-side-token');
  });

  it('serves /config.json for the pane without a dev token when Crego is configured', async () => {
    const reply = await httpsCall(`${server.url}/config.json`, tls.ca);
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(reply.body)).toEqual({ environment: 'preprod', apiBase: '/api' });
  });
});
