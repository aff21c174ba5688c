/** Bulk endpoints, Idempotency-Key replay, duplicate refusal by UTR / ref_id, the 413 cap and the look-ups reconciliation uses. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_MAX_ITEMS } from '../../src/api/types';
import { boot, ist, type Booted } from './helpers';

let t: Booted;
let term: string;
let other: string;
let line: string;
beforeAll(async () => {
  t = await boot({ accounts: 12 });
  const mk = async (body: Record<string, unknown>) => (await t.post('/v1/lms/accounts/', { borrower_name: 'Exactly Once', disbursal_date: ist('2025-06-01'), ...body })).body.id as string;
  term = await mk({ loan_amount: 100000, roi: 12, emi_count: 12 });
  other = await mk({ loan_amount: 50000, roi: 12, emi_count: 6 });
  line = await mk({ type: 'credit_line', line_amount: 100000, roi: 18, tenure_days: 60 });
});
afterAll(() => t.sb.close());

const record = (utr: string, extra: Record<string, unknown> = {}) => ({ account: term, amount: 1000, date: ist('2025-07-01'), payment_mode: 'neft', utr, ...extra });
const byUtr = async (utr: string, account?: string) => (await t.get(`/v1/lms/records/?utr=${encodeURIComponent(utr)}${account ? `&account=${account}` : ''}`)).body;

describe('Idempotency-Key', () => {
  it('replays the first answer (same status and body) and creates nothing more', async () => {
    const first = await t.post('/v1/lms/records/', record('IDEM-1'), { 'Idempotency-Key': 'key-1' });
    expect(first.status).toBe(201);
    const again = await t.post('/v1/lms/records/', record('IDEM-1'), { 'Idempotency-Key': 'key-1' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await byUtr('IDEM-1')).count).toBe(1);
  });

  it('replays a bulk answer too, and refuses the same key with a different body', async () => {
    const items = [record('IDEM-B1'), record('IDEM-B2')];
    const first = await t.post('/v1/lms/records/bulk_create/', { items }, { 'Idempotency-Key': 'bulk-1' });
    const again = await t.post('/v1/lms/records/bulk_create/', { items }, { 'Idempotency-Key': 'bulk-1' });
    expect(again.body).toEqual(first.body);
    expect(again.body.created).toBe(2);
    expect((await byUtr('IDEM-B1')).count + (await byUtr('IDEM-B2')).count).toBe(2);
    const other = await t.post('/v1/lms/records/bulk_create/', { items: [record('IDEM-B3')] }, { 'Idempotency-Key': 'bulk-1' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect((await byUtr('IDEM-B3')).count).toBe(0);
  });

  it('replays an error answer as well (the request is not run twice)', async () => {
    const bad = await t.post('/v1/lms/records/', record('IDEM-E', { amount: -1 }), { 'Idempotency-Key': 'err-1' });
    expect(bad.status).toBe(400);
    const again = await t.post('/v1/lms/records/', record('IDEM-E', { amount: -1 }), { 'Idempotency-Key': 'err-1' });
    expect(again.status).toBe(400);
    expect(again.body.errors).toEqual(bad.body.errors);
  });
});

describe('duplicate refusal', () => {
  it('refuses a second record with the same UTR on the account (409, existing id); the same UTR elsewhere is fine', async () => {
    const first = await t.post('/v1/lms/records/', record('DUP-1'));
    const dup = await t.post('/v1/lms/records/', record('DUP-1', { amount: 2000 }));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'duplicate', existing_id: first.body.id });
    expect(dup.body.errors.utr[0]).toContain(first.body.id);
    const elsewhere = await t.post('/v1/lms/records/', record('DUP-1', { account: other }));
    expect(elsewhere.status).toBe(201);
    expect((await byUtr('DUP-1')).count).toBe(2);
    expect((await byUtr('DUP-1', term)).results.map((r: any) => r.id)).toEqual([first.body.id]);
  });

  it('bulk: per-item results; a bad item or a duplicate never sinks the others', async () => {
    const existing = (await t.post('/v1/lms/records/', record('BULK-OLD'))).body.id;
    const res = await t.post('/v1/lms/records/bulk_create/', {
      items: [
        record('BULK-1'),
        { account: term, amount: -5, payment_mode: 'cash' },
        record('BULK-OLD'),
        record('BULK-2'),
        record('BULK-2', { amount: 7 }),
        'not an object',
        record('BULK-3', { account: 'no-such-account' }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 7, created: 2, failed: 3, duplicates: 2 });
    const r = res.body.results;
    expect(r.map((x: any) => x.status)).toEqual(['created', 'failed', 'duplicate', 'created', 'duplicate', 'failed', 'failed']);
    expect(r.map((x: any) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Object.keys(r[1].errors).sort()).toEqual(['amount', 'utr']);
    expect(r[2].id).toBe(existing);
    expect(r[4].id).toBe(r[3].id);
    expect(r[6].errors.account[0]).toMatch(/No account/);
    expect((await t.get(`/v1/lms/records/${r[0].id}/`)).body.utr).toBe('BULK-1');
  });

  it('fees and topups are refused by ref_id the same way, and listed by ref_id', async () => {
    const fee = { account: term, type: 'late_fee', amount: 500, date: ist('2025-07-02'), ref_id: 'FEE-R1' };
    const f1 = await t.post('/v1/lms/fees/', fee);
    expect(f1.status).toBe(201);
    const f2 = await t.post('/v1/lms/fees/', fee);
    expect(f2).toMatchObject({ status: 409, body: { code: 'duplicate', existing_id: f1.body.id } });
    const bulkFees = await t.post('/v1/lms/fees/bulk_create/', { items: [fee, { ...fee, ref_id: 'FEE-R2' }, { ...fee, ref_id: 'FEE-R3', type: 'nonsense' }] });
    expect(bulkFees.body.results.map((x: any) => x.status)).toEqual(['duplicate', 'created', 'failed']);
    expect(bulkFees.body.results[2].errors.type[0]).toMatch(/one of/);
    expect((await t.get('/v1/lms/fees/?ref_id=FEE-R2')).body.results.map((x: any) => x.id)).toEqual([bulkFees.body.results[1].id]);

    const top = { account: line, amount: 20000, date: ist('2025-07-01'), tenure_days: 30, ref_id: 'TOP-R1' };
    const t1 = await t.post('/v1/lms/topups/', top);
    expect(t1.status).toBe(201);
    expect((await t.post('/v1/lms/topups/', top)).status).toBe(409);
    const bulkTop = await t.post('/v1/lms/topups/bulk_create/', { items: [top, { ...top, ref_id: 'TOP-R2' }, { ...top, ref_id: 'TOP-R3', amount: 999999 }] });
    expect(bulkTop.body.results.map((x: any) => x.status)).toEqual(['duplicate', 'created', 'failed']);
    expect(bulkTop.body.results[2].errors.amount[0]).toMatch(/available limit of 60000\.00/);
    expect((await t.get('/v1/lms/topups/?ref_id=TOP-R2')).body.count).toBe(1);
  });
});

describe('size cap', () => {
  it(`answers 413 above ${BULK_MAX_ITEMS} items with a clear message and creates nothing`, async () => {
    const items = Array.from({ length: BULK_MAX_ITEMS + 1 }, (_, i) => record(`CAP-${i}`));
    const res = await t.post('/v1/lms/records/bulk_create/', { items });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('too_many_items');
    expect(res.body.detail).toContain(`at most ${BULK_MAX_ITEMS}`);
    expect((await byUtr('CAP-0')).count).toBe(0);
    const ok = await t.post('/v1/lms/records/bulk_create/', { items: items.slice(0, BULK_MAX_ITEMS) });
    expect(ok.body.created).toBe(BULK_MAX_ITEMS);
  });
});

describe('credit line, fees and records read back', () => {
  it('topups draw down the available limit; Check Line Amount and Request Tranche agree', async () => {
    const acc = (await t.post('/v1/lms/accounts/', { borrower_name: 'Line', type: 'credit_line', line_amount: 50000, roi: 18, disbursal_date: ist('2025-06-01') })).body.id;
    expect((await t.get(`/v1/lms/accounts/${acc}/refresh_limit/`)).body).toMatchObject({ line_amount: 50000, utilised_amount: 0, available_amount: 50000 });
    await t.post('/v1/lms/topups/', { account: acc, amount: 30000, date: ist('2025-12-01'), tenure_days: 90, ref_id: 'L1' });
    expect((await t.get(`/v1/lms/accounts/${acc}/refresh_limit/`)).body).toMatchObject({ utilised_amount: 30000, available_amount: 20000 });
    const check = await t.call('PUT', '/v1/lms/topups/check_line_amount/', { account: acc, amount: 25000 });
    expect(check.body).toMatchObject({ allowed: false, available_amount: 20000 });
    expect(check.body.message).toMatch(/by 5000\.00/);
    const loan = (await t.get(`/v1/lms/loans/?account=${acc}`)).body.results[0].id;
    const tranche = await t.post('/v1/lms/payouts/add_tranche/', { loan_id: loan, amount: 5000 });
    expect(tranche.status).toBe(200);
    expect((await t.get(`/v1/lms/accounts/${acc}/refresh_limit/`)).body.available_amount).toBe(15000);
    const tooMuch = await t.post('/v1/lms/payouts/add_tranche/', { loan_id: loan, amount: 15001 });
    expect(tooMuch.status).toBe(400);
  });

  it('Request Tranche on a term loan disburses more today and re-amortises the instalments still to come', async () => {
    const acc = (await t.post('/v1/lms/accounts/', { borrower_name: 'Tranche', loan_amount: 120000, roi: 12, emi_count: 12, disbursal_date: ist('2025-10-10'), penal_roi: 0 })).body;
    const before = (await t.get(`/v1/lms/emis/?account=${acc.id}&page_size=50`)).body.results;
    const r = await t.post('/v1/lms/payouts/add_tranche/', { loan_id: acc.loan, amount: 60000 });
    expect(r.status).toBe(200);
    const after = (await t.get(`/v1/lms/emis/?account=${acc.id}&page_size=50`)).body.results;
    expect(after).toHaveLength(12);
    expect(after.slice(0, 3)).toEqual(before.slice(0, 3)); // due 10 Nov, 10 Dec, 10 Jan: unchanged
    expect(after[3].opening_balance).toBeCloseTo(before[3].opening_balance + 60000, 2);
    // Interest on the tranche runs from 15 Jan, not from the period start on 10 Jan: 5 days of 60,000 at 12 %/360 = 100 less.
    expect(after[3].interest).toBeCloseTo(Math.round((before[3].opening_balance + 60000) * 0.01 * 100) / 100 - 100, 2);
    expect(after.reduce((s: number, x: any) => s + Math.round(x.principal * 100), 0)).toBe(18_000_000);
    expect(after[11].closing_balance).toBe(0);
    const s = (await t.get(`/v1/lms/accounts/${acc.id}/summary/`)).body;
    expect([s.loan_amount, s.principal_outstanding]).toEqual([180000, 180000]);
    // As of a day before the tranche, the loan reads as it was.
    expect((await t.get(`/v1/lms/accounts/${acc.id}/summary/?as_of_date=${ist('2026-01-14')}`)).body.loan_amount).toBe(120000);
  });

  it('deletes an unpaid fee (204, then 404) and refuses to delete a paid one (409)', async () => {
    const acc = (await t.post('/v1/lms/accounts/', { borrower_name: 'Fees', loan_amount: 10000, roi: 12, emi_count: 3, disbursal_date: ist('2025-06-01') })).body.id;
    const unpaid = (await t.post('/v1/lms/fees/', { account: acc, type: 'other', amount: 100, date: ist('2025-06-02'), ref_id: 'D1' })).body;
    expect((await t.call('DELETE', `/v1/lms/fees/${unpaid.id}/`)).status).toBe(204);
    expect((await t.get(`/v1/lms/fees/${unpaid.id}/`)).status).toBe(404);
    const paid = (await t.post('/v1/lms/fees/', { account: acc, type: 'other', amount: 100, date: ist('2025-06-02'), ref_id: 'D2' })).body;
    await t.post('/v1/lms/records/', { account: acc, amount: 118, date: ist('2025-06-03'), payment_mode: 'upi', utr: 'PAY-FEE' });
    expect((await t.get(`/v1/lms/fees/${paid.id}/`)).body).toMatchObject({ paid_amount: 118, status: 'paid' });
    const refused = await t.call('DELETE', `/v1/lms/fees/${paid.id}/`);
    expect(refused.status).toBe(409);
    const demands = (await t.get(`/v1/lms/fees/demands/?account=${acc}`)).body;
    expect(demands.count).toBe(0);
  });

  it('validation errors name the field and the fix', async () => {
    const res = await t.post('/v1/lms/records/', { account: term, amount: 10.005, date: 'yesterday', payment_mode: 'barter' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid');
    expect(res.body.errors.amount[0]).toMatch(/2 decimal/);
    expect(res.body.errors.date[0]).toMatch(/epoch seconds/);
    expect(res.body.errors.payment_mode[0]).toMatch(/neft/);
    expect(res.body.errors.utr[0]).toMatch(/required/);
    expect(res.body.detail).toContain('amount:');
    // A calendar date that does not exist is refused, never rolled over to the next month.
    const jun31 = await t.post('/v1/lms/records/', record('JUN-31', { date: '2025-06-31' }));
    expect(jun31.status).toBe(400);
    expect(jun31.body.errors.date[0]).toBe("'2025-06-31' is not a real date.");
    expect((await byUtr('JUN-31')).count).toBe(0);
    const asOf = await t.get(`/v1/lms/accounts/${term}/summary/?as_of_date=2025-02-30`);
    expect([asOf.status, Object.keys(asOf.body.errors)]).toEqual([400, ['as_of_date']]);
    // A real one in the same form is a business date in India.
    expect((await t.post('/v1/lms/records/', record('JUN-28', { date: '2025-06-28' }))).body.date).toBe(ist('2025-06-28'));
  });
});
