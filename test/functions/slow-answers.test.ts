/**
 * Slow answers don't sink healthy cells. With a fifth of the answers trickling out, a request that holds
 * a connection slot past its own timeout is given up and its slot goes to the next fetch: only the cells
 * that waited on it fail ("did not answer in time"), and every other cell gets its value. Before, the
 * trickles kept the slots and the healthy cells queued behind them reached their own stop and failed too.
 * (Times are scaled down: a 10 s cell stop for the 60 s one, 30 s trickles, a 2 s request timeout; the
 * bounds leave room for a loaded machine.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeClient } from '../../src/api/node';
import * as CREGO from '../../src/functions/functions';
import { invocation } from './custom-functions-stub';
import { bootPortfolio, useRuntime, type Portfolio } from './helpers';

let p: Portfolio;
beforeAll(async () => {
  p = await bootPortfolio({ accounts: 300 });
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

  it('the cell stop counts from when the request goes out, not from the queue: 200 cells, a fifth trickling, only the given-up requests\' cells fail', async () => {
    // The case, times scaled: a 3 s cell stop for the 60 s one, a 1 s request timeout for the 10 s
    // one, trickles of 30 s. Six slots drain forty 1 s trickles in about 7 s, so a stop counted from the
    // cell's call failed healthy cells still in the queue; counted from their request, none.
    const ids = [...p.termAccounts, ...p.creditLines].slice(0, 200);
    expect(ids).toHaveLength(200);
    const givenUp = new Set<string>();
    const client = createNodeClient({
      baseUrl: p.sandbox.url, token: p.sandbox.token, environment: 'sandbox', concurrency: 6, retry: { retries: 0 },
      log: (event) => {
        if (event.outcome === 'error' && event.kind === 'timeout') givenUp.add(accountIn(event.url));
      },
    });
    const { runtime } = useRuntime(null, { batcher: { timeoutMs: 3_000, requestTimeoutMs: 1_000 } });
    runtime.configure({ client });
    p.sandbox.setFaults('slow=0.2,slow_ms=30000,seed=5');
    p.sandbox.resetStats();
    const cells = await Promise.allSettled(ids.map((id) => CREGO.summary([[id]], [['dpd']], 0, false, invocation())));
    p.sandbox.setFaults({});
    await client.close();
    const failedIds = ids.filter((_, i) => cells[i]!.status === 'rejected');
    expect(givenUp.size).toBeGreaterThan(0);
    // Every cell whose request answered shows its value; the cells that fail are exactly those whose request was given up.
    expect(failedIds.filter((id) => !givenUp.has(id))).toEqual([]);
    expect(failedIds.length).toBe(givenUp.size);
    expect(runtime.status().cache.sent).toBe(ids.length);
  }, 120_000);
});

/** The account of a Get Summary request's path, as the client logs it. */
function accountIn(url: string): string {
  return decodeURIComponent(/\/accounts\/([^/]+)\/summary\//.exec(url)?.[1] ?? url);
}
