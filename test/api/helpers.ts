/**
 * A small purpose-built HTTP server on 127.0.0.1 for transport-level tests: real sockets, so a
 * test can count requests, hold an answer, or drop a connection at an exact moment.
 */
import { afterEach } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createClient } from '../../src/api/index';
import { createNodeClient } from '../../src/api/node';
import type { ClientConfig, CregoHttpClient } from '../../src/api/client';
import type { CregoError } from '../../src/api/contract';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: SeenRequest, res: ServerResponse, socket: Socket) => unknown;

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  /** Highest number of requests being handled at once. */
  maxInFlight: number;
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  connections: number;
  close(): Promise<void>;
}

export async function startTestServer(handler: Handler): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let inFlight = 0;
  const state: TestServer = {
    url: '',
    requests: [],
    maxInFlight: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      state.requests.push(seen);
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      res.on('close', () => inFlight--);
      Promise.resolve(handler(seen, res, req.socket)).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  server.on('connection', (s) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A promise plus its resolve, to hold a server answer until the test releases it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Wait (without a time assertion) until a condition holds, polling the event loop. */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Both carriers: the fetch one (browser; Node 20 has global fetch) and the undici one (Node). */
export const CARRIERS: Array<[string, (config: ClientConfig) => CregoHttpClient]> = [
  ['fetch', (c) => createClient(c)],
  ['undici', (c) => createNodeClient(c)],
];

/** Fast retries for tests: the policy is the same, only the waits are short. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 } as const;

/** After each test, close what it opened (in the order given) and then forget it. */
export function closeAfterEach(opened: () => Array<{ close(): Promise<void> } | undefined>, forget: () => void): void {
  afterEach(async () => {
    for (const thing of opened()) await thing?.close();
    forget();
  });
}

/** The CregoError a promise rejects with; fails the test if it resolves. */
export const failure = (p: Promise<unknown>): Promise<CregoError> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: CregoError) => e,
  );

/** A test server's own answer (not Crego's shape): read it as what that server sends. */
export const as = <T>(answer: unknown): T => answer as T;
