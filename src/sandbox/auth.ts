/**
 * Bearer tokens. A dev token (printed at start, or CREGO_SANDBOX_TOKEN) never expires; the
 * documented login / refresh pair issues short-lived access tokens (tokenTtlSeconds, default
 * 900 s as in Crego's example) and single-use refresh tokens (24 h). A second, read-only user
 * (`viewer` / `viewer`) exists so a 403 can be seen: its tokens may only read.
 */
import { randomBytes } from 'node:crypto';
import { HttpError } from './errors';

const REFRESH_TTL_SECONDS = 86_400;
const VIEWER = 'viewer';

export type Role = 'staff' | 'viewer';

export class Auth {
  private readonly access = new Map<string, { exp: number; role: Role }>();
  private readonly refresh = new Map<string, { exp: number; role: Role }>();

  constructor(
    readonly devToken: string,
    private readonly ttlSeconds: number,
    private readonly username: string,
    private readonly password: string,
  ) {}

  static newToken(prefix: string): string {
    return `${prefix}_${randomBytes(24).toString('base64url')}`;
  }

  /** Throws 401 unless the Authorization header carries a live token; returns the token's role. */
  check(header: string | undefined): Role {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) throw new HttpError(401, 'not_authenticated', 'Authentication credentials were not provided: send Authorization: Bearer <token>.', undefined, undefined, { 'WWW-Authenticate': 'Bearer' });
    const token = m[1];
    if (token === this.devToken) return 'staff';
    const entry = this.access.get(token);
    if (entry === undefined) throw new HttpError(401, 'token_not_valid', 'The bearer token is not valid; sign in again.', undefined, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    if (entry.exp <= Date.now()) {
      this.access.delete(token);
      throw new HttpError(401, 'token_expired', 'The access token has expired; refresh it or sign in again.', undefined, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    return entry.role;
  }

  private issue(role: Role) {
    const access = Auth.newToken('sbx');
    const refresh = Auth.newToken('sbxr');
    this.access.set(access, { exp: Date.now() + this.ttlSeconds * 1000, role });
    this.refresh.set(refresh, { exp: Date.now() + REFRESH_TTL_SECONDS * 1000, role });
    const username = role === 'viewer' ? VIEWER : this.username;
    return {
      access,
      refresh,
      expires_in: this.ttlSeconds,
      token_type: 'Bearer',
      user: { id: `sandbox-${role}-0001`, username, email: `${username}@sandbox.crego.local`, first_name: 'Demo', last_name: role === 'viewer' ? 'Viewer' : 'User', type: 'staff' },
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
    if (user === this.username && pass === this.password) return this.issue('staff');
    if (user === VIEWER && pass === VIEWER) return this.issue('viewer');
    throw new HttpError(401, 'authentication_failed', 'Wrong username or password.');
  }

  /** POST /auth/tokens/refresh/: a live refresh token buys a new pair (the old one is spent). */
  refreshTokens(body: unknown) {
    const token = (body as Record<string, unknown> | null)?.refresh;
    if (typeof token !== 'string' || !token) throw new HttpError(400, 'invalid', 'Send {"refresh": "<refresh token>"}.', { refresh: ['This field is required.'] });
    const entry = this.refresh.get(token);
    if (entry === undefined || entry.exp <= Date.now()) {
      this.refresh.delete(token);
      throw new HttpError(401, 'token_not_valid', 'The refresh token is not valid or has expired; sign in again.');
    }
    this.refresh.delete(token);
    return this.issue(entry.role);
  }

  ping() {
    return { status: 'ok', user: this.username };
  }
}
