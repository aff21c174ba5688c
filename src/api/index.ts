/**
 * The Crego client for the browser (task pane, functions runtime): the fetch carrier.
 * No undici, no `node:` modules here; Node code uses `createNodeClient` from ./node.
 */
import { createClientWith, type ClientConfig, type CregoHttpClient } from './client';
import { fetchTransport } from './fetch-transport';

export interface BrowserClientConfig extends ClientConfig {
  /** The fetch to use (defaults to the global one). */
  fetch?: typeof fetch;
}

export function createClient(config: BrowserClientConfig): CregoHttpClient {
  return createClientWith(config, fetchTransport(config.fetch));
}

export type { ClientConfig, ClientLogEvent, CregoHttpClient, HttpClientStats } from './client';
export { DEFAULT_CACHE_TTL_MS, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './client';
export { CregoError, isCregoError } from './contract';
export type { CallOptions, ClientStats, CregoClient, ErrorKind, InvalidateScope, PageOptions } from './contract';
export { EndpointResolver, parseProfile, ProfileError } from './profile';
export type { ApiProfile, ProfileEndpoint, ProfilePagination, ResolvedEndpoint } from './profile';
export type { RetryPolicy } from './backoff';
export { checkFields, runProbe } from './probe';
export type { ProbeReport, ProbeResult, ProbeStatus } from './probe';
