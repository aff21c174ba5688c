/**
 * `startSandbox()`: the Crego LMS emulator on a loopback port (see the README, "Sandbox").
 */
import { createServer, type Server } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { TokenBuckets } from './rate-limit';
import { Auth } from './auth';
import { parseIsoDay, today as istToday } from './days';
import { Engine } from './engine';
import { Faults, parseFaults, type FaultSpec } from './faults';
import { Front, type Stats } from './server';
import { Persistence } from './persist';
import { PORTFOLIO_MIXES, seedPortfolio, type PortfolioMix } from './portfolio';
import { Store } from './store';

import { BULK_MODES, UTR_SCOPES, type BulkMode, type UtrScope } from './handlers/index';
import { Settlement } from './settlement';

export type { FaultSpec } from './faults';
export type { BulkMode, UtrScope } from './handlers/index';
export { BULK_MODES, UTR_SCOPES } from './handlers/index';
export { rejectedByShare } from './settlement';
export { PORTFOLIO_MIXES, type PortfolioMix } from './portfolio';

export interface SandboxOptions {
  /** 0 = a random free port (default). */
  port?: number;
  host?: string;
  seed?: number;
  /** Size of the demo portfolio (default 500). */
  accounts?: number;
  /** Delay added to every request, ms. */
  latencyMs?: number;
  jitterMs?: number;
  /** Fault spec (`5xx=0.1,429=0.05,...`); enables the /__sandbox/faults/ control endpoint. */
  faults?: string | FaultSpec;
  /** JSON snapshot kept across restarts. */
  dataFile?: string;
  token?: string;
  tokenTtlSeconds?: number;
  username?: string;
  password?: string;
  quiet?: boolean;
  /**
   * Shape of the demo book: `realistic` (default: PAR 30 a few percent, NPA under 5 %, every asset
   * category present) or `stressed` (a third of the book overdue, for tests that need it).
   */
  mix?: PortfolioMix;
  /** Pin the business date (`YYYY-MM-DD`, IST) for reproducible figures; default: today in India. */
  today?: string;
  /**
   * Bulk create with bad items: `per_item` (default) creates the good ones and answers each bad one;
   * `atomic` creates nothing and answers 400 with per-item errors in `errors.items` (Django REST
   * Framework's `many=True`); `atomic_unaligned` the same 400 without saying which items are bad.
   */
  bulkMode?: BulkMode;
  /**
   * Payments applied after the call, as on Crego's newer platform: a created record is `requested`
   * and becomes `processed` (counted in every figure) this many seconds later. Default 0: processed at once.
   */
  settleAfter?: number;
  /** Share (0–1) of created records that end `rejected` instead, chosen by a hash of the UTR (`rejectedByShare`). */
  rejectShare?: number;
  /** `tenant`: a record's UTR is unique across all accounts (the newer platform); default `account`. */
  utrScope?: UtrScope;
  /** Ignore the Idempotency-Key header (nothing public says Crego honours it). */
  ignoreIdempotencyKey?: boolean;
  /** Modules (endpoint groups: `Topups`, `Fee`, …) this tenant has not licensed: their calls answer 403 `module_not_licensed`. */
  unlicensed?: string[];
  /**
   * Serve HTTPS with HTTP/2 (ALPN h2, HTTP/1.1 fallback): `true` uses the development certificate of
   * the add-in server (`.certs/`, trusted by Node with NODE_EXTRA_CA_CERTS=.certs/ca.crt), or give
   * your own PEM pair. The URL then starts with https://.
   */
  http2?: boolean | { cert: string; key: string };
  /** Requests per second per bearer token (token bucket); beyond it 429 with Retry-After in seconds. */
  rateLimit?: number;
}

export interface RunningSandbox {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
  setFaults(spec: string | FaultSpec): void;
  stats(): Stats;
  resetStats(): void;
}

/** The add-in server's development certificate (generated into .certs/ on first use). */
async function developmentCertificate(): Promise<{ cert: string; key: string }> {
  const { resolveTls } = await import('../server/certs');
  const { REPO_ROOT } = await import('../server/paths');
  return resolveTls({ repoRoot: REPO_ROOT, env: { CREGO_CERTS: 'self-signed' } });
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const seed = opts.seed ?? 42;
  if (opts.bulkMode !== undefined && !BULK_MODES.includes(opts.bulkMode)) throw new Error(`bulkMode must be one of ${BULK_MODES.join(', ')}, got '${opts.bulkMode}'`);
  if (opts.mix !== undefined && !PORTFOLIO_MIXES.includes(opts.mix)) throw new Error(`mix must be one of ${PORTFOLIO_MIXES.join(', ')}, got '${opts.mix}'`);
  let fixedDay: number | null = null;
  if (opts.today) {
    fixedDay = parseIsoDay(opts.today);
    if (fixedDay === null) throw new Error(`today must be YYYY-MM-DD, got '${opts.today}'`);
  }
  const businessDay = fixedDay ?? istToday();
  const persistence = opts.dataFile ? new Persistence(opts.dataFile) : null;
  let store = persistence ? persistence.load() : null;
  if (!store) {
    store = new Store(seed);
    seedPortfolio(store, seed, opts.accounts ?? 500, businessDay, opts.mix);
  }
  if (persistence) persistence.attach(store);
  if (opts.utrScope !== undefined && !UTR_SCOPES.includes(opts.utrScope)) throw new Error(`utrScope must be one of ${UTR_SCOPES.join(', ')}, got '${opts.utrScope}'`);
  const settlement = new Settlement(store, { settleAfterSeconds: opts.settleAfter ?? 0, rejectShare: opts.rejectShare ?? 0 });
  const engine = new Engine(store, fixedDay);
  const token = opts.token ?? process.env.CREGO_SANDBOX_TOKEN ?? Auth.newToken('sbxdev');
  const auth = new Auth(token, opts.tokenTtlSeconds ?? 900, opts.username ?? 'demo', opts.password ?? 'demo');
  const faults = opts.faults !== undefined ? new Faults(parseFaults(opts.faults)) : null;
  const front = new Front({ engine, auth, faults, latencyMs: opts.latencyMs ?? 0, jitterMs: opts.jitterMs ?? 0, seed, bulkMode: opts.bulkMode,
    utrScope: opts.utrScope, settlement, ignoreIdempotencyKey: opts.ignoreIdempotencyKey,
    unlicensed: opts.unlicensed ? new Set(opts.unlicensed.map((g) => g.toLowerCase())) : undefined,
    rateLimit: opts.rateLimit !== undefined ? new TokenBuckets(opts.rateLimit) : undefined });

  const tls = opts.http2 === true ? await developmentCertificate() : opts.http2 || undefined;
  let server: Server | Http2SecureServer;
  if (tls) {
    server = createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true }, front.handle as unknown as (req: Http2ServerRequest, res: Http2ServerResponse) => void);
  } else {
    const plain = createServer({ keepAlive: true }, front.handle);
    plain.keepAliveTimeout = 65_000;
    server = plain;
  }
  const sockets = new Set<Socket>();
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    token,
    stats: () => ({ ...front.stats, byEndpoint: { ...front.stats.byEndpoint } }),
    resetStats: () => front.resetStats(),
    setFaults: (spec) => front.setFaults(spec),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      persistence?.flush();
    },
  };
}
