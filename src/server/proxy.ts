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
  /** Keep-alive connections kept to Crego. */
  connections?: number;
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
  const base = new URL(opts.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`Crego base URL '${opts.baseUrl}' must be http(s)`);
  const basePath = base.pathname.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = opts.log ?? (() => {});
  const bufferBytes = opts.bufferBytes ?? MAX_BUFFERED_BYTES;
  const pool = new Pool(base.origin, {
    connections: opts.connections ?? 32,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = (req.url ?? '/').slice(API_PREFIX.length) || '/';
    const pathOnly = raw.split('?')[0]!;
    const done = (status: number) => log(`${method} ${API_PREFIX}${pathOnly} ${status} ${Date.now() - started}ms`);

    if (!raw.startsWith('/') || !isPlainPath(pathOnly)) {
      sendError(res, 400, { detail: 'The API path is not valid.', code: 'bad_path' });
      return done(400);
    }
    if (!METHODS.has(method)) {
      res.setHeader('Allow', [...METHODS].join(', '));
      sendError(res, 405, { detail: `The API proxy does not forward ${method} requests.`, code: 'method_not_allowed' });
      return done(405);
    }
    const caller = classifyCaller(req.headers, opts.addinOrigins);
    if (caller === 'foreign') {
      // No CORS headers: the browser shows the page of another origin nothing, not even this refusal.
      sendError(res, 403, { detail: "Only the add-in's own pages may use this proxy.", code: 'cross_site' });
      return done(403);
    }
    const cors: Record<string, string> = { Vary: 'Origin' };
    if (caller === 'own' && typeof req.headers.origin === 'string') {
      cors['Access-Control-Allow-Origin'] = req.headers.origin;
      cors['Access-Control-Expose-Headers'] = EXPOSED;
    }
    if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
      // A CORS preflight is the proxy's business, not Crego's: only the add-in's origin gets here.
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': [...METHODS].join(', '),
        'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type'),
        'Access-Control-Max-Age': '600',
      }).end();
      return done(204);
    }

    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) {
        tooLarge(req, res, maxBody);
        return done(413);
      }
      body = await readCapped(req, maxBody);
      if (!body) {
        tooLarge(req, res, maxBody);
        return done(413);
      }
    }

    const headers: Record<string, string | string[]> = {};
    const connectionListed = new Set(String(req.headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim()));
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || DROP_REQUEST.has(name) || connectionListed.has(name)) continue;
      if (name.startsWith(':')) continue; // HTTP/2 pseudo-headers (:authority, :path…) are not headers upstream
      headers[name] = value;
    }
    if (opts.token && !headers.authorization) headers.authorization = `Bearer ${opts.token}`;

    // If the pane gives up (closed, navigated), Crego's work for it is cancelled too.
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.on('close', onClose);
    // One deadline for the whole exchange: headers and body. undici's own timeouts are per wait,
    // so an upstream sending a byte every few seconds would never trip them.
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    try {
      const upstream = await pool.request({
        path: basePath + raw,
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        signal: abort.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const out: Record<string, string | string[]> = { ...cors };
      const listed = new Set(String(upstream.headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim()));
      for (const [name, value] of Object.entries(upstream.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name) || DROP_RESPONSE.has(name) || listed.has(name)) continue;
        if (name.startsWith('access-control-') || name === 'vary') continue; // the proxy's CORS, not Crego's
        out[name] = value;
      }
      const vary = upstream.headers.vary;
      if (vary !== undefined) out.Vary = `${String(vary)}, Origin`;
      const chunks = upstream.body[Symbol.asyncIterator]();
      const held: Buffer[] = [];
      let size = 0;
      let next = await chunks.next();
      for (; !next.done && size <= bufferBytes; next = await chunks.next()) {
        held.push(next.value as Buffer);
        size += (next.value as Buffer).length;
      }
      res.writeHead(upstream.statusCode, out);
      if (next.done) {
        res.end(Buffer.concat(held));
      } else {
        held.push(next.value as Buffer);
        for (let more: Buffer | undefined = Buffer.concat(held); more; ) {
          if (!res.write(more)) await once(res, 'drain', { signal: abort.signal }); // a slow client holds Crego back, not memory
          next = await chunks.next();
          more = next.done ? undefined : (next.value as Buffer);
        }
        res.end();
      }
      done(upstream.statusCode);
    } catch (err) {
      if (abort.signal.aborted && !timedOut) return done(499);
      const status = timedOut || isTimeout(err) ? 504 : 502;
      if (res.headersSent) {
        res.destroy(); // the client sees a broken answer, never a complete-looking one
      } else if (status === 504) {
        sendError(res, 504, { detail: `Crego did not answer within ${Math.round(timeoutMs / 1000)} s. Try again; if it keeps happening, check Crego's status.`, code: 'upstream_timeout' }, cors);
      } else {
        sendError(res, 502, { detail: `Cannot reach Crego at ${base.origin}. Check CREGO_BASE_URL and the network.`, code: 'upstream_unreachable' }, cors);
      }
      done(status);
    } finally {
      clearTimeout(deadline);
      res.off('close', onClose);
    }
  }

  return { handle, close: () => pool.close() };
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
