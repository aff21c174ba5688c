/** A term loan read through every view the sandbox offers: they must tell the same story as of each date. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boot, ist, type Booted } from './helpers';

let t: Booted;
let acc: any;
beforeAll(async () => {
  t = await boot({ accounts: 12 });
  acc = (await t.post('/v1/lms/accounts/', { borrower_name: 'Ledger', loan_amount: 100000, roi: 12, emi_count: 12, disbursal_date: ist('2024-01-01'), penal_roi: 24 })).body;
});
afterAll(() => t.sb.close());

describe('one loan, many views', () => {
  it('mid-period: interest accrues daily (pro rata) but nothing is due yet', async () => {
    const s = (await t.get(`/v1/lms/accounts/${acc.id}/summary/?as_of_date=${ist('2024-01-16')}`)).body;
    expect(s.interest_due).toBe(0);
    expect(s.interest_outstanding).toBe(Math.round((1000 * 15) / 31 * 100) / 100); // 15 of the 31 days to 1 Feb
    const o = (await t.get(`/v1/lms/emis/outstanding/?account=${acc.id}&as_of_date=${ist('2024-01-16')}`)).body;
    expect(o).toMatchObject({ principal_due: 0, interest_due: 0, total_due: 0, dpd: 0, next_due_date: ist('2024-02-01'), next_due_amount: 8885 });
    expect(o.total_outstanding).toBe(s.total_outstanding);
    expect((await t.get(`/v1/lms/loans/${acc.loan}/emi_amount/`)).body).toMatchObject({ emi_amount: 8885, emi_count: 12, roi: 12 });
  });

  it('a paid instalment moves principal and interest to paid in the summary, the EMI list and the loan summary', async () => {
    await t.post('/v1/lms/records/', { account: acc.id, amount: 8885, date: ist('2024-02-01'), payment_mode: 'nach', utr: 'LEDGER-1' });
    const s = (await t.get(`/v1/lms/accounts/${acc.id}/summary/?as_of_date=${ist('2024-02-01')}`)).body;
    expect([s.principal_paid, s.interest_paid, s.principal_outstanding, s.total_paid]).toEqual([7885, 1000, 92115, 8885]);
    const emis = (await t.get(`/v1/lms/emis/?loan=${acc.loan}&as_of_date=${ist('2024-02-01')}`)).body.results;
    expect(emis[0]).toMatchObject({ status: 'paid', paid_amount: 8885, outstanding_amount: 0, dpd: 0 });
    expect(emis[1]).toMatchObject({ status: 'upcoming', opening_balance: 92115 });
    const ls = (await t.get(`/v1/lms/loans/${acc.loan}/summary/?as_of_date=${ist('2024-02-01')}`)).body;
    expect(ls).toMatchObject({ emis_paid: 1, emis_remaining: 11, principal_paid: 7885, next_due_date: ist('2024-03-01'), status: 'active' });
  });

  it('an unpaid instalment: DPD, penal at 24 % on the overdue EMI, outstanding due, all agreeing', async () => {
    const day = '2024-03-10'; // the 1 March instalment unpaid: 10 day-ends overdue
    const s = (await t.get(`/v1/lms/accounts/${acc.id}/summary/?as_of_date=${ist(day)}`)).body;
    const emis = (await t.get(`/v1/lms/emis/?loan=${acc.loan}&as_of_date=${ist(day)}`)).body.results;
    expect(emis[1]).toMatchObject({ status: 'due', dpd: 10 });
    expect(s).toMatchObject({ dpd: 10, peak_dpd: 10, asset_category: 'SMA-0' });
    expect(s.penal_outstanding).toBe(Math.round(emis[1].emi_amount * 0.24 * 10 / 360 * 100) / 100);
    const o = (await t.get(`/v1/lms/emis/outstanding/?account=${acc.id}&as_of_date=${ist(day)}`)).body;
    expect(o.total_due).toBeCloseTo(emis[1].emi_amount + s.penal_outstanding, 2);
    // The late payment clears penal first, then the instalment; what is left over waits as excess.
    const amount = Math.round((emis[1].emi_amount + s.penal_outstanding + 100) * 100) / 100;
    const r = (await t.post('/v1/lms/records/', { account: acc.id, amount, date: ist('2024-03-11'), payment_mode: 'upi', utr: 'LEDGER-2' })).body;
    const after = (await t.get(`/v1/lms/accounts/${acc.id}/summary/?as_of_date=${ist('2024-03-11')}`)).body;
    expect(after.dpd).toBe(0);
    expect(after.peak_dpd).toBe(10);
    expect(after.penal_outstanding).toBe(0);
    // Penal ran through the day-end of the 10th only (paid during the 11th): exactly the 100 extra is left over.
    expect(after.excess_payment).toBe(100);
    // The excess is applied to the next instalment on its due date; the record (read today) is then fully settled.
    const april = (await t.get(`/v1/lms/accounts/${acc.id}/summary/?as_of_date=${ist('2024-04-01')}`)).body;
    expect(april.excess_payment).toBe(0);
    const rec = (await t.get(`/v1/lms/records/${r.id}/`)).body;
    expect([rec.remaining_amount, rec.settled_at]).toEqual([0, ist('2024-04-01')]);
  });
});

describe('settlements of one payment', () => {
  it('count the record down: each row’s remaining_amount is what the payment still held after it', async () => {
    const a = (await t.post('/v1/lms/accounts/', { borrower_name: 'Two dues', loan_amount: 10000, roi: 12, emi_count: 3, disbursal_date: ist('2025-09-10'), penal_roi: 0 })).body;
    const emis = (await t.get(`/v1/lms/emis/?account=${a.id}`)).body.results;
    const amount = emis[0].emi_amount + emis[1].emi_amount + 50; // both instalments overdue on 20 Nov, and 50 over
    const r = (await t.post('/v1/lms/records/', { account: a.id, amount, date: ist('2025-11-20'), payment_mode: 'upi', utr: 'TWO-DUES' })).body;
    const rows = (await t.get(`/v1/lms/settlements/?account=${a.id}`)).body.results.filter((s: any) => s.record === r.id);
    expect(rows.map((s: any) => [s.demand, s.amount, s.remaining_amount])).toEqual([
      [emis[0].id, emis[0].emi_amount, Math.round((amount - emis[0].emi_amount) * 100) / 100],
      [emis[1].id, emis[1].emi_amount, 50],
      [emis[2].id, 50, 0], // the 50 over waits as excess and goes to the next instalment on its due date
    ]);
  });
});

describe('excess payments: listed, then refunded', () => {
  it('List Loans with Excess Balance shows the parked money; Initiate Excess Payment Refund pays it back', async () => {
    const a = (await t.post('/v1/lms/accounts/', { borrower_name: 'Excess', loan_amount: 10000, roi: 12, emi_count: 3, disbursal_date: ist('2025-12-10'), penal_roi: 0 })).body;
    const emis = (await t.get(`/v1/lms/emis/?account=${a.id}`)).body.results;
    await t.post('/v1/lms/records/', { account: a.id, amount: emis[0].emi_amount + 250, date: ist('2026-01-10'), payment_mode: 'upi', utr: 'EX-1' });
    const listed = (await t.get(`/v1/lms/loans/excess_balance/?account=${a.id}`)).body;
    expect(listed.results.map((l: any) => [l.account, l.excess_amount])).toEqual([[a.id, 250]]);

    const tooMuch = await t.post('/v1/lms/records/excess_refund/', { account: a.id, amount: 300 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.errors.amount[0]).toMatch(/250\.00/);
    const part = await t.post('/v1/lms/records/excess_refund/', { account: a.id, amount: 100 });
    expect(part.status).toBe(201);
    expect(part.body).toMatchObject({ type: 'refund', amount: 100 });
    expect((await t.get(`/v1/lms/accounts/${a.id}/summary/`)).body.excess_payment).toBe(150);
    await t.post('/v1/lms/records/excess_refund/', { account: a.id });
    const after = (await t.get(`/v1/lms/accounts/${a.id}/summary/`)).body;
    expect(after.excess_payment).toBe(0);
    expect(after.total_paid).toBe(emis[0].emi_amount); // refunds pay no due
    expect((await t.get(`/v1/lms/loans/excess_balance/?account=${a.id}`)).body.count).toBe(0);
    expect((await t.post('/v1/lms/records/excess_refund/', { account: a.id })).body.code).toBe('no_excess');
  });
});
