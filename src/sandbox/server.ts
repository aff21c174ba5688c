/**
 * The HTTP front: routes mounted from the client's endpoint map (so client and emulator cannot
 * drift), then per request: body → latency/faults → auth → idempotency → handler → answer.
 */
import { constants as http2Constants } from 'node:http2';
import { retryAfterSeconds, type TokenBuckets } from './rate-limit';
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENDPOINTS, type EndpointDef } from '../api/endpoints';
import type { Auth } from './auth';
import type { Engine } from './engine';
import { HttpError, validationError } from './errors';
import { formatFaults, parseFaults, type Faults } from './faults';
import { HANDLERS, type BulkMode, type UtrScope } from './handlers/index';
import type { Settlement } from './settlement';
import { seededRandom } from './ids';

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const CONTROL_PATH = '/__sandbox/faults/';

interface Route {
  def: EndpointDef;
  segments: string[];
  params: number;
}

/** Literal segments win over `{id}` (so `/records/unmatched/` is not read as a record id). */
function buildRoutes(): Route[] {
  return ENDPOINTS.map((def) => {
    const segments = def.path.split('/').filter(Boolean);
    return { def, segments, params: segments.filter((s) => s.startsWith('{')).length };
  }).sort((a, b) => a.params - b.params);
}

function match(route: Route, parts: string[]): Record<string, string> | null {
  if (route.segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = route.segments[i];
    if (seg.startsWith('{')) params[seg.slice(1, -1)] = parts[i];
    else if (seg !== parts[i]) return null;
  }
  return params;
}

export interface Stats {
  requests: number;
  byEndpoint: Record<string, number>;
  maxInFlight: number;
  /** Requests refused by --rate-limit. */
  rateLimited?: number;
}

interface StoredAnswer {
  fingerprint: string;
  status: number;
  body: string;
  at: number;
}

export interface FrontOptions {
  engine: Engine;
  auth: Auth;
  faults: Faults | null;
  latencyMs: number;
  jitterMs: number;
  seed: number;
  /** How bulk create treats a request with bad items (default per_item). */
  bulkMode?: BulkMode;
  /** Where a record's UTR must be unique (default per account). */
  utrScope?: UtrScope;
  /** The payment queue (default: records processed on receipt). */
  settlement?: Settlement;
  /** Act as if Idempotency-Key did not exist (nothing public says Crego honours it). */
  ignoreIdempotencyKey?: boolean;
  /** Endpoint groups (lower case: `topups`, `fees`) the tenant has not licensed: 403 `module_not_licensed`. */
  unlicensed?: ReadonlySet<string>;
  /** Requests per second per token (`--rate-limit`); beyond it 429 with Retry-After. */
  rateLimit?: TokenBuckets;
}

export class Front {
  private readonly routes = buildRoutes();
  private readonly idempotency = new Map<string, StoredAnswer>();
  private readonly latencyDraw: () => number;
  stats: Stats = { requests: 0, byEndpoint: {}, maxInFlight: 0 };
  private inFlight = 0;

  constructor(private readonly o: FrontOptions) {
    this.latencyDraw = seededRandom((o.seed ^ 0x5eed) >>> 0);
  }

  resetStats(): void {
    this.stats = { requests: 0, byEndpoint: {}, maxInFlight: this.inFlight };
  }

  private count(key: string): void {
    this.stats.requests++;
    this.stats.byEndpoint[key] = (this.stats.byEndpoint[key] ?? 0) + 1;
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.inFlight++;
    if (this.inFlight > this.stats.maxInFlight) this.stats.maxInFlight = this.inFlight;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        this.inFlight--;
      }
    };
    res.on('close', finish);
    res.on('finish', finish);
    this.process(req, res).catch((err) => {
      // A bug in a handler must still give the one error body, never a stack trace.
      const id = String(res.getHeader('X-Request-Id') ?? randomUUID());
      if (!res.headersSent && !res.destroyed) send(res, 500, errorBody(new HttpError(500, 'server_error', 'The sandbox hit an internal error.'), id));
      if (process.env.CREGO_DEBUG) console.error(err);
    });
  };

  private async process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = headerOf(req, 'x-request-id') ?? randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, Idempotent-Replayed');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Timezone',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }

    const raw = await readBody(req).catch((e: HttpError) => e);
    if (raw instanceof HttpError) return void send(res, raw.status, errorBody(raw, requestId));

    const path = url.pathname;
    const isControl = path === CONTROL_PATH || path === CONTROL_PATH.slice(0, -1);
    if (isControl && this.o.faults) {
      this.count('__sandbox.faults');
      return void this.control(req, res, method, raw, requestId);
    }

    const parts = path.split('/').filter(Boolean);
    let route: Route | undefined;
    let params: Record<string, string> | null = null;
    let pathKnown = false;
    // Crego's paths all end with a slash: one without it is not the same endpoint (DRF would not serve it
    // either), so a client that drops the slash is caught here rather than by the real API.
    const slashed = path.endsWith('/');
    for (const r of this.routes) {
      const p = slashed ? match(r, parts) : null;
      if (!p) continue;
      pathKnown = true;
      if (r.def.method === method) {
        route = r;
        params = p;
        break;
      }
    }
    this.count(route?.def.key ?? 'unknown');

    // Latency and faults (never on /auth/ or the control endpoint: a client must always be able to sign in).
    const faultable = !!route && !route.def.noAuth;
    if (faultable && this.o.rateLimit) {
      // Checked before any work, per token, as a gateway does: a refused request changed nothing.
      const wait = this.o.rateLimit.take(headerOf(req, 'authorization') ?? '');
      if (wait > 0) {
        this.stats.rateLimited = (this.stats.rateLimited ?? 0) + 1;
        const retry = String(retryAfterSeconds(wait));
        return void send(res, 429, errorBody(new HttpError(429, 'throttled', `Request was throttled. Expected available in ${retry} second(s).`), requestId), { 'Retry-After': retry });
      }
    }
    let fate: ReturnType<Faults['next']> = { outcome: 'none', delayMs: 0 };
    if (faultable && this.o.faults) fate = this.o.faults.next();
    const delay = fate.delayMs || this.o.latencyMs + (this.o.jitterMs ? this.latencyDraw() * this.o.jitterMs : 0);
    if (delay > 0) await sleep(delay);
    if (fate.outcome === 'reset') return void dropConnection(req);
    if (fate.outcome === '5xx') return void send(res, 503, errorBody(new HttpError(503, 'service_unavailable', 'The service is temporarily unavailable (injected fault); try again.'), requestId));
    if (fate.outcome === '429') {
      const retry = String(this.o.faults?.spec.retryAfter ?? 1);
      return void send(res, 429, errorBody(new HttpError(429, 'throttled', `Request was throttled (injected fault). Expected available in ${retry} second(s).`), requestId), { 'Retry-After': retry });
    }

    let status: number;
    let body: string;
    const extra: Record<string, string> = {};
    try {
      if (!route || !params) {
        if (pathKnown) throw new HttpError(405, 'method_not_allowed', `Method ${method} is not allowed on ${path}.`);
        const hint = slashed ? '' : ` Crego paths end with a slash${this.routes.some((r) => match(r, parts)) ? `: ${path}/` : ''}.`;
        throw new HttpError(404, 'not_found', `No endpoint at ${method} ${path}.${hint}`);
      }
      const def = route.def;
      if (!def.noAuth) {
        const role = this.o.auth.check(headerOf(req, 'authorization'));
        if (role === 'viewer' && def.method !== 'GET')
          throw new HttpError(403, 'permission_denied', `This user may only read; ${def.name} (${def.method} ${def.path}) needs a staff sign-in.`);
        if (this.o.unlicensed?.has(def.group.toLowerCase()))
          throw new HttpError(403, 'module_not_licensed', `The ${def.group} module is not licensed for this tenant.`);
      }
      const parsed = parseJson(raw);
      const key = method === 'POST' && !this.o.ignoreIdempotencyKey ? headerOf(req, 'idempotency-key') : undefined;
      const scope = key ? `${def.key}|${path}|${key}` : '';
      const fingerprint = key ? createHash('sha1').update(raw).digest('hex') : '';
      const stored = key ? this.idempotency.get(scope) : undefined;
      if (stored && Date.now() - stored.at < IDEMPOTENCY_TTL_MS) {
        if (stored.fingerprint !== fingerprint)
          throw new HttpError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different body; use a new key for a new request.');
        status = stored.status;
        body = stored.body;
        extra['Idempotent-Replayed'] = 'true';
      } else {
        const answer = this.dispatch(def, params, url.searchParams, parsed, req);
        status = answer.status;
        body = answer.body === undefined ? '' : JSON.stringify(answer.body);
        if (key && status < 500) this.remember(scope, { fingerprint, status, body, at: Date.now() });
      }
    } catch (e) {
      const err = e instanceof HttpError ? e : null;
      if (!err) throw e;
      status = err.status;
      body = JSON.stringify(errorBody(err, requestId));
      Object.assign(extra, err.headers ?? {});
    }
    if (fate.outcome === 'lost') return void dropConnection(req);
    if (fate.outcome === 'slow') return void sendSlow(res, status, body, extra, this.o.faults?.spec.slowMs ?? 400);
    sendRaw(res, status, body, extra);
  }

  private dispatch(def: EndpointDef, params: Record<string, string>, query: URLSearchParams, body: unknown, req: IncomingMessage) {
    if (def.key === 'auth.login') return { status: 200, body: this.o.auth.login(body, headerOf(req, 'authorization')) };
    if (def.key === 'auth.refresh') return { status: 200, body: this.o.auth.refreshTokens(body) };
    if (def.key === 'auth.ping') return { status: 200, body: this.o.auth.ping() };
    const handler = HANDLERS[def.key];
    if (!handler)
      throw new HttpError(501, 'not_implemented', `Not implemented in the sandbox: ${def.group} › ${def.name} (${def.key}, ${def.method} ${def.path}).`, undefined, { endpoint: def.key });
    // Payments whose time has come settle before anything can read them.
    this.o.settlement?.drain();
    return handler({ engine: this.o.engine, params, query, body, bulkMode: this.o.bulkMode, utrScope: this.o.utrScope, settlement: this.o.settlement });
  }

  private remember(scope: string, answer: StoredAnswer): void {
    if (this.idempotency.size > 200_000) {
      const cutoff = Date.now() - IDEMPOTENCY_TTL_MS;
      for (const [k, v] of this.idempotency) if (v.at < cutoff) this.idempotency.delete(k);
    }
    this.idempotency.set(scope, answer);
  }

  /** GET / POST /__sandbox/faults/: read or replace the fault spec at run time (exists only with faults on). */
  private control(req: IncomingMessage, res: ServerResponse, method: string, raw: Buffer, requestId: string): void {
    const faults = this.o.faults as Faults;
    try {
      this.o.auth.check(headerOf(req, 'authorization'));
      if (method === 'POST' || method === 'PUT') {
        const body = parseJson(raw) as Record<string, unknown> | string | null;
        let spec;
        try {
          spec = parseFaults(typeof body === 'string' ? body : body && typeof body.spec === 'string' ? body.spec : ((body ?? {}) as Record<string, number>));
        } catch (e) {
          throw validationError({ spec: [(e as Error).message] });
        }
        faults.set(spec);
      } else if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', `Method ${method} is not allowed on ${CONTROL_PATH}.`);
      send(res, 200, { faults: formatFaults(faults.spec) });
    } catch (e) {
      const err = e as HttpError;
      send(res, err.status ?? 500, errorBody(err, requestId), err.headers);
    }
  }

  setFaults(spec: string | object): void {
    if (!this.o.faults) throw new Error('Faults were not enabled at start; start the sandbox with a faults spec.');
    this.o.faults.set(parseFaults(spec as string));
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'body_too_large', `The request body is over ${MAX_BODY_BYTES / 1024 / 1024} MB.`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'parse_error', `The body is not valid JSON: ${(e as Error).message}.`);
  }
}

function errorBody(err: HttpError, requestId: string) {
  return { detail: err.message, code: err.code, ...(err.errors ? { errors: err.errors } : {}), ...(err.extra ?? {}), request_id: requestId };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(body), headers);
}

function sendRaw(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.destroyed) return;
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    ...headers,
    ...(status === 204 ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(buf.length) }),
  });
  res.end(status === 204 ? undefined : buf);
}

/** A slow body: the status and headers at once, then the bytes in pieces spread over `totalMs`. */
function sendSlow(res: ServerResponse, status: number, body: string, headers: Record<string, string>, totalMs: number): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(buf.length) });
  const pieces = Math.max(1, Math.min(8, buf.length));
  const size = Math.ceil(buf.length / pieces);
  let i = 0;
  const tick = () => {
    if (res.destroyed) return;
    const part = buf.subarray(i * size, (i + 1) * size);
    i++;
    if (i >= pieces) res.end(part);
    else {
      res.write(part);
      setTimeout(tick, totalMs / pieces);
    }
  };
  tick();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The answer never arrives: over HTTP/1.1 the connection is cut; over HTTP/2 only this request's
 * stream is reset (cutting the socket would fail every other request multiplexed on it).
 */
function dropConnection(req: IncomingMessage): void {
  const stream = (req as unknown as { stream?: { close(code: number): void } }).stream;
  if (req.httpVersionMajor >= 2 && stream) stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
  else req.socket.destroy();
}
