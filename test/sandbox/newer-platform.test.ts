/**
 * The sandbox's newer-platform behaviours (more-facts-2026.md): payments applied after the call
 * (`settleAfter` / `rejectShare`), a UTR unique across the tenant (`utrScope: 'tenant'`), and a server
 * that ignores Idempotency-Key. Over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/commands/sandbox';
import { rejectedByShare } from '../../src/sandbox/index';
import { boot, ist, type Booted } from './helpers';

async function twoAccounts(t: Booted): Promise<[string, string]> {
  const mk = async () =>
    (await t.post('/v1/lms/accounts/', { borrower_name: 'Newer Platform', disbursal_date: ist('2025-06-01'), loan_amount: 100000, roi: 12, emi_count: 12 })).body
      .id as string;
  return [await mk(), await mk()];
}

const record = (account: string, utr: string, amount = 1000) => ({ account, amount, date: ist('2025-07-01'), payment_mode: 'neft', utr });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('payments applied after the call (settleAfter, rejectShare)', () => {
  let t: Booted;
  let acc: string;
  const SHARE = 0.5;
  const utrs = Array.from({ length: 12 }, (_, i) => `SETTLE-${i}`);
  beforeAll(async () => {
    t = await boot({ accounts: 4, settleAfter: 1, rejectShare: SHARE });
    [acc] = await twoAccounts(t);
  });
  afterAll(() => t.sb.close());

  it('creates records as requested, leaves the figures alone until processed, then settles each as its UTR hash says', async () => {
    const before = (await t.get(`/v1/lms/accounts/${acc}/summary/`)).body;
    const created = await t.post('/v1/lms/records/bulk_create/', { items: utrs.map((u) => record(acc, u)) });
    expect(created.body.created).toBe(utrs.length);
    const listed = (await t.get(`/v1/lms/records/?account=${acc}&page_size=100`)).body.results;
    expect(listed.map((r: { status: string }) => r.status)).toEqual(utrs.map(() => 'requested'));
    expect(listed.every((r: { remaining_amount: number }) => r.remaining_amount === 1000)).toBe(true);
    expect((await t.get(`/v1/lms/records/?account=${acc}&status=requested`)).body.count).toBe(utrs.length);
    const during = (await t.get(`/v1/lms/accounts/${acc}/summary/`)).body;
    expect(during.total_paid).toBe(before.total_paid);

    let final: Array<{ utr: string; status: string; failed_remark: string | null }> = [];
    for (let i = 0; i < 100; i++) {
      final = (await t.get(`/v1/lms/records/?account=${acc}&page_size=100`)).body.results;
      if (final.every((r) => r.status !== 'requested')) break;
      await sleep(100);
    }
    const expected = utrs.map((u) => (rejectedByShare(u, SHARE) ? 'rejected' : 'processed'));
    // The hash must split this set both ways, or the test would prove nothing about the choice.
    expect(new Set(expected)).toEqual(new Set(['rejected', 'processed']));
    expect(final.map((r) => r.status)).toEqual(expected);
    for (const r of final) {
      if (r.status === 'rejected') expect(r.failed_remark).toMatch(new RegExp(`Rejected .*UTR ${r.utr}`));
      else expect(r.failed_remark).toBeNull();
    }
    const processed = expected.filter((s) => s === 'processed').length;
    const after = (await t.get(`/v1/lms/accounts/${acc}/summary/`)).body;
    expect(Math.round((after.total_paid - before.total_paid) * 100)).toBe(processed * 1000 * 100);
    const one = (await t.get(`/v1/lms/records/${created.body.results[0].id}/`)).body;
    expect(one.status).toBe(expected[0]);
  });

  it('answers a single create as requested too', async () => {
    const r = await t.post('/v1/lms/records/', record(acc, 'SETTLE-SINGLE'));
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('requested');
  });
});

describe('default: processed on receipt, as before', () => {
  let t: Booted;
  beforeAll(async () => {
    t = await boot({ accounts: 4 });
  });
  afterAll(() => t.sb.close());

  it('a created record is processed at once', async () => {
    const [acc] = await twoAccounts(t);
    const r = await t.post('/v1/lms/records/', record(acc, 'NOW-1'));
    expect(r.body.status).toBe('processed');
    expect(r.body.remaining_amount).toBe(0);
  });
});

describe('utrScope', () => {
  it('tenant: the same UTR on another account is a duplicate naming that account, single and bulk', async () => {
    const t = await boot({ accounts: 4, utrScope: 'tenant' });
    try {
      const [a, b] = await twoAccounts(t);
      const first = await t.post('/v1/lms/records/', record(a, 'TENANT-1'));
      const again = await t.post('/v1/lms/records/', record(b, 'TENANT-1'));
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'duplicate', existing_id: first.body.id, existing_account: a });
      expect(again.body.detail).toContain(`on account ${a}`);
      const bulk = await t.post('/v1/lms/records/bulk_create/', { items: [record(b, 'TENANT-1'), record(b, 'TENANT-2')] });
      expect(bulk.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'created']);
      expect((await t.get('/v1/lms/records/?utr=TENANT-1')).body.count).toBe(1);
    } finally {
      await t.sb.close();
    }
  });

  it('account (default): the same UTR on another account is another payment', async () => {
    const t = await boot({ accounts: 4 });
    try {
      const [a, b] = await twoAccounts(t);
      expect((await t.post('/v1/lms/records/', record(a, 'ACC-1'))).status).toBe(201);
      expect((await t.post('/v1/lms/records/', record(b, 'ACC-1'))).status).toBe(201);
    } finally {
      await t.sb.close();
    }
  });
});

describe('ignoreIdempotencyKey', () => {
  it('runs a repeated key again: only the UTR stops the second copy', async () => {
    const t = await boot({ accounts: 4, ignoreIdempotencyKey: true });
    try {
      const [a] = await twoAccounts(t);
      const first = await t.post('/v1/lms/records/', record(a, 'IGN-1'), { 'Idempotency-Key': 'k1' });
      const again = await t.post('/v1/lms/records/', record(a, 'IGN-1'), { 'Idempotency-Key': 'k1' });
      expect(first.status).toBe(201);
      expect(again.status).toBe(409);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      const other = await t.post('/v1/lms/records/', record(a, 'IGN-2'), { 'Idempotency-Key': 'k1' });
      expect(other.status).toBe(201);
    } finally {
      await t.sb.close();
    }
  });
});

describe('crego sandbox flags', () => {
  it('parses the newer-platform options and refuses bad values', () => {
    expect(parseArgs(['--settle-after', '2', '--reject-share', '0.25', '--utr-scope', 'tenant', '--ignore-idempotency-key'])).toEqual({
      port: 4010,
      settleAfter: 2,
      rejectShare: 0.25,
      utrScope: 'tenant',
      ignoreIdempotencyKey: true,
    });
    expect(parseArgs(['--reject-share', '1.5'])).toMatch(/--reject-share must be a number from 0 to 1/);
    expect(parseArgs(['--settle-after', 'soon'])).toMatch(/--settle-after must be a number of seconds/);
    expect(parseArgs(['--utr-scope', 'bank'])).toMatch(/--utr-scope must be one of account, tenant/);
  });
});
