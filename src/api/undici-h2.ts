/**
 * HTTP/2 through undici that actually multiplexes (Node-only: the client's carrier and the add-in
 * server's /api proxy).
 *
 * undici negotiates h2 with `allowH2`, but lets a connection carry only `pipelining` requests at once,
 * and that defaults to 1 for h2 too (nodejs/undici#4143): an h2 connection then serves one request at
 * a time. Raising `pipelining` for every connection would also pipeline HTTP/1.1, which many servers
 * and proxies mishandle. So the connector notes which origins answered ALPN with h2, and each
 * connection to such an origin is raised to `streams` requests at once as it connects.
 */
import { buildConnector, type Dispatcher } from 'undici';

export interface H2Options {
  /** Requests one h2 connection carries at once (its streams). */
  streams: number;
  /** Trust this CA (PEM) instead of the system's (development certificates in tests and benches). */
  ca?: string;
}

type Origin = { protocol: string; hostname: string; port: string };
const keyOf = (o: Origin) => `${o.protocol}//${o.hostname}:${o.port}`;

/**
 * The `allowH2` and `connect` options for an undici Agent or Pool, and a function to call on it once
 * made: together they multiplex up to `streams` requests on each h2 connection.
 */
export function multiplexedH2(options: H2Options): {
  dispatcherOptions: { allowH2: true; connect: buildConnector.connector };
  attach: (dispatcher: Dispatcher) => void;
} {
  const h2Origins = new Set<string>();
  const base = buildConnector({ allowH2: true, ...(options.ca ? { ca: options.ca } : {}) });
  const connect: buildConnector.connector = (opts, callback) =>
    base(opts, (err, socket) => {
      if (!err && (socket as { alpnProtocol?: string | false } | null)?.alpnProtocol === 'h2') h2Origins.add(keyOf(opts as unknown as Origin));
      (callback as (e: Error | null, s: unknown) => void)(err, socket);
    });
  return {
    dispatcherOptions: { allowH2: true, connect },
    attach(dispatcher) {
      dispatcher.on('connect', (origin, targets) => {
        const connection = targets[targets.length - 1] as unknown as { pipelining: number };
        if (h2Origins.has(keyOf(origin as unknown as Origin))) connection.pipelining = options.streams;
      });
    },
  };
}
