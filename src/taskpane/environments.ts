/**
 * Where the pane connects. The add-in server proxies `/api` to one configured Crego (the embedded
 * sandbox by default), which avoids CORS; an environment the server proxies defaults to `/api`.
 * The public Crego URLs are not documented; the defaults below are placeholders a person can edit
 * (Custom URL), recorded in the README, "The task pane".
 */
import type { ServerConfig } from '../excel/serverConfig';

export type EnvironmentId = 'sandbox' | 'preprod' | 'production' | 'custom';

export interface EnvironmentPreset {
  id: EnvironmentId;
  label: string;
  /** Used when the server does not proxy this environment. */
  defaultUrl: string;
}

export const ENVIRONMENTS: readonly EnvironmentPreset[] = [
  { id: 'sandbox', label: 'Sandbox', defaultUrl: '/api' },
  { id: 'preprod', label: 'Preprod', defaultUrl: 'https://preprod-api.crego.io' },
  { id: 'production', label: 'Production', defaultUrl: 'https://api.crego.io' },
  { id: 'custom', label: 'Custom URL', defaultUrl: '' },
];

/** The base URL an environment uses: the server's proxy when it serves that environment. */
export function defaultBaseUrl(env: EnvironmentId, server: ServerConfig | null): string {
  if (server && env !== 'custom' && server.environment === env) return server.apiBase;
  const preset = ENVIRONMENTS.find((e) => e.id === env)?.defaultUrl ?? '';
  // The Sandbox preset means this server's proxy; when the server proxies another Crego (say
  // Production), "Sandbox" must not quietly point there: the person types the sandbox's URL.
  if (server && preset === server.apiBase) return '';
  return preset;
}

/**
 * Production is whatever is labelled production, or any other choice whose URL is Production's
 * (the preset's URL typed as a Custom URL, or the server's proxy when the server says it proxies
 * production). URLs compare resolved against the page, so `/api` and `https://host/api` are one API.
 */
export function isProduction(
  env: EnvironmentId,
  baseUrl: string,
  server: ServerConfig | null,
  pageUrl: string = (globalThis as { location?: { href?: string } }).location?.href ?? 'https://addin.invalid/' /* only resolves relative URLs; never contacted */,
): boolean {
  if (env === 'production') return true;
  const target = resolveApi(baseUrl, pageUrl);
  if (target === null) return false;
  if (target === resolveApi(ENVIRONMENTS.find((e) => e.id === 'production')!.defaultUrl, pageUrl)) return true;
  return server?.environment === 'production' && target === resolveApi(server.apiBase, pageUrl);
}

function resolveApi(url: string, pageUrl: string): string | null {
  try {
    return new URL(url.trim(), pageUrl).href.replace(/\/+$/, '').toLowerCase();
  } catch {
    return null;
  }
}

/** A base URL the client can use: `/api`-style paths on this origin, or an https URL (http only for loopback). */
export function checkBaseUrl(url: string): string | null {
  const u = url.trim();
  if (u === '') return 'Enter the API base URL (for example https://api.example.com).';
  if (u.startsWith('/')) return null;
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return `"${u}" is not a URL. Use https://host or a path on this server such as /api.`;
  }
  const loopback = parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1';
  if (parsed.protocol !== 'https:' && !(loopback && parsed.protocol === 'http:')) {
    return 'Use https:// (plain http is allowed only for localhost).';
  }
  return null;
}
