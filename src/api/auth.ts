/**
 * Where the bearer token comes from: a pasted token (trimmed, a pasted `Bearer ` prefix dropped), or a sign-in through the
 * map's `auth.login` with `access`/`refresh`/`expires_in`, renewed shortly before it expires.
 * Only one renewal is ever in flight: concurrent callers share it.
 *
 * Sign-in as docs.crego.ai documents it: an `Authorization: Basic base64(username:password)` header **and** the
 * JSON body `{username, password, type: "staff"}`. Lifetimes differ by product (900 s, 6.5 h, 24 h) and some answers
 * carry no `expires_in` (the OTP pair), so the expiry is `expires_in` when given, else the access token's own JWT
 * `exp` claim, else unknown: the token is used until the API refuses it, and the first 401 renews it.
 */
import { raceAbort } from './backoff';
import { CregoError } from './contract';
import { loginShapeOf, type ExpirySource, type LoginShape } from './platform';

export type { ExpirySource };
import type { TokenAnswer } from './types';

export interface AuthConfig {
  token?: string;
  username?: string;
  password?: string;
}

/** Sends one auth request (`auth.login` / `auth.refresh`) through the client core, with these extra headers. */
export type AuthPoster = (
  key: 'auth.login' | 'auth.refresh',
  body: unknown,
  signal?: AbortSignal,
  headers?: Record<string, string>,
) => Promise<TokenAnswer>;

interface Session {
  access: string;
  refresh?: string;
  /** ms since epoch when the access token stops working (Infinity: not known, renewed on the first 401). */
  expiresAt: number;
  /** ms of lifetime the server granted, to scale the renewal margin. */
  lifetimeMs: number;
  /** Where the expiry came from, for `crego doctor`. */
  expirySource: ExpirySource;
}


/** `Basic base64(username:password)`, UTF-8 (RFC 7617), without Node's Buffer so the task pane can use it. */
export function basicCredentials(username: string, password: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(`${username}:${password}`)) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * The `exp` claim (epoch seconds) of a JWT, or undefined when the token is not a JWT or has none.
 * Read only, never verified: the server checks the signature; the client only needs to know when to renew.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const payload = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as { exp?: unknown };
    return typeof payload?.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/** Renew when less than this share of the lifetime is left (capped at one minute). */
const RENEW_SHARE = 0.2;
const RENEW_MAX_MARGIN_MS = 60_000;

/**
 * What a bearer token may contain in an HTTP header: visible ASCII, no spaces (RFC 6750's b64token
 * is narrower still). Anything else (a line break pasted along, an inner space) cannot be sent.
 */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/** A pasted token as it must go on the wire: outer whitespace and a copied `Bearer ` prefix removed. */
export function normalisePastedToken(token: string | undefined): string | undefined {
  const t = token?.trim().replace(/^Bearer\s+/i, '');
  return t ? t : undefined;
}

export class TokenSource {
  private session?: Session;
  /** The pasted token, normalised (a copied line break would otherwise make the request unsendable). */
  private readonly pasted?: string;
  private renewing?: Promise<string>;
  /** Number of sign-ins and refreshes performed (tests and stats). */
  renewals = 0;

  constructor(
    private readonly config: AuthConfig,
    private readonly post: AuthPoster,
    private readonly now: () => number = Date.now,
  ) {
    this.pasted = normalisePastedToken(config.token);
  }

  /** True when the client can obtain a new token by itself (sign-in mode). */
  get canRenew(): boolean {
    return !this.pasted && !!this.config.username && this.config.password !== undefined;
  }

  get hasCredentials(): boolean {
    return !!this.pasted || this.canRenew;
  }

  /** Every secret this source knows, for redaction (the Basic credentials too, should a server echo them). */
  secrets(): string[] {
    const basic = this.canRenew ? basicCredentials(this.config.username as string, this.config.password as string).slice(6) : undefined;
    return [this.config.token, this.pasted, this.config.password, basic, this.session?.access, this.session?.refresh].filter(
      (s): s is string => !!s,
    );
  }

  /** What the last sign-in answer looked like (`crego doctor` tells the platform by it). */
  loginShape: LoginShape = 'none';

  /** Where the current session's expiry came from (undefined before the first sign-in, or with a pasted token). */
  get expirySource(): ExpirySource | undefined {
    return this.session?.expirySource;
  }

  /** The message a 401 surfaces with, depending on how the token was obtained. */
  get expiredMessage(): string {
    if (this.canRenew) return 'Session expired: sign in again';
    if (!this.pasted) return 'Not signed in: paste a Crego access token or sign in';
    return 'The access token was refused (expired or revoked): paste a new one';
  }

  /** A token valid for at least the renewal margin; signs in or refreshes when needed. */
  async token(signal?: AbortSignal): Promise<string | undefined> {
    if (this.pasted) {
      // Refused here, before anything is sent: a carrier would fail in a way that looks like a
      // lost connection (and a POST would be reported as unknown_outcome although it never left).
      if (!TOKEN_CHARS.test(this.pasted))
        throw new CregoError({
          kind: 'config',
          message: 'The access token contains spaces or characters a token cannot have: paste the token again, on its own',
        });
      return this.pasted;
    }
    if (!this.canRenew) return undefined;
    const s = this.session;
    if (s && s.expiresAt - this.now() > Math.min(RENEW_MAX_MARGIN_MS, s.lifetimeMs * RENEW_SHARE)) return s.access;
    return this.renew(signal);
  }

  /** After a 401: forget `rejected` so the next `token()` renews (once, however many callers saw the 401). */
  reject(rejected: string | undefined): void {
    if (this.session && this.session.access === rejected) this.session.expiresAt = 0;
  }

  private renew(signal?: AbortSignal): Promise<string> {
    // One renewal in flight at a time; it is not tied to any one caller's signal so a caller
    // giving up does not cancel the renewal the others are waiting on.
    if (!this.renewing) {
      this.renewing = this.doRenew().finally(() => {
        this.renewing = undefined;
      });
    }
    return signal ? raceAbort(this.renewing, signal) : this.renewing;
  }

  private async doRenew(): Promise<string> {
    const refresh = this.session?.refresh;
    if (refresh) {
      try {
        return this.adopt(await this.post('auth.refresh', { refresh }));
      } catch (err) {
        // A refused refresh token falls back to a fresh sign-in; anything else (network) surfaces.
        if (!(err instanceof CregoError && (err.kind === 'auth' || err.kind === 'validation'))) throw err;
      }
    }
    try {
      const { username, password } = this.config as { username: string; password: string };
      return this.adopt(
        await this.post('auth.login', { username, password, type: 'staff' }, undefined, {
          Authorization: basicCredentials(username, password),
        }),
      );
    } catch (err) {
      if (err instanceof CregoError && (err.kind === 'auth' || err.kind === 'validation'))
        throw new CregoError({
          kind: 'auth',
          status: err.status,
          requestId: err.requestId,
          endpoint: 'auth.login',
          message: 'Sign-in failed: check the username and password',
        });
      throw err;
    }
  }

  private adopt(answer: TokenAnswer): string {
    this.loginShape = loginShapeOf(answer);
    if (!answer || typeof answer.access !== 'string' || !answer.access)
      throw new CregoError({ kind: 'server', endpoint: 'auth.login', message: 'Sign-in answer carried no access token' });
    const now = this.now();
    const exp = jwtExpiry(answer.access);
    const [expirySource, expiresAt]: [ExpirySource, number] =
      Number(answer.expires_in) > 0
        ? ['expires_in', now + Number(answer.expires_in) * 1000]
        : // An `exp` already past means our clock and the server's disagree: renewing at once would loop.
          exp !== undefined && exp * 1000 > now
          ? ['jwt_exp', exp * 1000]
          : ['first_401', Infinity];
    this.session = {
      access: answer.access,
      refresh: typeof answer.refresh === 'string' ? answer.refresh : this.session?.refresh,
      expiresAt,
      lifetimeMs: expiresAt - now,
      expirySource,
    };
    this.renewals++;
    return answer.access;
  }
}
