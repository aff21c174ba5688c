/**
 * The sandbox's `--rate-limit N` (token bucket per token, 429 + Retry-After in seconds) and
 * `--http2` (HTTPS with HTTP/2, HTTP/1.1 fallback), as startSandbox options and CLI flags.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/commands/sandbox';
import { retryAfterSeconds, TokenBuckets } from '../../src/sandbox/rate-limit';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { h2Call, httpsCall, testTls } from '../server/helpers';

describe('token bucket', () => {
  it('lets a burst of N through, then one request per 1/N s, per token', () => {
    let now = 0;
    const buckets = new TokenBuckets(2, () => now);
    expect([buckets.take('a'), buckets.take('a')]).toEqual([0, 0]);
    expect(buckets.take('a')).toBeCloseTo(0.5);
    expect(buckets.take('b')).toBe(0); // another token has its own bucket
    now += 500;
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBeCloseTo(0.5);
    now += 10_000; // a long pause refills to one second's worth, no more
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a') > 0]).toEqual([0, 0, true]);
    expect([retryAfterSeconds(0.005), retryAfterSeconds(1), retryAfterSeconds(1.2)]).toEqual([1, 1, 2]);
    expect(() => new TokenBuckets(0)).toThrow(/positive/);
  });
});

describe('the sandbox with --rate-limit and --http2', () => {
  const running: RunningSandbox[] = [];
  afterAll(async () => {
    for (const s of running) await s.close();
  });

  it('refuses past the rate per token with 429 and Retry-After in seconds, before any work', async () => {
    // 0.2 a second: the first request passes, the next ones wait 5 s, however slow this machine is.
    const sb = await startSandbox({ accounts: 5, rateLimit: 0.2, quiet: true });
    running.push(sb);
    const get = (token: string) => fetch(`${sb.url}/v1/lms/loans/`, { headers: { Authorization: `Bearer ${token}` } });
    const replies = [await get(sb.token), await get(sb.token), await get(sb.token)];
    expect(replies.map((r) => r.status)).toEqual([200, 429, 429]);
    const retry = Number(replies[1]!.headers.get('retry-after'));
    expect(Number.isInteger(retry) && retry >= 1 && retry <= 5).toBe(true);
    expect(await replies[1]!.json()).toMatchObject({ code: 'throttled' });
    // Another token's bucket is its own (this one is then refused by sign-in, not by the limit).
    expect((await get('someone-else')).status).toBe(401);
    expect(sb.stats().rateLimited).toBe(2);
    expect(parseArgs(['--rate-limit', '200'])).toMatchObject({ rateLimit: 200 });
    expect(parseArgs(['--rate-limit', '0'])).toMatch(/--rate-limit must be/);
  });

  it('serves HTTPS with HTTP/2 (and HTTP/1.1 to clients without h2) with --http2', async () => {
    const tls = await testTls();
    const sb = await startSandbox({ accounts: 5, http2: { cert: tls.cert, key: tls.key }, quiet: true });
    running.push(sb);
    expect(sb.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const url = sb.url.replace('127.0.0.1', 'localhost');
    const h2 = await h2Call(`${url}/v1/lms/loans/?page_size=2`, tls.ca, { headers: { authorization: `Bearer ${sb.token}` } });
    expect(h2).toMatchObject({ status: 200, alpn: 'h2' });
    expect((JSON.parse(h2.body) as { results: unknown[] }).results).toHaveLength(2);
    const h1 = await httpsCall(`${url}/v1/lms/loans/?page_size=2`, tls.ca, { headers: { Authorization: `Bearer ${sb.token}` } });
    expect(h1.status).toBe(200);
    expect(parseArgs(['--http2'])).toMatchObject({ http2: true });
  });
});
