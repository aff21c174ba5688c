/**
 * Which of Crego's two platforms a connection looks like (more-facts-2026.md), for `crego doctor`: the
 * first serves the documented `/v1/lms/…` API at api.crego.io; the newer serves tenants at
 * `<tenant>.crego.ai` under `/api`, and its documented login answers `{access, refresh, expires_in,
 * token_type, user}` where the first platform's token pairs carry `{access, refresh}` alone.
 * A guess from what the client can see, said as such; the settings that differ stay profile settings.
 */
import type { ApiSettings } from './settings';

/** How the client learnt when a signed-in token expires. */
export type ExpirySource = 'expires_in' | 'jwt_exp' | 'first_401';

export type Platform = 'first' | 'newer' | 'unknown';
/** What the sign-in answer looked like: docs.crego.ai's (with `user`/`token_type`), a bare token pair, or none (a pasted token). */
export type LoginShape = 'documented' | 'token_pair' | 'none';

export function loginShapeOf(answer: unknown): LoginShape {
  if (!answer || typeof answer !== 'object') return 'none';
  const a = answer as Record<string, unknown>;
  return 'user' in a || 'token_type' in a ? 'documented' : 'token_pair';
}

export interface PlatformReport {
  platform: Platform;
  /** Why, in words. */
  reasons: string[];
}

export function guessPlatform(baseUrl: string, login: LoginShape): PlatformReport {
  const reasons: string[] = [];
  let newer = 0;
  let first = 0;
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    // a relative base (the pane's /api) says nothing about the platform
  }
  if (url) {
    if (/\.crego\.ai$/i.test(url.hostname)) (newer++, reasons.push(`host ${url.hostname} is a <tenant>.crego.ai host (newer platform)`));
    if (/(^|\.)api\.crego\.io$/i.test(url.hostname)) (first++, reasons.push(`host ${url.hostname} is api.crego.io (first platform)`));
    if (/\/api\/?$/.test(url.pathname)) (newer++, reasons.push('the base URL ends in /api (newer platform)'));
  }
  if (login === 'documented') (newer++, reasons.push("sign-in answered with docs.crego.ai's shape (user, token_type): newer platform"));
  if (login === 'token_pair') (first++, reasons.push('sign-in answered with a bare access/refresh pair: first platform'));
  const platform: Platform = newer > first ? 'newer' : first > newer ? 'first' : 'unknown';
  if (!reasons.length) reasons.push('nothing in the base URL or the sign-in tells');
  return { platform, reasons };
}

/** The lines `crego doctor` prints about the platform and the settings that differ between the two. */
export function platformLines(baseUrl: string, login: LoginShape, expiry: ExpirySource | undefined, settings: ApiSettings): string[] {
  const p = guessPlatform(baseUrl, login);
  const expiryText = { expires_in: 'from expires_in', jwt_exp: "from the token's JWT exp claim", first_401: 'unknown: renewed on the first 401' };
  return [
    `Platform: ${p.platform === 'unknown' ? 'cannot tell' : `${p.platform} (a guess)`}: ${p.reasons.join('; ')}`,
    `  sign-in: ${login === 'none' ? 'pasted token (no sign-in)' : `Basic header + JSON body; token expiry ${expiry ? expiryText[expiry] : 'not known yet'}`}`,
    `  utrScope ${settings.utrScope} (${settings.utrScope === 'tenant' ? 'a UTR is unique across the tenant: newer platform' : 'a UTR is unique per account'}); ` +
      `businessDateEncoding ${settings.businessDateEncoding} (${settings.businessDateEncoding === 'start_of_day' ? '00:00 IST' : '23:59:59.999999 IST'}; either is read); ` +
      'X-Timezone: Asia/Kolkata on every request; pending/rejected payments followed by the push',
  ];
}
