/**
 * LIVE against the sandbox: first values at once, then one shared poll loop that batches every due
 * cell per tick (one request per account), honours the 30 s floor, shows new data, and stops when
 * the last cell is cancelled. The clock is driven by hand, so nothing waits 30 seconds.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNodeClient } from '../../src/api/node';
import { isoDateToEpoch } from '../../src/api/dates';
import { roundMoney, sumMoney } from '../../src/api/money';
import type { AccountSummary } from '../../src/api/types';
import * as CREGO from '../../src/functions/functions';
import { streamingInvocation, StubCustomFunctionError } from './custom-functions-stub';
import { bootPortfolio, nextTurn, requestsTo, useRuntime, type Portfolio, type TestRuntime } from './helpers';

let p: Portfolio;
let t: TestRuntime;

beforeAll(async () => {
  p = await bootPortfolio();
});
afterAll(() => p.sandbox.close());
beforeEach(() => p.sandbox.resetStats());
afterEach(() => t?.runtime.disconnect());

describe('LIVE', () => {
  it('polls every due cell in one tick, one request per account, and shows new payments', async () => {
    t = useRuntime(p.sandbox);
    const [a, b] = p.termAccounts;
    const paidA = streamingInvocation();
    const excessA = streamingInvocation();
    const paidB = streamingInvocation();
    CREGO.live(a!, 'total_paid', 30, paidA);
    CREGO.live(a!, 'excess_payment', 30, excessA);
    CREGO.live(b!, 'total_paid', 90, paidB);
    const first = (await Promise.all([paidA.result(1), excessA.result(1), paidB.result(1)])) as number[];
    expect(first.every((v) => typeof v === 'number')).toBe(true);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(2);
    expect(t.runtime.live.size).toBe(3);

    // A repayment lands between ticks; the next tick must show it (LIVE bypasses the cache).
    const api = createNodeClient({ baseUrl: p.sandbox.url, token: p.sandbox.token });
    await api.call('records.create', {
      body: { account: a, type: 'repayment', amount: 1234.5, date: isoDateToEpoch('2026-01-15'), payment_mode: 'neft', utr: 'LIVETEST0001' },
    });
    const after = await api.call('accounts.summary', { path: { id: a! }, cache: 'bypass' });
    await api.close();
    p.sandbox.resetStats();

    t.clock.advance(30_000);
    const second = (await Promise.all([paidA.result(2), excessA.result(2)])) as number[];
    expect(second).toEqual([roundMoney(after.total_paid), roundMoney(after.excess_payment)]);
    // The payment shows up: settled against dues (total_paid) or kept as excess.
    expect(sumMoney([second[0]!, second[1]!, -first[0]!, -first[1]!])).toBe(1234.5);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(1); // account b is not due yet
    expect(paidB.results).toHaveLength(1);

    await nextTurn(); // the tick ends and arms the loop's next timer
    p.sandbox.resetStats();
    t.clock.advance(60_000); // now both are due again: one tick, one request per account
    await Promise.all([paidA.result(3), excessA.result(3), paidB.result(2)]);
    expect(requestsTo(p.sandbox, 'accounts.summary')).toBe(2);
    await nextTurn();

    paidA.cancel();
    excessA.cancel();
    expect(t.runtime.live.running).toBe(true);
    paidB.cancel();
    expect(t.runtime.live.size).toBe(0);
    expect(t.runtime.live.running).toBe(false);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('never polls faster than every 30 seconds', async () => {
    t = useRuntime(p.sandbox);
    const s = streamingInvocation();
    CREGO.live(p.termAccounts[0]!, 'dpd', 5, s);
    await s.result(1);
    t.clock.advance(10_000);
    await t.runtime.live.tick();
    expect(s.results).toHaveLength(1);
    t.clock.advance(20_000);
    await s.result(2);
    s.cancel();
  });

  it('pauses and resumes the loop from the task pane', async () => {
    t = useRuntime(p.sandbox);
    const s = streamingInvocation();
    CREGO.live(p.termAccounts[0]!, 'dpd', 30, s);
    await s.result(1);
    const pane = (globalThis as { CregoRuntime?: { pauseLive(p: boolean): void; status(): { livePaused: boolean } } }).CregoRuntime!;
    pane.pauseLive(true);
    expect(pane.status().livePaused).toBe(true);
    expect(t.clock.pendingTimers).toBe(0);
    t.clock.advance(120_000);
    expect(s.results).toHaveLength(1);
    pane.pauseLive(false);
    t.clock.advance(0);
    await s.result(2);
    s.cancel();
  });

  it('reports bad arguments and failures in the cell and keeps the loop alive', async () => {
    t = useRuntime(p.sandbox);
    const badField = streamingInvocation();
    CREGO.live(p.termAccounts[0]!, 'colour', 30, badField);
    expect(badField.results[0]).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('CREGO.FIELDS("SUMMARY")') });
    expect(t.runtime.live.size).toBe(0);

    const missing = streamingInvocation();
    CREGO.live('no-such-account', 'dpd', 30, missing);
    expect(await missing.result(1)).toEqual(new StubCustomFunctionError('#N/A', "No account 'no-such-account'"));
    t.clock.advance(30_000);
    expect(await missing.result(2)).toMatchObject({ code: '#N/A' });
    missing.cancel();
  });

  it('a value preview shows one value and starts no polling', async () => {
    t = useRuntime(p.sandbox);
    const committed = streamingInvocation();
    CREGO.live(p.termAccounts[0]!, 'dpd', 30, committed);
    const value = await committed.result(1);
    const preview = streamingInvocation({ preview: true });
    CREGO.live(p.termAccounts[0]!, 'dpd', 30, preview);
    expect(await preview.result(1)).toBe(value);
    expect(t.runtime.live.size).toBe(1);
    committed.cancel();
    preview.cancel();
  });
});
