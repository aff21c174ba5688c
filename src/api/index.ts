/**
 * The Crego client for the browser (task pane, functions runtime): the fetch carrier.
 * No undici, no `node:` modules here; Node code uses `createNodeClient` from ./node.
 */
import { createClientWith, DEFAULT_CONCURRENCY, type ClientConfig, type CregoHttpClient } from './client';
import { fetchTransport } from './fetch-transport';

export interface BrowserClientConfig extends ClientConfig {
  /** The fetch to use (defaults to the global one). */
  fetch?: typeof fetch;
}

export function createClient(config: BrowserClientConfig): CregoHttpClient {
  // Never below the starting concurrency a caller asked for (the limiter refuses a ceiling under its start).
  const http1 = http1Ceiling(config.baseUrl);
  const ceiling = config.maxConcurrency ?? (http1 === undefined ? undefined : Math.max(http1, config.concurrency ?? 0));
  return createClientWith({ ...config, maxConcurrency: ceiling }, fetchTransport(config.fetch));
}

/**
 * Over HTTP/1.1 a browser opens six connections to a host and queues the rest itself, where they
 * only wait (and run down their timeout): a limit above six buys nothing. The add-in server's `/api`
 * is on the page's own connection, so the page's protocol is the API's; for another origin it is
 * not known before the first answer, and the limit's latency rule steps back from the browser's queue.
 */
export function http1Ceiling(baseUrl: string, page: { getEntriesByType?: (type: string) => unknown[] } | undefined = globalThis.performance): number | undefined {
  if (!baseUrl.startsWith('/')) return undefined;
  const navigation = page?.getEntriesByType?.('navigation')[0] as { nextHopProtocol?: string } | undefined;
  return navigation?.nextHopProtocol === 'http/1.1' ? DEFAULT_CONCURRENCY : undefined;
}

export type { ClientConfig, ClientLogEvent, CregoHttpClient, HttpClientStats } from './client';
export { DEFAULT_CACHE_TTL_MS, DEFAULT_CONCURRENCY, DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './client';
export { CregoError, isCregoError } from './contract';
export type { CallOptions, ClientStats, ConcurrencyStatus, CregoClient, ErrorKind, InvalidateScope, PageOptions } from './contract';
export { EndpointResolver, parseProfile, ProfileError } from './profile';
export type { ApiProfile, ProfileEndpoint, ProfilePagination, ResolvedEndpoint } from './profile';
export type { RetryPolicy } from './backoff';
export { checkFields, runProbe } from './probe';
export type { ProbeReport, ProbeResult, ProbeStatus } from './probe';
