/**
 * The Node carrier: undici with a keep-alive connection pool per origin (CLI, server, tests).
 * Node-only: imported by node.ts, never by index.ts.
 */
import { Agent, request } from 'undici';
import { multiplexedH2 } from './undici-h2';
import { toTransportError, type Transport, type WireRequest, type WireResponse } from './transport';

export interface UndiciTransportOptions {
  /**
   * Sockets per origin over HTTP/1.1; the client's concurrency limit is the real cap, this matches its
   * ceiling so a grown limit is not queued here. Over HTTP/2 one connection carries them all as streams.
   */
  connections?: number;
  /** Trust this CA (PEM) instead of the system's (tests and benches against a development certificate). */
  ca?: string;
}

export function undiciTransport(options: UndiciTransportOptions = {}): Transport {
  const connections = options.connections ?? 6;
  // HTTP/2 where the server offers it (ALPN, TLS only), each connection carrying as many requests as
  // the client's ceiling; HTTP/1.1 otherwise.
  const h2 = multiplexedH2({ streams: connections, ca: options.ca });
  const agent = new Agent({
    connections,
    ...h2.dispatcherOptions,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    // The client enforces its own per-request timeout through AbortSignal.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  h2.attach(agent);
  return {
    carrier: 'undici',
    async send(req: WireRequest): Promise<WireResponse> {
      try {
        const res = await request(req.url, {
          method: req.method as 'GET',
          headers: req.headers,
          body: req.body,
          signal: req.signal,
          dispatcher: agent,
        });
        const text = await res.body.text();
        return {
          status: res.statusCode,
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
          },
          text,
        };
      } catch (err) {
        throw toTransportError(err);
      }
    },
    close: () => agent.close(),
  };
}
