/** Building request URLs from the (profile-resolved) map: path params encoded, empty query values dropped. */
import { fillPath } from './endpoints';
import type { QueryValue } from './contract';

/** `?a=1&b=x` from a record, leaving `undefined`/`null` out; order as given (request keys sort, see below). */
export function queryString(query: Record<string, QueryValue> | undefined, rename: Record<string, string> = {}): string {
  const text = pairs(query, rename, false);
  return text ? `?${text}` : '';
}

/** `a=1&b=x` from the defined values, names renamed (and sorted when asked), names and values URI-encoded. */
function pairs(record: Record<string, QueryValue> | undefined, rename: Record<string, string>, sorted: boolean): string {
  if (record === undefined) return '';
  const names = Object.keys(record);
  if (sorted && names.length > 1) names.sort();
  let out = '';
  for (const name of names) {
    const value = record[name];
    if (value === undefined || value === null) continue;
    out += `${out ? '&' : ''}${encodeURIComponent(rename[name] ?? name)}=${encodeURIComponent(String(value))}`;
  }
  return out;
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

/**
 * A URL as it may be shown in a message or a log: scheme, host, port and path only. A
 * `user:password@` or a query (`?api_key=…`) is often a secret, so neither is ever echoed.
 */
export function displayUrl(raw: string): string {
  const text = raw.trim();
  try {
    const url = new URL(text);
    if (url.host) return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    // not a URL: cut what could be a secret by hand
  }
  return text.replace(/[?#].*$/s, '').replace(/^([^/]*:\/\/)?[^/]*@/, '$1');
}

/** This machine: a token sent here in clear crosses no network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Why a token must not be sent to this base URL, or undefined: plain http is accepted only to
 * this machine (the sandbox), since a bearer token in clear can be read by anyone on the path.
 * A relative base (`/api`, the add-in's own https origin) is fine.
 */
export function transportProblem(baseUrl: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(baseUrl.trim());
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'https') return undefined;
  const shown = displayUrl(baseUrl);
  if (scheme !== 'http') return `The Crego base URL must start with https:// (got ${shown})`;
  const hostname = m[2]!.replace(/^[^@]*@/, '').replace(/:\d*$/, '');
  if (isLoopbackHost(hostname)) return undefined;
  return `The Crego base URL ${shown} uses plain http to another machine, which would send the token unencrypted: use https:// (plain http is accepted only for localhost)`;
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

/**
 * The one request key, for every cache and dedupe map (the client's cache and coalescing, the formula
 * batcher's cache and pending fetches): the scope (the client's environment, or the batcher's
 * connection), the endpoint, whether every page is walked, path and query values with names sorted and
 * undefined/null left out, and a calculation's body with its keys sorted. Plain string building: a
 * wave keys thousands of cells. Values are URI-encoded and the scope JSON-quoted, so no value can forge
 * a separator.
 */
export function requestKey(
  scope: string,
  endpoint: string,
  pathParams: Record<string, string | number> | undefined,
  query: Record<string, QueryValue> | undefined,
  extra: { all?: boolean; body?: unknown } = {},
): string {
  const key = `${JSON.stringify(scope)}|${endpoint}|${extra.all ? 'all' : 'one'}|${pairs(pathParams, {}, true)}?${pairs(query, {}, true)}`;
  return extra.body === undefined ? key : `${key}|${stableJson(extra.body)}`;
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
