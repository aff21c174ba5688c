import { describe, expect, it } from 'vitest';
import type { CregoError } from '../../src/api/contract';
import type { ClientLogEvent, CregoHttpClient } from '../../src/api/client';
import { CARRIERS, closeAfterEach, json, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'pw-very-secret-42';

/** An unsigned JWT (the client only reads `exp`; the server would check the signature). */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

/**
 * A SimpleJWT-like auth server: login and refresh issue numbered tokens; `revoke()` makes the current access token fail.
 * `expiresIn: null` leaves `expires_in` out of the answer (as Crego's OTP pair does); `jwtTtl` makes each access token
 * a JWT whose `exp` is that many seconds ahead, and refused after it.
 */
async function authServer(expiresIn: number | null = 900, jwtTtl?: number) {
  let issued = 0;
  const valid = new Set<string>();
  const refreshTokens = new Set<string>();
  const counts = { login: 0, refresh: 0, api: 0, unauthorized: 0 };
  const expiry = new Map<string, number>();
  let refuseApi = false;
  const issue = (res: Parameters<typeof json>[0]) => {
    issued++;
    const exp = jwtTtl === undefined ? undefined : Date.now() / 1000 + jwtTtl;
    const access = exp === undefined ? `access-${issued}-abcdef` : jwt({ token_type: 'access', exp, n: issued });
    const refresh = `refresh-${issued}-abcdef`;
    valid.add(access);
    if (exp !== undefined) expiry.set(access, exp);
    refreshTokens.add(refresh);
    json(res, 200, { access, refresh, ...(expiresIn === null ? {} : { expires_in: expiresIn }), ...(exp === undefined ? { token_type: 'Bearer', user: { id: 'u1', username: 'demo', email: '', first_name: '', last_name: '', type: 'staff' } } : {}) });
  };
  const server = await startTestServer((req, res) => {
    if (req.url === '/auth/login/') {
      counts.login++;
      const body = JSON.parse(req.body);
      if (body.username !== 'demo' || body.password !== PASSWORD || body.type !== 'staff')
        return json(res, 401, { detail: `Invalid credentials for ${body.password}`, code: 'auth' });
      return issue(res);
    }
    if (req.url === '/auth/tokens/refresh/') {
      counts.refresh++;
      const { refresh } = JSON.parse(req.body);
      if (!refreshTokens.has(refresh)) return json(res, 401, { detail: 'Token is invalid or expired', code: 'token_not_valid' });
      refreshTokens.delete(refresh);
      return issue(res);
    }
    counts.api++;
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (refuseApi || !valid.has(token) || (expiry.get(token) ?? Infinity) * 1000 <= Date.now()) {
      counts.unauthorized++;
      return json(res, 401, { detail: 'Given token not valid', code: 'token_not_valid' });
    }
    json(res, 200, { ok: true, token_seen: expiry.has(token) ? String(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).n) : token.split('-')[1] });
  });
  return {
    server,
    counts,
    revokeAll: () => valid.clear(),
    revokeRefresh: () => refreshTokens.clear(),
    /** Every API call is refused from now on although sign-in works (e.g. the user lost access). */
    refuseApi: () => (refuseApi = true),
  };
}

describe.each(CARRIERS)('auth over %s', (_carrier, make) => {
  let server: TestServer | undefined, client: CregoHttpClient | undefined;
  closeAfterEach(() => [client, server], () => (client = server = undefined));

  it('signs in once for many concurrent first calls, with the Basic header and {username, password, type: staff}', async () => {
    const a = await authServer();
    server = a.server;
    client = make({ baseUrl: server.url, username: 'demo', password: PASSWORD });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => client!.call('records.get', { path: { id: `r${i}` } })));
    expect(answers.every((x) => (x as unknown as { ok: boolean }).ok)).toBe(true);
    expect(a.counts.login).toBe(1);
    expect(JSON.parse(server.requests[0].body)).toEqual({ username: 'demo', password: PASSWORD, type: 'staff' });
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`demo:${PASSWORD}`).toString('base64')}`);
    // The Basic credentials go to the sign-in only; API calls carry the bearer token.
    expect(server.requests.slice(1).every((r) => String(r.headers.authorization).startsWith('Bearer '))).toBe(true);
    // Every request, sign-in included, names India's zone (the newer platform renders date-times in it).
    expect(server.requests.map((r) => r.headers['x-timezone'])).toEqual(server.requests.map(() => 'Asia/Kolkata'));
  });

  it('without expires_in, renews before the JWT exp claim instead of waiting for a 401', async () => {
    const a = await authServer(null, 1); // 1-second JWTs, no expires_in in the answer
    server = a.server;
    client = make({ baseUrl: server.url, username: 'demo', password: PASSWORD });
    await client.call('records.get', { path: { id: 'a' } });
    await new Promise((r) => setTimeout(r, 900));
    await expect(client.call('records.get', { path: { id: 'b' } })).resolves.toMatchObject({ token_seen: '2' });
    expect(a.counts.refresh).toBe(1);
    expect(a.counts.unauthorized).toBe(0);
  });

  it('with neither expires_in nor a JWT exp, keeps the token until the first 401, then renews once and carries on', async () => {
    const a = await authServer(null);
    server = a.server;
    client = make({ baseUrl: server.url, username: 'demo', password: PASSWORD });
    await client.call('records.get', { path: { id: 'a' } });
    await client.call('records.get', { path: { id: 'b' } });
    expect(a.counts).toMatchObject({ login: 1, refresh: 0 });
    a.revokeAll();
    await expect(client.call('records.get', { path: { id: 'c' } })).resolves.toMatchObject({ token_seen: '2' });
    expect(a.counts).toMatchObject({ login: 1, refresh: 1, unauthorized: 1 });
  });

  it('a 401 under concurrent calls triggers exactly one refresh, then every call succeeds', async () => {
    const a = await authServer();
    server = a.server;
    client = make({ baseUrl: server.url, username: 'demo', password: PASSWORD });
    await client.call('records.get', { path: { id: 'warm' } });
    a.revokeAll(); // the server forgets the access token (e.g. rotated keys)
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client!.call('records.get', { path: { id: `x${i}` } })),
    );
    expect(answers.every((x) => (x as unknown as { token_seen: string }).token_seen === '2')).toBe(true);
    expect(a.counts.refresh).toBe(1);
    expect(a.counts.login).toBe(1);
    expect(client.stats().tokenRenewals).toBe(2);
  });

  it('refreshes shortly before expiry, without waiting for a 401', async () => {
    const a = await authServer(1); // 1-second tokens: renewed when less than 20% is left
    server = a.server;
    client = make({ baseUrl: server.url, username: 'demo', password: PASSWORD });
    await client.call('records.get', { path: { id: 'a' } });
    await new Promise((r) => setTimeout(r, 900));
    await client.call('records.get', { path: { id: 'b' } });
    expect(a.counts.refresh).toBe(1);
    expect(a.counts.unauthorized).toBe(0);
  });

  it('falls back to a fresh sign-in when the refresh token is refused', async () => {
    const a = await authServer();
    server = a.server;
    client = make({ baseUrl: server.url, username: 'demo', password: PASSWORD });
    await client.call('records.get', { path: { id: 'a' } });
    a.revokeAll();
    a.revokeRefresh();
    await expect(client.call('records.get', { path: { id: 'b' } })).resolves.toMatchObject({ ok: true });
    expect(a.counts).toMatchObject({ login: 2, refresh: 1 });
  });

  it('surfaces auth "Session expired: sign in again" when the renewed token is refused too', async () => {
    const a = await authServer();
    server = a.server;
    const events: ClientLogEvent[] = [];
    client = make({ baseUrl: server.url, username: 'demo', password: PASSWORD, log: (e) => events.push(e) });
    await client.call('records.get', { path: { id: 'a' } });
    a.refuseApi();
    const err = (await client.call('records.get', { path: { id: 'b' } }).catch((e) => e)) as CregoError;
    expect(err).toMatchObject({ kind: 'auth', status: 401, message: 'Session expired: sign in again' });
    expect(a.counts.refresh).toBe(1);
    const text = JSON.stringify(events);
    expect(text).not.toMatch(/access-\d|refresh-\d|pw-very-secret/);
    for (const r of server.requests) expect(r.url).not.toMatch(/access-|refresh-|pw-very/);
  });

  it('reports a wrong password as a failed sign-in without echoing the password', async () => {
    const a = await authServer();
    server = a.server;
    client = make({ baseUrl: server.url, username: 'demo', password: 'wrong-password-99' });
    const err = (await client.call('records.get', { path: { id: 'a' } }).catch((e) => e)) as CregoError;
    expect(err).toMatchObject({ kind: 'auth', message: 'Sign-in failed: check the username and password' });
    expect(err.message).not.toContain('wrong-password-99');
    expect(a.counts.api).toBe(0);
  });

  it('sends a pasted token as copied from a terminal or a header (trailing line break, "Bearer " prefix) as the bare token', async () => {
    server = await startTestServer((req, res) => json(res, 201, { id: 'r1', auth: req.headers.authorization }));
    for (const pasted of ['tok-pasted-123456\n', '  Bearer tok-pasted-123456  ']) {
      client = make({ baseUrl: server.url, token: pasted });
      await expect(client.call('records.create', { body: { account: 'a1' } })).resolves.toEqual({ id: 'r1', auth: 'Bearer tok-pasted-123456' });
      await client.close();
    }
    client = undefined;
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a pasted token that cannot go in a header before sending anything: config, not unknown_outcome', async () => {
    server = await startTestServer((_req, res) => json(res, 201, { id: 'r1' }));
    client = make({ baseUrl: server.url, token: 'tok-first-half\ntok-second-half' });
    const err = await client.call('records.create', { body: { account: 'a1' } }).then(
      () => undefined,
      (e: CregoError) => e,
    );
    expect(err).toMatchObject({ kind: 'config', message: expect.stringContaining('paste the token again') });
    expect(err!.message).not.toContain('tok-first-half');
    expect(server.requests).toHaveLength(0);
  });
});
