/** Building request URLs from the (profile-resolved) map: path params encoded, empty query values dropped. */
import { fillPath } from './endpoints';
import type { QueryValue } from './contract';

/** `?a=1&b=x` from a record, leaving `undefined`/`null` out; order as given (stable cache keys sort separately). */
export function queryString(query: Record<string, QueryValue> | undefined, rename: Record<string, string> = {}): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    parts.push(`${encodeURIComponent(rename[name] ?? name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * Why a base URL cannot be used, or undefined. Never echoes the URL: what makes it unusable (a
 * `?key=…`, a `user:password@`) is often a secret, and this message reaches errors and logs.
 */
export function baseUrlProblem(baseUrl: string): string | undefined {
  if (/[?#]/.test(baseUrl)) return 'The Crego base URL must not carry a query string or a fragment';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(baseUrl))
    return 'The Crego base URL must not carry a user name or password: use a token or sign in instead';
  return undefined;
}

/** Base URL without a trailing slash, so `base + '/v1/…/'` keeps exactly the map's slashes. */
export function normaliseBaseUrl(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '');
}

export function buildUrl(
  baseUrl: string,
  pathTemplate: string,
  pathParams: Record<string, string | number> | undefined,
  query: Record<string, QueryValue> | undefined,
  queryRename?: Record<string, string>,
): string {
  return `${baseUrl}${fillPath(pathTemplate, pathParams ?? {})}${queryString(query, queryRename)}`;
}

/** Cache/coalescing key: environment + endpoint + path params + query sorted by name. */
export function requestKey(
  environment: string,
  endpoint: string,
  pathParams: Record<string, string | number> | undefined,
  query: Record<string, QueryValue> | undefined,
): string {
  const p = Object.entries(pathParams ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const q = Object.entries(query ?? {})
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => [k, String(v)])
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([environment, endpoint, p, q]);
}
