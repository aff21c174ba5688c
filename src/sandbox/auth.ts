/**
 * Bearer tokens. A dev token (printed at start, or CREGO_SANDBOX_TOKEN) never expires; the
 * documented login / refresh pair issues short-lived access tokens (tokenTtlSeconds, default
 * 900 s as in Crego's example) and single-use refresh tokens (24 h).
 */
import { randomBytes } from 'node:crypto';
import { HttpError } from './errors';

const REFRESH_TTL_SECONDS = 86_400;

export class Auth {
  private readonly access = new Map<string, number>();
  private readonly refresh = new Map<string, number>();

  constructor(
    readonly devToken: string,
    private readonly ttlSeconds: number,
    private readonly username: string,
    private readonly password: string,
  ) {}

  static newToken(prefix: string): string {
    return `${prefix}_${randomBytes(24).toString('base64url')}`;
  }

  /** Throws 401 unless the Authorization header carries a live token. */
  check(header: string | undefined): void {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) throw new HttpError(401, 'not_authenticated', 'Authentication credentials were not provided: send Authorization: Bearer <token>.', undefined, undefined, { 'WWW-Authenticate': 'Bearer' });
    const token = m[1];
    if (token === this.devToken) return;
    const exp = this.access.get(token);
    if (exp === undefined) throw new HttpError(401, 'token_not_valid', 'The bearer token is not valid; sign in again.', undefined, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    if (exp <= Date.now()) {
      this.access.delete(token);
      throw new HttpError(401, 'token_expired', 'The access token has expired; refresh it or sign in again.', undefined, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
  }

  private issue() {
    const access = Auth.newToken('sbx');
    const refresh = Auth.newToken('sbxr');
    this.access.set(access, Date.now() + this.ttlSeconds * 1000);
    this.refresh.set(refresh, Date.now() + REFRESH_TTL_SECONDS * 1000);
    return {
      access,
      refresh,
      expires_in: this.ttlSeconds,
      token_type: 'Bearer',
      user: { id: 'sandbox-user-0001', username: this.username, email: `${this.username}@sandbox.crego.local`, first_name: 'Demo', last_name: 'User', type: 'staff' },
    };
  }

  /** POST /auth/login/: JSON {username, password} or an Authorization: Basic header. */
  login(body: unknown, authorization: string | undefined) {
    let user: unknown;
    let pass: unknown;
    const b = (body ?? {}) as Record<string, unknown>;
    if (b.username !== undefined || b.password !== undefined) {
      user = b.username;
      pass = b.password;
    } else {
      const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
      if (m) {
        const text = Buffer.from(m[1], 'base64').toString('utf8');
        const i = text.indexOf(':');
        user = text.slice(0, i);
        pass = text.slice(i + 1);
      }
    }
    if (typeof user !== 'string' || typeof pass !== 'string' || !user || !pass) {
      throw new HttpError(400, 'invalid', 'Send {"username", "password", "type": "staff"}.', {
        ...(typeof user === 'string' && user ? {} : { username: ['This field is required.'] }),
        ...(typeof pass === 'string' && pass ? {} : { password: ['This field is required.'] }),
      });
    }
    if (user !== this.username || pass !== this.password) throw new HttpError(401, 'authentication_failed', 'Wrong username or password.');
    return this.issue();
  }

  /** POST /auth/tokens/refresh/: a live refresh token buys a new pair (the old one is spent). */
  refreshTokens(body: unknown) {
    const token = (body as Record<string, unknown> | null)?.refresh;
    if (typeof token !== 'string' || !token) throw new HttpError(400, 'invalid', 'Send {"refresh": "<refresh token>"}.', { refresh: ['This field is required.'] });
    const exp = this.refresh.get(token);
    if (exp === undefined || exp <= Date.now()) {
      this.refresh.delete(token);
      throw new HttpError(401, 'token_not_valid', 'The refresh token is not valid or has expired; sign in again.');
    }
    this.refresh.delete(token);
    return this.issue();
  }

  ping() {
    return { status: 'ok', user: this.username };
  }
}
