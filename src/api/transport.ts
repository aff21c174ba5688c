/**
 * The one transport interface the client core talks to. Two carriers implement it:
 * fetch-transport.ts (browser task pane / functions runtime) and undici-transport.ts (Node).
 * Everything above it (retry, cache, coalescing, concurrency, auth) is carrier-independent.
 *
 * A carrier does exactly one HTTP exchange: no retries, no JSON, no auth. It reads the whole
 * body so the core can share the text between coalesced callers and the cache.
 */

export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the exchange (timeout or the last interested caller gave up). */
  signal: AbortSignal;
}

export interface WireResponse {
  status: number;
  /** Case-insensitive header look-up; null when absent. */
  header(name: string): string | null;
  text: string;
}

export interface Transport {
  /** Human label for logs/tests: `fetch` or `undici`. */
  readonly carrier: string;
  send(request: WireRequest): Promise<WireResponse>;
  /** Release pooled connections (Node); a no-op for fetch. */
  close(): Promise<void>;
}

/**
 * A failure below HTTP. `sent` tells the core whether the request may have reached the server:
 * `false` only when we know it did not (connection refused, DNS failure), so a POST can be
 * re-sent safely; `'maybe'` otherwise (reset, dropped mid-answer, browser "Failed to fetch").
 */
export class TransportError extends Error {
  readonly sent: false | 'maybe';
  readonly code?: string;
  constructor(message: string, sent: false | 'maybe', code?: string) {
    super(message);
    this.name = 'TransportError';
    this.sent = sent;
    this.code = code;
  }
}

/** Error codes that prove nothing was written to a server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  // undici refused the request before writing a byte (an invalid header value, a bad URL).
  'UND_ERR_INVALID_ARG',
]);

/** Find a system/undici error code on an error or its `cause` chain. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Wrap any carrier failure into a TransportError with a safe, short message (no URL, no headers). */
export function toTransportError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  const code = errorCode(err);
  const sent = code && NOT_SENT_CODES.has(code) ? false : 'maybe';
  return new TransportError(code ? `connection failed (${code})` : 'connection failed', sent, code);
}
