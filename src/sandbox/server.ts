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

  /** Per request: preflight, body, control endpoint, route, rate limit, latency and faults, answer, delivery. */
  private async process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = stampRequest(req, res);
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS') return answerPreflight(res);
    const raw = await readBody(req).catch((e: HttpError) => e);
    if (raw instanceof HttpError) return void send(res, raw.status, errorBody(raw, id));
    const call: Call = { req, res, id, method, url: new URL(req.url ?? '/', 'http://sandbox'), raw };
    if (isControlPath(call.url.pathname) && this.o.faults) {
      this.count('__sandbox.faults');
      return void this.control(req, res, method, raw, id);
    }
    const found = this.findRoute(call.url.pathname, method);
    this.count(found.route?.def.key ?? 'unknown');
    // Latency and faults never on /auth/ (nor the control endpoint): a client must always be able to sign in.
    const faultable = !!found.route && !found.route.def.noAuth;
    if (faultable && this.throttle(call)) return;
    const fate = faultable && this.o.faults ? this.o.faults.next() : NO_FAULT;
    await this.wait(fate);
    if (answerEarlyFault(fate, call, this.o.faults)) return;
    const answer = this.answer(call, found);
    if (fate.outcome === 'lost') return void dropConnection(req);
    if (fate.outcome === 'slow') return void sendSlow(res, answer.status, answer.body, answer.headers, this.o.faults?.spec.slowMs ?? 400);
    sendRaw(res, answer.status, answer.body, answer.headers);
  }

  /**
   * The route for `method` on `path`. Crego's paths all end with a slash: one without it is not the same
   * endpoint (DRF would not serve it either), so a client that drops the slash is caught here rather than by
   * the real API. `pathKnown`: some route has this path (under another method: 405, not 404).
   */
  private findRoute(path: string, method: string): RouteMatch {
    const parts = path.split('/').filter(Boolean);
    const slashed = path.endsWith('/');
    let pathKnown = false;
    for (const route of slashed ? this.routes : []) {
      const params = match(route, parts);
      if (!params) continue;
      pathKnown = true;
      if (route.def.method === method) return { path, parts, slashed, pathKnown, route, params };
    }
    return { path, parts, slashed, pathKnown };
  }

  /** `--rate-limit`, checked before any work, per token, as a gateway does: a refused request changed nothing. */
  private throttle(call: Call): boolean {
    const wait = this.o.rateLimit?.take(headerOf(call.req, 'authorization') ?? '') ?? 0;
    if (wait <= 0) return false;
    this.stats.rateLimited = (this.stats.rateLimited ?? 0) + 1;
    const retry = String(retryAfterSeconds(wait));
    send(call.res, 429, errorBody(new HttpError(429, 'throttled', `Request was throttled. Expected available in ${retry} second(s).`), call.id), { 'Retry-After': retry });
    return true;
  }

  /** The fault's own delay, or the configured latency with its seeded jitter. */
  private async wait(fate: Fate): Promise<void> {
    const delay = fate.delayMs || this.o.latencyMs + (this.o.jitterMs ? this.latencyDraw() * this.o.jitterMs : 0);
    if (delay > 0) await sleep(delay);
  }

  /** The answer to a routed call, or the error body of an HttpError (anything else is a bug: handle's 500). */
  private answer(call: Call, found: RouteMatch): Answer {
    try {
      const { def, params } = routed(call.method, found, this.routes);
      this.authorize(def, call.req);
      return this.replayOrDispatch(call, def, params);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      return { status: e.status, body: JSON.stringify(errorBody(e, call.id)), headers: { ...(e.headers ?? {}) } };
    }
  }

  /** A staff sign-in for writes, and the endpoint's module licensed for the tenant. */
  private authorize(def: EndpointDef, req: IncomingMessage): void {
    if (def.noAuth) return;
    const role = this.o.auth.check(headerOf(req, 'authorization'));
    if (role === 'viewer' && def.method !== 'GET') throw new HttpError(403, 'permission_denied', `This user may only read; ${def.name} (${def.method} ${def.path}) needs a staff sign-in.`);
    if (this.o.unlicensed?.has(def.group.toLowerCase())) throw new HttpError(403, 'module_not_licensed', `The ${def.group} module is not licensed for this tenant.`);
  }

  /**
   * A POST with an Idempotency-Key seen in the last 24 h gets the stored answer again (marked
   * Idempotent-Replayed), or 409 when the body differs; otherwise the handler runs and its answer
   * (unless a 5xx, which a retry may fix) is stored under the key.
   */
  private replayOrDispatch(call: Call, def: EndpointDef, params: Record<string, string>): Answer {
    const parsed = parseJson(call.raw);
    const key = call.method === 'POST' && !this.o.ignoreIdempotencyKey ? headerOf(call.req, 'idempotency-key') : undefined;
    if (!key) return this.dispatchAnswer(call, def, params, parsed);
    const scope = `${def.key}|${call.url.pathname}|${key}`;
    const fingerprint = createHash('sha1').update(call.raw).digest('hex');
    const stored = this.idempotency.get(scope);
    if (stored && Date.now() - stored.at < IDEMPOTENCY_TTL_MS) {
      if (stored.fingerprint !== fingerprint) throw new HttpError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different body; use a new key for a new request.');
      return { status: stored.status, body: stored.body, headers: { 'Idempotent-Replayed': 'true' } };
    }
    const answer = this.dispatchAnswer(call, def, params, parsed);
    if (answer.status < 500) this.remember(scope, { fingerprint, status: answer.status, body: answer.body, at: Date.now() });
    return answer;
  }

  private dispatchAnswer(call: Call, def: EndpointDef, params: Record<string, string>, parsed: unknown): Answer {
    const answer = this.dispatch(def, params, call.url.searchParams, parsed, call.req);
    return { status: answer.status, body: answer.body === undefined ? '' : JSON.stringify(answer.body), headers: {} };
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

/** One request as the front's steps see it. */
interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  /** X-Request-Id: the caller's, or a fresh one; every error body names it. */
  id: string;
  method: string;
  url: URL;
  raw: Buffer;
}

interface RouteMatch {
  path: string;
  parts: string[];
  slashed: boolean;
  pathKnown: boolean;
  route?: Route;
  params?: Record<string, string>;
}

/** What goes back: status, body text, extra headers. */
interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

type Fate = ReturnType<Faults['next']>;
const NO_FAULT: Fate = { outcome: 'none', delayMs: 0 };

function isControlPath(path: string): boolean {
  return path === CONTROL_PATH || path === CONTROL_PATH.slice(0, -1);
}

/** The request id and CORS headers every answer carries (the sandbox is open to any origin). Returns the id. */
function stampRequest(req: IncomingMessage, res: ServerResponse): string {
  const id = headerOf(req, 'x-request-id') ?? randomUUID();
  res.setHeader('X-Request-Id', id);
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, Idempotent-Replayed');
  return id;
}

function answerPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Timezone',
    'Access-Control-Max-Age': '600',
  });
  res.end();
}

/** The faults that answer before any work is done (a reset, a 503, an injected 429); true when one did. */
function answerEarlyFault(fate: Fate, call: Call, faults: Faults | null): boolean {
  if (fate.outcome === 'reset') dropConnection(call.req);
  else if (fate.outcome === '5xx') send(call.res, 503, errorBody(new HttpError(503, 'service_unavailable', 'The service is temporarily unavailable (injected fault); try again.'), call.id));
  else if (fate.outcome === '429') {
    const retry = String(faults?.spec.retryAfter ?? 1);
    send(call.res, 429, errorBody(new HttpError(429, 'throttled', `Request was throttled (injected fault). Expected available in ${retry} second(s).`), call.id), { 'Retry-After': retry });
  } else return false;
  return true;
}

/** The matched route, or the 405 (path known, other method) / 404 (with the slash hint) a client is owed. */
function routed(method: string, found: RouteMatch, routes: readonly Route[]): { def: EndpointDef; params: Record<string, string> } {
  if (found.route && found.params) return { def: found.route.def, params: found.params };
  const { path, parts, slashed } = found;
  if (found.pathKnown) throw new HttpError(405, 'method_not_allowed', `Method ${method} is not allowed on ${path}.`);
  const hint = slashed ? '' : ` Crego paths end with a slash${routes.some((r) => match(r, parts)) ? `: ${path}/` : ''}.`;
  throw new HttpError(404, 'not_found', `No endpoint at ${method} ${path}.${hint}`);
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
