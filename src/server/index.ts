/**
 * The add-in host: one HTTPS server that serves dist/, answers /config.json for the task pane and
 * proxies /api/* to Crego, which is either the configured base URL or the sandbox started here.
 * It speaks HTTP/2 (a browser multiplexes the functions' requests over one connection instead of
 * six) and HTTP/1.1 to clients that do not offer h2 in ALPN; the handlers are written against
 * node:http's request/response, which Node's HTTP/2 compatibility API mirrors.
 */
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { classifyCaller } from './origin';
import { createApiProxy, API_PREFIX, type ApiProxy } from './proxy';
import { createStaticHandler } from './static';
import { resolveTls, type TlsMaterial } from './certs';
import type { CregoUpstream } from './config';
import { REPO_ROOT } from './paths';
import type { RunningSandbox, SandboxOptions } from '../sandbox/index';
// GET /config.json: the type the pane and the functions parse it with (src/excel/serverConfig.ts).
import type { ServerConfig } from '../excel/serverConfig';

type SandboxLike = Pick<RunningSandbox, 'url' | 'token' | 'close'>;
export type SandboxStartOptions = SandboxOptions;

export interface ServerOptions {
  /** 0 picks a free port (tests). Default 3000. */
  port?: number;
  host?: string;
  repoRoot?: string;
  /** Default <repoRoot>/dist. */
  distDir?: string;
  /** Default: resolveTls() (see certs.ts). */
  tls?: Pick<TlsMaterial, 'cert' | 'key'> & Partial<TlsMaterial>;
  /** A real Crego. Absent: the embedded sandbox. */
  crego?: CregoUpstream;
  sandbox?: SandboxStartOptions;
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** Proxied answers up to this size are held whole before they are sent (default 32 MiB; see proxy.ts). */
  proxyBufferBytes?: number;
  /** The add-in's public origin (ADDIN_ORIGIN) when a reverse proxy in front does not keep the Host header. */
  addinOrigin?: string;
  /** One line per proxied request and per notice. Default: silent. */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  distDir: string;
  /** Where /api goes. */
  apiTarget: string;
  environment: string;
  devToken?: string;
  /** True when /api goes to the sandbox started by this server (not to a configured CREGO_BASE_URL). */
  embeddedSandbox: boolean;
  /** True when the proxy signs requests with a server-side CREGO_TOKEN. */
  serverToken: boolean;
  tls: Partial<TlsMaterial>;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  const distDir = opts.distDir ?? join(repoRoot, 'dist');
  const log = opts.log ?? (() => {});
  const tls = opts.tls ?? (await resolveTls({ repoRoot, log }));

  let sandbox: SandboxLike | undefined;
  let upstream: CregoUpstream;
  if (opts.crego) {
    upstream = opts.crego;
  } else {
    sandbox = await startEmbeddedSandbox({ port: 0, host: '127.0.0.1', quiet: true, ...opts.sandbox });
    upstream = { baseUrl: sandbox.url, environment: 'sandbox' };
  }

  const addinOrigins = opts.addinOrigin ? [opts.addinOrigin] : [];
  let proxy: ApiProxy | undefined;
  let server: Http2SecureServer | undefined;
  const sockets = new Set<Socket>();
  try {
    proxy = createApiProxy({ baseUrl: upstream.baseUrl, token: upstream.token, timeoutMs: opts.timeoutMs, maxBodyBytes: opts.maxBodyBytes, bufferBytes: opts.proxyBufferBytes, log, addinOrigins });
    const paneConfig: ServerConfig = { environment: upstream.environment, apiBase: API_PREFIX, ...(sandbox ? { devToken: sandbox.token } : {}) };
    const serveStatic = createStaticHandler(distDir);
    const api = proxy;
    server = createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true }, (h2req, h2res) => {
      const req = h2req as unknown as IncomingMessage;
      const res = h2res as unknown as ServerResponse;
      const pathname = (req.url ?? '/').split('?')[0]!;
      const route =
        pathname === '/config.json'
          ? Promise.resolve(sendConfig(req, res, paneConfig, addinOrigins))
          : pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)
            ? api.handle(req, res)
            : serveStatic(req, res, pathname);
      route.catch((err: unknown) => {
        log(`error serving ${req.method} ${pathname}: ${(err as Error).message}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal error\n');
        else res.destroy();
      });
    });
    const srv = server;
    srv.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(opts.port ?? 3000, opts.host ?? '127.0.0.1', () => {
        srv.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await proxy?.close();
    await sandbox?.close();
    throw err;
  }

  const port = (server.address() as AddressInfo).port;
  const srv = server;
  const px = proxy;
  let closing: Promise<void> | undefined;
  return {
    url: `https://localhost:${port}`,
    port,
    distDir,
    apiTarget: upstream.baseUrl,
    environment: upstream.environment,
    devToken: sandbox?.token,
    embeddedSandbox: sandbox !== undefined,
    serverToken: !!upstream.token,
    tls: { source: tls.source, trusted: tls.trusted, caFile: tls.caFile, certFile: tls.certFile },
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          srv.close(() => resolve());
          for (const socket of sockets) socket.destroy(); // open HTTP/2 sessions and keep-alive sockets alike
        });
        await px.close();
        await sandbox?.close();
      })()),
  };
}

/** The pane's settings (with the sandbox's dev token): for the add-in's own pages, like /api. */
function sendConfig(req: IncomingMessage, res: ServerResponse, config: ServerConfig, addinOrigins: string[]): void {
  if (classifyCaller(req.headers, addinOrigins) === 'foreign') {
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end("Only the add-in's own pages may read this.\n");
    return;
  }
  const body = JSON.stringify(config);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) }).end(body);
}

/** Loads the sandbox lazily: a server pointed at a real Crego never pays for it. */
async function startEmbeddedSandbox(options: SandboxStartOptions): Promise<SandboxLike> {
  const { startSandbox } = await import('../sandbox/index');
  return startSandbox(options);
}
