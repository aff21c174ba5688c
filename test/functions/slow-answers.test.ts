/**
 * Slow answers don't sink healthy cells. With a fifth of the answers trickling out, a request that holds
 * a connection slot past its own timeout is given up and its slot goes to the next fetch: only the cells
 * that waited on it fail ("did not answer in time"), and every other cell gets its value. Before, the
 * trickles kept the slots and the healthy cells queued behind them reached their own stop and failed too.
 * (Times are scaled down: a 10 s cell stop for the 60 s one, 30 s trickles, a 2 s request timeout; the
 * bounds leave room for a loaded machine.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as CREGO from '../../src/functions/functions';
import { invocation } from './custom-functions-stub';
import { bootPortfolio, useRuntime, type Portfolio } from './helpers';

let p: Portfolio;
beforeAll(async () => {
  p = await bootPortfolio({ accounts: 150 });
});
afterAll(async () => p?.sandbox.close());

describe('slow answers', () => {
  it('20 % of answers trickling: only their cells fail; every other cell answers', async () => {
    const ids = p.termAccounts.slice(0, 100);
    const { runtime } = useRuntime(null, { batcher: { timeoutMs: 10_000, requestTimeoutMs: 2_000 } });
    runtime.configure({ baseUrl: p.sandbox.url, token: p.sandbox.token, environment: 'sandbox', concurrency: 6 });
    p.sandbox.setFaults('slow=0.2,slow_ms=30000,seed=5');
    p.sandbox.resetStats();
    const cells = await Promise.allSettled(ids.map((id) => CREGO.summary([[id]], [['dpd']], 0, false, invocation())));
    p.sandbox.setFaults({});
    const failed = cells.filter((c) => c.status === 'rejected');
    const answered = cells.filter((c) => c.status === 'fulfilled');
    // About a fifth trickled (seeded); at most those cells fail, all with the timeout message.
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThanOrEqual(35);
    expect(answered.length).toBeGreaterThanOrEqual(65);
    for (const f of failed) expect(String((f as PromiseRejectedResult).reason?.message)).toMatch(/did not answer in time/);
    expect(runtime.status().cache.sent).toBe(ids.length);
  }, 60_000);
});
