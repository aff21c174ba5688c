/**
 * Server settings from the environment (the only place the upstream origin comes from).
 *   PORT (3000), HOST (127.0.0.1), CREGO_BASE_URL (absent: the embedded sandbox), CREGO_TOKEN,
 *   CREGO_ENVIRONMENT (sandbox | preprod | production; the task pane labels and guards by it: default
 *   production, or sandbox for a loopback http URL), CREGO_PROXY_TIMEOUT_MS, CREGO_PROXY_MAX_BODY_BYTES, CREGO_SANDBOX_SEED.
 */
import { portFrom, resolveAddinOrigin } from './build/origin';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from './proxy';
import { displayUrl, transportProblem } from '../api/url';

export interface CregoUpstream {
  baseUrl: string;
  /** Added by the proxy to requests that carry no Authorization; never sent to the browser. */
  token?: string;
  environment: string;
}

export interface EnvSettings {
  port: number;
  host: string;
  /** Absent: start the sandbox in this process. */
  crego?: CregoUpstream;
  sandboxSeed?: number;
  timeoutMs: number;
  maxBodyBytes: number;
  /** ADDIN_ORIGIN when set: its pages may use /api besides https://<Host>. */
  addinOrigin?: string;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): EnvSettings {
  const settings: EnvSettings = {
    port: portFrom(env),
    host: env.HOST?.trim() || '127.0.0.1',
    timeoutMs: positiveInt(env, 'CREGO_PROXY_TIMEOUT_MS', DEFAULT_TIMEOUT_MS),
    maxBodyBytes: positiveInt(env, 'CREGO_PROXY_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
    ...(env.ADDIN_ORIGIN?.trim() ? { addinOrigin: resolveAddinOrigin(env) } : {}),
  };
  const baseUrl = env.CREGO_BASE_URL?.trim();
  if (baseUrl) {
    const checked = checkBaseUrl(baseUrl);
    const local = /^http:/.test(checked);
    settings.crego = { baseUrl: checked, token: env.CREGO_TOKEN?.trim() || undefined, environment: env.CREGO_ENVIRONMENT?.trim() || (local ? 'sandbox' : 'production') };
  } else if (env.CREGO_TOKEN) {
    throw new Error('CREGO_TOKEN is set but CREGO_BASE_URL is not: set CREGO_BASE_URL to the Crego API it belongs to (without it the embedded sandbox runs, with its own token).');
  }
  if (env.CREGO_SANDBOX_SEED) settings.sandboxSeed = positiveInt(env, 'CREGO_SANDBOX_SEED', 1);
  return settings;
}

/**
 * https anywhere; plain http only to this machine (a token must not cross a network in clear).
 * Messages show the URL without credentials or query (`displayUrl`): either may be a secret.
 */
export function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`CREGO_BASE_URL='${displayUrl(raw)}' is not a URL, e.g. https://api.crego.example`);
  }
  const problem = transportProblem(url.href);
  if (problem) throw new Error(`CREGO_BASE_URL: ${problem}.`);
  if (url.search || url.hash || url.username || url.password) throw new Error(`CREGO_BASE_URL='${displayUrl(raw)}' must not carry a query, fragment or credentials: give the token in CREGO_TOKEN.`);
  return url.href.replace(/\/+$/, '');
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}='${raw}' must be a positive whole number.`);
  return n;
}
