/**
 * The real client against the real sandbox over loopback, with both carriers: every endpoint
 * the add-in uses, pagination, the error kinds, injected faults, exactly-once POSTs,
 * coalescing, the concurrency cap and token refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CregoHttpClient } from '../../src/api/client';
import { SUMMARY_FIELDS, type EndpointKey } from '../../src/api/endpoints';
import { checkFields } from '../../src/api/probe';
import type { BulkAnswer, Page } from '../../src/api/types';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { CARRIERS, failure, FAST_RETRY } from './helpers';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ accounts: 40, seed: 7, faults: '', quiet: true, today: '2025-03-15' });
});
afterAll(() => sandbox?.close());


interface LoanRow {
  id: string;
  account: string;
  type: string;
}

describe.each(CARRIERS)('against the sandbox over %s', (carrier, make) => {
  let client: CregoHttpClient;
  let term: LoanRow;
  let line: LoanRow;
  const tag = `${carrier}-${Date.now()}`;
  beforeAll(async () => {
    client = make({ baseUrl: sandbox.url, token: sandbox.token, environment: 'sandbox', retry: FAST_RETRY });
    const loans = await client.listAll('loans.list');
    term = loans.find((l) => l.type === 'term_loan')!;
    line = loans.find((l) => l.type === 'credit_line')!;
    expect(term && line).toBeTruthy();
  });
  afterAll(() => client?.close());

  it('reads every endpoint the add-in uses, with the expected fields', async () => {
    const summary = await client.call('accounts.summary', { path: { id: term.account }, query: { as_of_date: 1741976999.999999 } });
    expect(checkFields(summary, SUMMARY_FIELDS)).toEqual({ missing: [], wrongTypes: [] });
    const reads: Array<[string, Parameters<CregoHttpClient['call']>[1]]> = [
      ['accounts.loan_params', { path: { id: term.account } }],
      ['accounts.refresh_limit', { path: { id: line.account } }],
      ['loans.summary', { path: { id: term.id } }],
      ['loans.emi_amount', { path: { id: term.id } }],
      ['emis.outstanding', { query: { account: term.account } }],
    ];
    const { ENDPOINTS } = await import('../../src/api/endpoints');
    for (const [key, options] of reads) {
      const answer = await client.call(key as EndpointKey, options);
      const def = ENDPOINTS.find((e) => e.key === key)!;
      expect(checkFields(answer, def.fields!), key).toEqual({ missing: [], wrongTypes: [] });
    }
    const emis = await client.listAll('emis.list', { query: { account: term.account } });
    expect(emis.length).toBeGreaterThan(0);
    expect(emis.every((e) => e.account === term.account)).toBe(true);
    const settlements = await client.call('emis.settlements', { query: { account: term.account } });
    expect(typeof settlements.count).toBe('number');
    const calc = await client.call('emis.calculate', {
      body: { loan_amount: 100000, roi: 12, emi_count: 12 },
    });
    expect(calc.schedule).toHaveLength(12);
    expect(calc.emi_amount).toBe(8885); // 1 lakh at 12% over 12 months, rounded to the rupee
    const check = await client.call('topups.check_line_amount', { body: { account: line.account, amount: 1 } });
    expect(check.allowed).toBe(true);
  });

  it('walks every page: listAll and pages agree with count, with no repeats', async () => {
    const first = await client.call('loans.list', { query: { page_size: 7 } });
    const all = await client.listAll('loans.list', { pageSize: 7 });
    expect(all).toHaveLength(first.count);
    expect(new Set(all.map((l) => l.id)).size).toBe(first.count);
    let walked = 0;
    for await (const page of client.pages('loans.list', { pageSize: 9 })) walked += page.length;
    expect(walked).toBe(first.count);
    // Without a page size, listAll asks for 100 a page: the 40-loan portfolio comes in one request.
    client.invalidate({ endpoint: 'loans.list' });
    sandbox.resetStats();
    expect(await client.listAll('loans.list')).toHaveLength(first.count);
    expect(sandbox.stats().byEndpoint['loans.list']).toBe(1);
  });

  it('creates records, fees and topups one by one and in bulk, and lists them', async () => {
    const rec = await client.call('records.create', {
      body: { account: term.account, type: 'repayment', amount: 1234.5, payment_mode: 'neft', utr: `R1-${tag}` },
    });
    expect(rec.utr).toBe(`R1-${tag}`);
    const bulkRec = await client.call('records.bulk_create', {
      body: {
        items: [
          { account: term.account, amount: 10, payment_mode: 'upi', utr: `R2-${tag}` },
          { account: term.account, amount: -5, payment_mode: 'upi', utr: `R3-${tag}` },
          { account: term.account, amount: 10, payment_mode: 'upi', utr: `R1-${tag}` },
        ],
      },
    });
    expect(bulkRec).toMatchObject({ count: 3, created: 1, failed: 1, duplicates: 1 });
    expect(bulkRec.results[2]).toMatchObject({ status: 'duplicate', id: rec.id });
    const listed = await client.listAll('records.list', { query: { account: term.account } });
    expect(listed.map((r) => r.utr)).toEqual(expect.arrayContaining([`R1-${tag}`, `R2-${tag}`]));
    expect(await client.call('records.get', { path: { id: rec.id } })).toMatchObject({ id: rec.id });

    const fee = await client.call('fees.create', {
      body: { account: term.account, type: 'late_fee', amount: 500, ref_id: `F1-${tag}` },
    });
    expect(fee.total_amount).toBe(590);
    const bulkFee = await client.call('fees.bulk_create', { body: { items: [{ account: term.account, type: 'other', amount: 100, ref_id: `F2-${tag}` }] } });
    expect(bulkFee.created).toBe(1);
    const fees = await client.listAll('fees.list', { query: { account: term.account } });
    expect(fees.map((f) => f.ref_id)).toEqual(expect.arrayContaining([`F1-${tag}`, `F2-${tag}`]));

    const topup = await client.call('topups.create', { body: { account: line.account, amount: 1000, ref_id: `T1-${tag}` } });
    const bulkTop = await client.call('topups.bulk_create', { body: { items: [{ account: line.account, amount: 500, ref_id: `T2-${tag}` }] } });
    expect(bulkTop.created).toBe(1);
    const topups = await client.listAll('topups.list', { query: { account: line.account } });
    expect(topups.map((t) => t.id)).toContain(topup.id);
    expect(topups.map((t) => t.ref_id)).toContain(`T2-${tag}`);
  });

  it('maps the sandbox errors to kinds: validation, conflict, not_found, auth, too_large, 501', async () => {
    const v = await failure(client.call('records.create', { body: { account: term.account, amount: 'lots' } }));
    expect(v.kind).toBe('validation');
    expect(Object.keys(v.fieldErrors ?? {})).toEqual(expect.arrayContaining(['amount']));
    expect(v.requestId).toBeTruthy();
    const dup = await client.call('fees.create', { body: { account: term.account, type: 'other', amount: 1, ref_id: `DUP-${tag}` } }).then(() =>
      failure(client.call('fees.create', { body: { account: term.account, type: 'other', amount: 1, ref_id: `DUP-${tag}` } })),
    );
    expect(dup).toMatchObject({ kind: 'conflict', status: 409 });
    expect((await failure(client.call('accounts.summary', { path: { id: 'no-such-account' } }))).kind).toBe('not_found');
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ account: term.account, amount: 1, payment_mode: 'upi', utr: `X${i}` }));
    expect((await failure(client.call('records.bulk_create', { body: { items: tooMany } }))).kind).toBe('too_large');
    expect(await failure(client.call('payouts.list'))).toMatchObject({ kind: 'server', status: 501 });
    const stranger = make({ baseUrl: sandbox.url, token: 'not-a-real-token-1234' });
    const auth = await failure(stranger.call('loans.list'));
    expect(auth).toMatchObject({ kind: 'auth', status: 401 });
    expect(auth.message).not.toContain('not-a-real-token-1234');
    await stranger.close();
    const nobody = make({ baseUrl: sandbox.url });
    expect(await failure(nobody.call('loans.list'))).toMatchObject({ kind: 'auth', message: expect.stringMatching(/^Not signed in: paste a Crego access token or sign in/) });
    await nobody.close();
  });
});

describe.each(CARRIERS)('sandbox faults and limits over %s', (carrier, make) => {
  const tag = `${carrier}-f-${Date.now()}`;
  let account: string;
  beforeAll(async () => {
    const c = make({ baseUrl: sandbox.url, token: sandbox.token });
    account = (await c.call('loans.list', { query: { type: 'term_loan', page_size: 1 } })).results[0].account;
    await c.close();
  });

  const withFaults = async <T>(spec: string, fn: () => Promise<T>): Promise<T> => {
    sandbox.setFaults(spec);
    try {
      return await fn();
    } finally {
      sandbox.setFaults('');
    }
  };

  it('retries GETs through injected 503s, 429s and resets', async () => {
    const client = make({ baseUrl: sandbox.url, token: sandbox.token, retry: { ...FAST_RETRY, retries: 8 }, cacheTtlMs: 0 });
    const answers = await withFaults('5xx=0.2,429=0.1,reset=0.2,retry_after=0,seed=3', () =>
      Promise.all(Array.from({ length: 12 }, (_, i) => client.call('emis.outstanding', { query: { account, as_of_date: 1741976999.999999 - i * 86400 } }))),
    );
    expect(answers).toHaveLength(12);
    expect(client.stats().retries).toBeGreaterThan(0);
    await client.close();
  });

  it('surfaces rate_limited with the Retry-After when retries are spent', async () => {
    const client = make({ baseUrl: sandbox.url, token: sandbox.token, retry: { retries: 0 } });
    const err = await withFaults('429=1,retry_after=7', () => failure(client.call('loans.list')));
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfter: 7 });
    await client.close();
  });

  it('a lost reply on a POST without a key: unknown_outcome, never re-sent, no duplicate', async () => {
    const client = make({ baseUrl: sandbox.url, token: sandbox.token, retry: FAST_RETRY });
    sandbox.resetStats();
    const utr = `LOST-${tag}`;
    const err = await withFaults('lost=1', () => failure(client.call('records.create', { body: { account, amount: 77, payment_mode: 'neft', utr } })));
    expect(err.kind).toBe('unknown_outcome');
    expect(sandbox.stats().byEndpoint['records.create']).toBe(1);
    const found = await client.call('records.list', { query: { utr }, cache: 'bypass' });
    expect(found.count).toBe(1); // the sandbox did commit it: exactly once
    await client.close();
  });

  it('a lost reply on a POST with an Idempotency-Key is re-sent and recovered, creating once', async () => {
    const client = make({ baseUrl: sandbox.url, token: sandbox.token, retry: { ...FAST_RETRY, retries: 6 } });
    let recovered = 0;
    await withFaults('lost=0.5,seed=11', async () => {
      for (let i = 0; i < 8; i++) {
        sandbox.resetStats();
        const utr = `KEY-${tag}-${i}`;
        const rec = await client.call('records.create', { body: { account, amount: 5, payment_mode: 'neft', utr }, idempotencyKey: `k-${tag}-${i}` });
        expect(rec.utr).toBe(utr);
        if ((sandbox.stats().byEndpoint['records.create'] ?? 0) > 1) recovered++;
      }
    });
    expect(recovered).toBeGreaterThan(0); // some first replies were lost and the retry got the stored answer
    for (let i = 0; i < 8; i++) {
      const found = await client.call('records.list', { query: { utr: `KEY-${tag}-${i}` }, cache: 'bypass' });
      expect(found.count).toBe(1);
    }
    await client.close();
  });

  it('coalesces N identical GETs into one sandbox request', async () => {
    const client = make({ baseUrl: sandbox.url, token: sandbox.token });
    sandbox.resetStats();
    const answers = await Promise.all(Array.from({ length: 30 }, () => client.call('accounts.summary', { path: { id: account } })));
    expect(answers).toHaveLength(30);
    expect(sandbox.stats().byEndpoint['accounts.summary']).toBe(1);
    await client.close();
  });

  it('never has more requests in flight at the sandbox than a fixed concurrency limit', async () => {
    const client = make({ baseUrl: sandbox.url, token: sandbox.token, concurrency: 4, maxConcurrency: 4 });
    sandbox.resetStats();
    await withFaults('latency=15', () =>
      Promise.all(Array.from({ length: 24 }, (_, i) => client.call('emis.outstanding', { query: { account, as_of_date: 1741000000 + i * 86400 } }))),
    );
    expect(sandbox.stats().byEndpoint['emis.outstanding']).toBe(24);
    expect(sandbox.stats().maxInFlight).toBeLessThanOrEqual(4);
    expect(client.stats().peakInFlight).toBe(4);
    await client.close();
  });
});

describe.each(CARRIERS)('sandbox sign-in over %s', (_carrier, make) => {
  it('signs in with demo/demo and refreshes once for concurrent calls when the token nears expiry', async () => {
    const sbx = await startSandbox({ accounts: 5, seed: 1, tokenTtlSeconds: 1, quiet: true });
    const client = make({ baseUrl: sbx.url, username: 'demo', password: 'demo' });
    try {
      await client.call('loans.list');
      await new Promise((r) => setTimeout(r, 850)); // less than 20% of the 1-second lifetime left
      sbx.resetStats();
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => client.call('records.list', { query: { page: i + 1 } })));
      expect(answers).toHaveLength(10);
      const by = sbx.stats().byEndpoint;
      expect(by['auth.refresh']).toBe(1);
      expect(by['auth.login'] ?? 0).toBe(0);
      expect(by['records.list']).toBe(10);
    } finally {
      await client.close();
      await sbx.close();
    }
  });
});
