/**
 * The `/api/*` proxy to Crego. Not an open proxy: the upstream origin is fixed by configuration
 * and bound into the connection pool, so nothing in a request can send it elsewhere. It answers
 * only the add-in's own pages and tools that are not browsers (origin.ts): a page of another
 * origin gets 403, reads included, and the upstream's own CORS headers never reach a browser.
 * Cookies (both ways) and hop-by-hop headers are dropped, request bodies are capped, every request
 * has a total deadline, and the log line carries method, path, status and time only (never a header).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { multiplexedH2 } from '../api/undici-h2';
import type { ErrorBody } from '../api/types';
import { classifyCaller } from './origin';

export const API_PREFIX = '/api';

export interface ProxyOptions {
  /** Crego base URL, e.g. https://api.crego.example or http://127.0.0.1:4010 (the sandbox). */
  baseUrl: string;
  /** Bearer token the server adds when the request carries no Authorization of its own. */
  token?: string;
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** Keep-alive connections kept to Crego over HTTP/1.1 (default 128); over HTTP/2 one carries 100 requests at once. */
  connections?: number;
  /** Trust this CA (PEM) for Crego's certificate instead of the system's (a private or development CA). */
  ca?: string;
  log?: (line: string) => void;
  /** Answers up to this size are held whole (so the deadline can still answer 504); larger ones stream. */
  bufferBytes?: number;
  /** The add-in's public origin(s) (ADDIN_ORIGIN), accepted besides https://<Host>. */
  addinOrigins?: readonly string[];
}

export interface ApiProxy {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Upstream HTTP/1.1 connections: every pane and functions runtime behind this server share them. */
const UPSTREAM_CONNECTIONS = 128;
/** Requests at once on one upstream HTTP/2 connection (a common server default for concurrent streams). */
const UPSTREAM_STREAMS = 100;
/** Excel on the web caps a request at 5 MB; a bulk chunk of 1000 rows is far below that. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** RFC 9110 §7.6.1 hop-by-hop fields, plus what a proxy must never pass through. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
// `expect`: Node has already answered `100 Continue` to the client, and undici refuses the header.
const DROP_REQUEST = new Set(['host', 'cookie', 'origin', 'referer', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'content-length', 'expect']);
/** The methods the API uses. Anything else is refused: TRACE would echo the Authorization header back. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const DROP_RESPONSE = new Set(['set-cookie', 'set-cookie2']);
/** Headers the pane's client reads from an answer (Retry-After for back-off, the replay mark of a bulk post). */
const EXPOSED = 'X-Request-Id, Retry-After, Idempotent-Replayed';
/**
 * Answers are held until complete so that the deadline can still turn a trickling answer into a
 * 504; past this size the rest is streamed (a deadline then cuts the connection, never a clean 200).
 */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export function createApiProxy(opts: ProxyOptions): ApiProxy {
  const config = resolveProxyConfig(opts);
  const pool = upstreamPool(config);
  return { handle: (req, res) => handleApiRequest(config, pool, req, res), close: () => pool.close() };
}

/** The options with their defaults filled in, checked once when the server starts. */
interface ProxyConfig {
  base: URL;
  /** The base URL's path without its trailing slash: `/api/x` goes to `<basePath>/x`. */
  basePath: string;
  token?: string;
  timeoutMs: number;
  maxBody: number;
  bufferBytes: number;
  connections: number;
  ca?: string;
  log: (line: string) => void;
  addinOrigins?: readonly string[];
}

function resolveProxyConfig(opts: ProxyOptions): ProxyConfig {
  const base = new URL(opts.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`Crego base URL '${opts.baseUrl}' must be http(s)`);
  return {
    base,
    basePath: base.pathname.replace(/\/+$/, ''),
    token: opts.token,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBody: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    bufferBytes: opts.bufferBytes ?? MAX_BUFFERED_BYTES,
    connections: opts.connections ?? UPSTREAM_CONNECTIONS,
    ca: opts.ca,
    log: opts.log ?? (() => {}),
    addinOrigins: opts.addinOrigins,
  };
}

/**
 * Keep-alive connections to the one configured origin: binding it here is what makes this no open proxy.
 * Not held to a browser's six: HTTP/2 where Crego offers it (ALPN), each connection carrying up to
 * UPSTREAM_STREAMS requests, else up to `connections` HTTP/1.1 connections.
 */
function upstreamPool(config: ProxyConfig): Pool {
  const h2 = multiplexedH2({ streams: UPSTREAM_STREAMS, ca: config.ca });
  const pool = new Pool(config.base.origin, {
    connections: config.connections,
    ...h2.dispatcherOptions,
    keepAliveTimeout: 30_000,
    headersTimeout: config.timeoutMs,
    bodyTimeout: config.timeoutMs,
  });
  h2.attach(pool);
  return pool;
}

/** What the proxy needs of the incoming request line: the method and the path below `/api`. */
interface Target {
  method: string;
  /** Path and query below the `/api` prefix, as sent. */
  raw: string;
  /** `raw` without its query: what is checked and logged (a query may carry personal data). */
  pathOnly: string;
}

function requestTarget(req: IncomingMessage): Target {
  const raw = (req.url ?? '/').slice(API_PREFIX.length) || '/';
  return { method: (req.method ?? 'GET').toUpperCase(), raw, pathOnly: raw.split('?')[0]! };
}

/**
 * One request through the proxy, in the order the checks must run: refuse what is never forwarded,
 * answer a preflight here, read the body under its cap, then forward. Logs one line per request.
 */
async function handleApiRequest(config: ProxyConfig, pool: Pool, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const target = requestTarget(req);
  const status = await answer(config, pool, target, req, res);
  config.log(`${target.method} ${API_PREFIX}${target.pathOnly} ${status} ${Date.now() - started}ms`);
}

/** Answers the request and returns the status for the log (499: the caller went away first). */
async function answer(config: ProxyConfig, pool: Pool, target: Target, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const caller = classifyCaller(req.headers, config.addinOrigins);
  const refused = refusal(target, caller);
  if (refused) {
    sendError(res, refused.status, refused.body, refused.headers);
    return refused.status;
  }
  const cors = corsHeaders(caller, req.headers.origin);
  if (target.method === 'OPTIONS' && req.headers['access-control-request-method']) return answerPreflight(req, res, cors);
  const body = await readBody(req, res, target.method, config.maxBody);
  if (body === TOO_LARGE) return 413;
  return forward(config, pool, { target, headers: upstreamHeaders(req.headers, config.token), body }, res, cors);
}

interface Refusal {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/** Why a request is not forwarded at all, checked in this order; undefined when it may go on. */
function refusal(target: Target, caller: ReturnType<typeof classifyCaller>): Refusal | undefined {
  if (!target.raw.startsWith('/') || !isPlainPath(target.pathOnly)) return { status: 400, body: { detail: 'The API path is not valid.', code: 'bad_path' } };
  if (!METHODS.has(target.method)) {
    return { status: 405, body: { detail: `The API proxy does not forward ${target.method} requests.`, code: 'method_not_allowed' }, headers: { Allow: [...METHODS].join(', ') } };
  }
  // No CORS headers: the browser shows the page of another origin nothing, not even this refusal.
  if (caller === 'foreign') return { status: 403, body: { detail: "Only the add-in's own pages may use this proxy.", code: 'cross_site' } };
  return undefined;
}

/** The proxy's own CORS headers: only the add-in's own pages are told they may read the answer. */
function corsHeaders(caller: ReturnType<typeof classifyCaller>, origin: string | undefined): Record<string, string> {
  const cors: Record<string, string> = { Vary: 'Origin' };
  if (caller === 'own' && typeof origin === 'string') {
    cors['Access-Control-Allow-Origin'] = origin;
    cors['Access-Control-Expose-Headers'] = EXPOSED;
  }
  return cors;
}

/** A CORS preflight is the proxy's business, not Crego's: only the add-in's origin gets here. */
function answerPreflight(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): number {
  res.writeHead(204, {
    ...cors,
    'Access-Control-Allow-Methods': [...METHODS].join(', '),
    'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type'),
    'Access-Control-Max-Age': '600',
  }).end();
  return 204;
}

const TOO_LARGE = Symbol('too large');

/** The body of a method that has one, or TOO_LARGE once 413 has been answered (declared or counted). */
async function readBody(req: IncomingMessage, res: ServerResponse, method: string, maxBody: number): Promise<Buffer | undefined | typeof TOO_LARGE> {
  if (method === 'GET' || method === 'HEAD') return undefined;
  const body = Number(req.headers['content-length'] ?? 0) > maxBody ? undefined : await readCapped(req, maxBody);
  if (body) return body;
  tooLarge(req, res, maxBody);
  return TOO_LARGE;
}

/** The request's headers as Crego gets them: no cookie, no hop-by-hop, the server's token if the pane sent none. */
function upstreamHeaders(incoming: IncomingMessage['headers'], token: string | undefined): Record<string, string | string[]> {
  const headers = passOn(incoming, DROP_REQUEST);
  if (token && !headers.authorization) headers.authorization = `Bearer ${token}`;
  return headers;
}

/** The answer's headers as the pane gets them: no cookie, no hop-by-hop, the proxy's CORS instead of Crego's. */
function downstreamHeaders(upstream: Dispatcher.ResponseData['headers'], cors: Record<string, string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { ...cors, ...passOn(upstream, DROP_RESPONSE, (name) => name.startsWith('access-control-') || name === 'vary') };
  if (upstream.vary !== undefined) out.Vary = `${String(upstream.vary)}, Origin`;
  return out;
}

/**
 * The headers a proxy may pass on: not hop-by-hop, not named in this hop's `Connection` header, not in
 * `drop`, no HTTP/2 pseudo-header (:authority, :path… are not headers on the next hop).
 */
function passOn(headers: Record<string, string | string[] | undefined>, drop: ReadonlySet<string>, alsoDrop: (name: string) => boolean = () => false): Record<string, string | string[]> {
  const listed = new Set(String(headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim()));
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name) || listed.has(name) || name.startsWith(':') || alsoDrop(name)) continue;
    out[name] = value;
  }
  return out;
}

interface Outgoing {
  target: Target;
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
}

/** The abort reason of the proxy's own deadline, told apart from the pane going away. */
const DEADLINE = Symbol('deadline');

/** Sends the request to Crego and relays its answer; returns the status for the log. */
async function forward(config: ProxyConfig, pool: Pool, out: Outgoing, res: ServerResponse, cors: Record<string, string>): Promise<number> {
  // If the pane gives up (closed, navigated), Crego's work for it is cancelled too.
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClose);
  // One deadline for the whole exchange: headers and body. undici's own timeouts are per wait,
  // so an upstream sending a byte every few seconds would never trip them.
  const deadline = setTimeout(() => abort.abort(DEADLINE), config.timeoutMs);
  try {
    const upstream = await pool.request({
      path: config.basePath + out.target.raw,
      method: out.target.method as Dispatcher.HttpMethod,
      headers: out.headers,
      body: out.body,
      signal: abort.signal,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
    await relayAnswer(upstream, res, downstreamHeaders(upstream.headers, cors), config.bufferBytes, abort.signal);
    return upstream.statusCode;
  } catch (err) {
    const timedOut = abort.signal.reason === DEADLINE;
    if (abort.signal.aborted && !timedOut) return 499;
    return answerFailure(res, timedOut || isTimeout(err) ? 504 : 502, config, cors);
  } finally {
    clearTimeout(deadline);
    res.off('close', onClose);
  }
}

/**
 * Writes Crego's answer: held whole up to `bufferBytes` (so the deadline can still answer 504 instead
 * of a half answer), streamed past that with back-pressure (a slow client holds Crego back, not memory).
 */
async function relayAnswer(upstream: Dispatcher.ResponseData, res: ServerResponse, headers: Record<string, string | string[]>, bufferBytes: number, signal: AbortSignal): Promise<void> {
  const chunks = upstream.body[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let size = 0;
  let next = await chunks.next();
  for (; !next.done && size <= bufferBytes; next = await chunks.next()) {
    held.push(next.value as Buffer);
    size += (next.value as Buffer).length;
  }
  res.writeHead(upstream.statusCode, headers);
  if (next.done) {
    res.end(Buffer.concat(held));
    return;
  }
  held.push(next.value as Buffer);
  for (let more: Buffer | undefined = Buffer.concat(held); more; ) {
    if (!res.write(more)) await once(res, 'drain', { signal });
    next = await chunks.next();
    more = next.done ? undefined : (next.value as Buffer);
  }
  res.end();
}

/** Crego did not answer (502) or not in time (504): say so, unless half an answer is already out. */
function answerFailure(res: ServerResponse, status: 502 | 504, config: ProxyConfig, cors: Record<string, string>): number {
  if (res.headersSent) {
    res.destroy(); // the client sees a broken answer, never a complete-looking one
  } else if (status === 504) {
    sendError(res, 504, { detail: `Crego did not answer within ${Math.round(config.timeoutMs / 1000)} s. Try again; if it keeps happening, check Crego's status.`, code: 'upstream_timeout' }, cors);
  } else {
    sendError(res, 502, { detail: `Cannot reach Crego at ${config.base.origin}. Check CREGO_BASE_URL and the network.`, code: 'upstream_unreachable' }, cors);
  }
  return status;
}

/**
 * No `.`/`..` segment (plain or percent-encoded), no backslash (a Windows server treats `..\` as
 * `../`), no empty segment (`//host/x` reads as a network-path reference to anything that
 * resolves it as a URL).
 */
function isPlainPath(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return false;
  const segments = decoded.split('/').slice(1);
  return segments.every((s, i) => s !== '..' && s !== '.' && (s !== '' || i === segments.length - 1));
}

function isTimeout(err: unknown): boolean {
  return err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError;
}

/** The body, or undefined once it passes `max` bytes (the rest is not read). */
async function readCapped(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
  // Close the connection after answering: the unread rest of the body must not be parsed as a request.
  // (HTTP/1.1 only: an HTTP/2 stream is reset on its own, and h2 forbids the Connection header.)
  if (req.httpVersionMajor < 2) res.setHeader('Connection', 'close');
  sendError(res, 413, { detail: `The request body is larger than ${Math.floor(max / 1024)} KiB. Send fewer rows per request.`, code: 'body_too_large' });
  req.resume();
}

function sendError(res: ServerResponse, status: number, body: ErrorBody, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
}
