import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
export { httpsRequest };
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTls, type TlsMaterial } from '../../src/server/certs';

/** A self-signed CA + localhost certificate generated into a temporary folder (removed after the file's tests). */
export async function testTls(): Promise<TlsMaterial & { ca: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'crego-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tls = await resolveTls({ repoRoot: dir, env: { CREGO_CERTS: 'self-signed' } });
  return { ...tls, ca: readFileSync(tls.caFile!, 'utf8') };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTPS request that verifies the server's certificate against `ca` (no rejectUnauthorized: false).
 * The path is sent exactly as written (a URL object would resolve `..` and `%2e%2e` before sending).
 */
export function httpsCall(url: string, ca: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  const origin = new URL(url.replace(/^(https:\/\/[^/]+).*$/, '$1'));
  const path = url.slice(origin.origin.length) || '/';
  return new Promise((resolve, reject) => {
    const options = { hostname: origin.hostname, port: origin.port, path, servername: origin.hostname, method: opts.method ?? 'GET', headers: opts.headers, ca, agent: false };
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Settles when the caller hangs up before this request was answered. */
  hungUp: Promise<void>;
}

/** A plain HTTP server on loopback standing in for Crego: records what reaches it. */
export async function startUpstream(handler: (seen: Seen, res: import('node:http').ServerResponse) => void): Promise<{ url: string; seen: Seen[]; next(): Promise<Seen>; connections(): number; close(): Promise<void> }> {
  const seen: Seen[] = [];
  let arrived = () => {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let hangUp = () => {};
      const hungUp = new Promise<void>((r) => (hangUp = r));
      res.on('close', () => {
        if (!res.writableFinished) hangUp();
      });
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), hungUp };
      seen.push(s);
      arrived();
      handler(s, res);
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** TCP connections accepted so far. */
    connections: () => connections,
    /** Resolves with the next request that reaches the upstream. */
    next: () => new Promise<Seen>((r) => (arrived = () => r(seen[seen.length - 1]!))),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** One request over HTTP/2 (ALPN h2 only, so a server without HTTP/2 fails it), verifying the certificate against `ca`. */
export async function h2Call(url: string, ca: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply & { alpn: string | false | undefined }> {
  const { connect, constants } = await import('node:http2');
  const target = new URL(url);
  const session = connect(target.origin, { ca, ALPNProtocols: ['h2'] });
  try {
    return await new Promise((resolve, reject) => {
      session.on('error', reject);
      const stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: opts.method ?? 'GET',
        // As written: a URL object would resolve `..` and `%2e%2e` before sending.
        [constants.HTTP2_HEADER_PATH]: url.slice(target.origin.length) || '/',
        ...opts.headers,
      });
      const chunks: Buffer[] = [];
      let headers: IncomingHttpHeaders = {};
      stream.on('response', (h) => (headers = h as IncomingHttpHeaders));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () =>
        resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString('utf8'), alpn: session.alpnProtocol }),
      );
      stream.on('error', reject);
      stream.end(opts.body);
    });
  } finally {
    session.close();
  }
}
