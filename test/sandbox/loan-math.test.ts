/**
 * The reference cases of ../shared/research/loan-math-cases.json, checked through the sandbox's
 * own HTTP endpoints (Calculate EMI, Create Account + Get Summary / List EMI, fees, topups, records).
 * Cases that describe something the sandbox does not model are named at the bottom with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { boot, ist, type Booted } from './helpers';

const CASES: any[] = JSON.parse(readFileSync(new URL('../../../shared/research/loan-math-cases.json', import.meta.url), 'utf8')).cases;
const byId = (id: string) => {
  const c = CASES.find((x) => x.id === id);
  if (!c) throw new Error(`case ${id} missing from loan-math-cases.json`);
  return c;
};
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "01 December 2022" → 2022-12-01 */
function isoFromLong(text: string): string {
  const [d, m, y] = text.split(' ');
  return `${y}-${String(MONTHS.indexOf(m) + 1).padStart(2, '0')}-${d.padStart(2, '0')}`;
}

let t: Booted;
beforeAll(async () => {
  t = await boot({ accounts: 12 });
});
afterAll(() => t.sb.close());

async function emi(body: Record<string, unknown>) {
  const r = await t.post('/v1/lms/emis/calculate_emi/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function account(body: Record<string, unknown>) {
  const r = await t.post('/v1/lms/accounts/', { borrower_name: 'Case Borrower', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const summary = async (id: string, date: string) => (await t.get(`/v1/lms/accounts/${id}/summary/?as_of_date=${ist(date)}`)).body;
const pay = async (acc: string, date: string, amount: number, extra: Record<string, unknown> = {}) => {
  const r = await t.post('/v1/lms/records/', { account: acc, amount, date: ist(date), payment_mode: 'neft', utr: `UTR-${acc.slice(0, 6)}-${date}-${amount}-${Math.random()}`, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
};

describe('schedules (Fineract e2e, row for row)', () => {
  const setups: Record<string, Record<string, unknown>> = {
    'fineract-rs01-flat': { interest_type: 'flat', emi_rounding: 'rupee' },
    'fineract-rs02-declining-same-as-period': { emi_rounding: 'rupee', days_in_year: 360, days_in_month: 30 },
    'fineract-rs03-declining-daily': { emi_rounding: 'rupee', days_in_year: 365, days_in_month: 'actual' },
    'fineract-rs04-equal-principal': { amortization: 'equal_principal', emi_rounding: 'paise' },
    'fineract-progressive-360-30': { emi_rounding: 'paise', days_in_year: 360, days_in_month: 30 },
  };
  for (const [id, setup] of Object.entries(setups)) {
    it(id, async () => {
      const c = byId(id);
      const lp = c.inputs.loan_params;
      const rows = c.expected.schedule.filter((r: any) => r.Nr !== null);
      const answer = await emi({
        loan_amount: Number(lp['with Principal']), roi: Number(lp['ANNUAL interest rate %']), emi_count: Number(lp.numberOfRepayments),
        start_date: ist(c.inputs.disbursed), ...setup,
      });
      expect(answer.schedule).toHaveLength(rows.length);
      rows.forEach((e: any, i: number) => {
        const got = answer.schedule[i];
        expect({ i, due: got.due_date, principal: got.principal, interest: got.interest, emi: got.emi_amount, balance: got.closing_balance }).toEqual({
          i, due: ist(isoFromLong(e.Date)), principal: e['Principal due'], interest: e.Interest, emi: e.Due, balance: e['Balance of loan'],
        });
      });
      expect(answer.total_interest).toBe(c.expected.total.Interest);
      expect(answer.total_amount).toBe(c.expected.total.Due);
    });
  }
});

describe('annuity functions (Excel PMT/IPMT/PPMT/CUMIPMT/CUMPRINC) through Calculate EMI at paise rounding', () => {
  const paise = (x: number) => Math.round(Math.abs(x) * 100) / 100;

  it('PMT: excel-pmt-1, mescius-pmt (arrears case), claris-pmt, adobe-formcalc-pmt', async () => {
    expect((await emi({ loan_amount: 10000, roi: 8, emi_count: 10, emi_rounding: 'paise' })).emi_amount).toBe(paise(byId('excel-pmt-1').expected.result));
    expect((await emi({ loan_amount: 5000, roi: 6, emi_count: 15, emi_rounding: 'paise' })).emi_amount).toBe(paise(byId('mescius-pmt').expected.results[0]));
    expect((await emi({ loan_amount: 21000, roi: 6.9, emi_count: 48, emi_rounding: 'paise' })).emi_amount).toBe(byId('claris-pmt').expected.payment);
    const adobe = byId('adobe-formcalc-pmt').expected.results;
    expect((await emi({ loan_amount: 150000, roi: 4.75, emi_count: 300, emi_rounding: 'paise' })).emi_amount).toBe(paise(adobe[0]));
    // 8.5 % per period = 102 % a year paid monthly.
    expect((await emi({ loan_amount: 25000, roi: 102, emi_count: 12, emi_rounding: 'paise' })).emi_amount).toBe(paise(adobe[1]));
  });

  it('IPMT and PPMT are the schedule rows’ interest and principal', async () => {
    const ipmt1 = await emi({ loan_amount: 8000, roi: 10, emi_count: 36, emi_rounding: 'paise' });
    expect(ipmt1.schedule[0].interest).toBe(paise(byId('excel-ipmt-1').expected.result));
    const ipmt2 = await emi({ loan_amount: 8000, roi: 120, emi_count: 3, emi_rounding: 'paise' }); // 10 % per period
    expect(ipmt2.schedule[2].interest).toBe(paise(byId('excel-ipmt-2').expected.result));
    const ppmt1 = await emi({ loan_amount: 2000, roi: 10, emi_count: 24, emi_rounding: 'paise' });
    expect(ppmt1.schedule[0].principal).toBe(paise(byId('excel-ppmt-1').expected.result));
    const ppmt2 = await emi({ loan_amount: 200000, roi: 96, emi_count: 10, emi_rounding: 'paise' }); // 8 % per period
    // The last row takes the residue of nine paise-rounded rows: within a few paise of the exact PPMT.
    expect(Math.abs(ppmt2.schedule[9].principal - paise(byId('excel-ppmt-2').expected.result))).toBeLessThanOrEqual(0.05);
  });

  it('CUMIPMT / CUMPRINC are sums of schedule rows (per-row rounding keeps them within a few paise)', async () => {
    const s = (await emi({ loan_amount: 125000, roi: 9, emi_count: 360, emi_rounding: 'paise' })).schedule;
    const sum = (from: number, to: number, f: string) => s.slice(from - 1, to).reduce((a: number, r: any) => a + Math.round(r[f] * 100), 0) / 100;
    expect(sum(1, 1, 'interest')).toBe(paise(byId('excel-cumipmt-2').expected.result));
    expect(sum(1, 1, 'principal')).toBe(paise(byId('excel-cumprinc-2').expected.result));
    expect(Math.abs(sum(13, 24, 'interest') - paise(byId('excel-cumipmt-1').expected.result))).toBeLessThanOrEqual(0.05);
    expect(Math.abs(sum(13, 24, 'principal') - paise(byId('excel-cumprinc-1').expected.result))).toBeLessThanOrEqual(0.05);
  });
});

describe('annuities paid in advance (Excel type 1), through Calculate EMI with emi_timing "advance"', () => {
  const paise = (x: number) => Math.round(Math.abs(x) * 100) / 100;

  it('PMT type 1: excel-pmt-2-type1 and mescius-pmt case 2; the first instalment is all principal, on the start date', async () => {
    const start = ist('2024-01-05');
    const a = await emi({ loan_amount: 10000, roi: 8, emi_count: 10, emi_rounding: 'paise', emi_timing: 'advance', start_date: start });
    expect(a.emi_amount).toBe(paise(byId('excel-pmt-2-type1').expected.result)); // 1,030.16
    expect(a.schedule[0]).toMatchObject({ interest: 0, principal: 1030.16, due_date: start });
    expect(a.schedule.at(-1).closing_balance).toBe(0);
    // mescius: 0.5 % a month = 6 % a year, 15 instalments on 5,000.
    const m = await emi({ loan_amount: 5000, roi: 6, emi_count: 15, emi_rounding: 'paise', emi_timing: 'advance' });
    expect(m.emi_amount).toBe(paise(byId('mescius-pmt').expected.results[1])); // 345.10
  });

  it('CUMIPMT / CUMPRINC type 1 are sums of the schedule rows (per-row rounding keeps them within a few paise)', async () => {
    const s = (await emi({ loan_amount: 125000, roi: 9, emi_count: 360, emi_rounding: 'paise', emi_timing: 'advance' })).schedule;
    const sum = (from: number, to: number, f: string) => s.slice(from - 1, to).reduce((a: number, r: any) => a + Math.round(r[f] * 100), 0) / 100;
    expect(Math.abs(sum(13, 24, 'interest') - paise(byId('excel-cumipmt-3-type1').expected.result))).toBeLessThanOrEqual(0.05);
    expect(Math.abs(sum(13, 24, 'principal') - paise(byId('excel-cumprinc-3-type1').expected.result))).toBeLessThanOrEqual(0.05);
    // …and differ from the arrears figures of the same loan (excel-cumipmt-1: 11,135.23), so the timing is real.
    expect(sum(13, 24, 'interest')).toBeLessThan(paise(byId('excel-cumipmt-1').expected.result) - 50);
  });

  it('excel-pmt-3-savings: saving up to a future value costs the EMI of a loan of its present value', async () => {
    // PMT(r, n, 0, FV) = PMT(r, n, FV / (1+r)^n): 50,000 in 18 years at 6 % = the EMI on 17,0xx today.
    const r = 0.06 / 12;
    const n = 18 * 12;
    const presentValue = Math.round((50000 / Math.pow(1 + r, n)) * 100) / 100;
    const a = await emi({ loan_amount: presentValue, roi: 6, emi_count: n, emi_rounding: 'paise' });
    expect(a.emi_amount).toBe(paise(byId('excel-pmt-3-savings').expected.result)); // 129.08
  });

  it('refuses advance timing where it has no meaning, naming the field', async () => {
    const r = await t.post('/v1/lms/emis/calculate_emi/', { loan_amount: 1000, roi: 10, emi_count: 12, emi_timing: 'advance', interest_type: 'flat' });
    expect(r.status).toBe(400);
    expect(r.body.errors.emi_timing[0]).toMatch(/reducing-balance equal instalments/);
  });
});

describe('rounding and flat rate', () => {
  it('rounds the EMI to the rupee half-up (RBI rule, rbi-round-to-rupee)', async () => {
    const ex = byId('rbi-round-to-rupee').expected.examples;
    expect((await emi({ loan_amount: 2075, roi: 0, emi_count: 2 })).schedule[0].emi_amount).toBe(ex[0].out); // 1037.50
    expect((await emi({ loan_amount: 103749, roi: 0, emi_count: 100 })).schedule[0].emi_amount).toBe(ex[1].out); // 1037.49
    expect((await emi({ loan_amount: 5000, roi: 12, emi_count: 18 })).emi_amount).toBe(ex[2].out); // 304.91
  });

  it('flat-rate cases: interest = P × rate × years, spread evenly', async () => {
    const c1 = byId('in-flat-10L-10-5y').expected;
    const a = await emi({ loan_amount: 1000000, roi: 10, emi_count: 60, interest_type: 'flat' });
    expect([a.emi_amount, a.total_interest, a.total_amount]).toEqual([c1.emi, c1.total_interest, c1.total_paid]);
    const c2 = byId('in-flat-5L-10-5y').expected;
    const b = await emi({ loan_amount: 500000, roi: 10, emi_count: 60, interest_type: 'flat' });
    expect([b.emi_amount, b.total_interest, b.total_amount]).toEqual([c2.emi, c2.total_interest, c2.total_paid]);
    const c3 = byId('in-flat-1L-10-5y').expected;
    const c = await emi({ loan_amount: 100000, roi: 10, emi_count: 60, interest_type: 'flat' });
    expect([c.total_interest, c.total_amount]).toEqual([c3.total_interest, c3.total_paid]);
  });
});

describe('daily accrual on credit-line topups (Get Summary as of each day)', () => {
  async function line(roi: number, diy: 360 | 365, amount: number, tenure: number) {
    const acc = await account({ type: 'credit_line', line_amount: 5_000_000, roi, days_in_year: diy, disbursal_date: ist('2024-01-01'), penal_roi: 0, overdue_roi: 0 });
    const top = await t.post('/v1/lms/topups/', { account: acc.id, amount, date: ist('2024-01-10'), tenure_days: tenure, ref_id: `T-${roi}-${amount}` });
    expect(top.status, JSON.stringify(top.body)).toBe(201);
    return acc.id as string;
  }
  const plus = (days: number) => new Date(Date.UTC(2024, 0, 10 + days)).toISOString().slice(0, 10);

  it('daily-interest-18.25: ₹5 a day, 600 over 120 days', async () => {
    const c = byId('daily-interest-18.25').expected;
    const id = await line(18.25, 365, 10000, 120);
    expect((await summary(id, plus(1))).interest_outstanding).toBe(c.daily_interest);
    const end = await summary(id, plus(120));
    expect(end.interest_outstanding).toBe(c.total_interest);
    expect(end.interest_due).toBe(c.total_interest);
    expect(end.total_outstanding).toBe(c.total_repayment);
  });

  it('daily-interest-19.5-90d: accrue unrounded, round once (48,082.19 not 48,082.50)', async () => {
    const c = byId('daily-interest-19.5-90d').expected;
    const id = await line(19.5, 365, 1000000, 90);
    expect((await summary(id, plus(1))).interest_outstanding).toBe(c.daily_interest);
    expect((await summary(id, plus(90))).interest_outstanding).toBe(c.interest_90_days);
    expect((await summary(id, plus(89))).interest_outstanding).toBe(Math.round(1000000 * 0.195 * 89 / 365 * 100) / 100);
  });

  it('daily-interest-12-45d and discount-360-basis', async () => {
    const c = byId('daily-interest-12-45d').expected;
    const a = await line(12, 365, 100000, 45);
    const s = await summary(a, plus(45));
    expect([s.interest_outstanding, s.total_outstanding]).toEqual([c.interest, c.total]);
    const d = byId('discount-360-basis').expected;
    const b = await line(6, 360, 1000, 20);
    const s2 = await summary(b, plus(20));
    expect(s2.interest_outstanding).toBe(d.discount);
    expect(Math.round((1000 - s2.interest_outstanding) * 100) / 100).toBe(d.early_payment);
  });
});

describe('slab ROI on credit-line drawdowns (Crego sample params: 18 % ≤ 15 d, 24 % ≤ 30 d, 36 % beyond)', () => {
  const roi_value = [{ days: '15', value: 18 }, { days: '30', value: 24 }, { days: -1, value: 36 }];

  it('tiered per day: 1 L repaid on day 40, /360 = 750 + 1,000 + 1,000 = 2,750 (derived check, loan-math.md §1.6)', async () => {
    const acc = await account({ type: 'credit_line', line_amount: 500000, roi: 18, roi_value, days_in_year: 360, disbursal_date: ist('2024-01-01'), penal_roi: 0, overdue_roi: 0 });
    await t.post('/v1/lms/topups/', { account: acc.id, amount: 100000, date: ist('2024-01-01'), tenure_days: 40, ref_id: 'SLAB-1' });
    expect((await summary(acc.id, '2024-01-21')).interest_outstanding).toBe(Math.round((100000 * (15 * 18 + 5 * 24)) / 36000 * 100) / 100);
    const due = await summary(acc.id, '2024-02-10');
    expect([due.interest_due, due.total_outstanding]).toEqual([2750, 102750]);
    const params = (await t.get(`/v1/lms/accounts/${acc.id}/loan_params/`)).body;
    expect(params).toMatchObject({ roi_slab_based: true, roi_value });
  });

  it('a drawdown repaid before its due date: interest only for the days it ran, the line restored at once', async () => {
    // Business date of the test sandbox: 2026-01-15. Drawn 20 Dec 2025 for 40 days (due 29 Jan 2026).
    const acc = await account({ type: 'credit_line', line_amount: 500000, roi: 18, roi_value, days_in_year: 360, disbursal_date: ist('2025-12-01'), penal_roi: 0 });
    const top = (await t.post('/v1/lms/topups/', { account: acc.id, amount: 100000, date: ist('2025-12-20'), tenure_days: 40, ref_id: 'EARLY-1' })).body;
    expect((await t.get(`/v1/lms/accounts/${acc.id}/refresh_limit/`)).body.available_amount).toBe(400000);
    // Day 20: 15 days at 18 % + 5 at 24 % = 750 + 333.33 earned; the rest of 50,000 repays principal.
    await pay(acc.id, '2026-01-09', 50000);
    const part = await summary(acc.id, '2026-01-09');
    expect([part.interest_paid, part.principal_paid, part.principal_outstanding, part.excess_payment, part.total_paid]).toEqual([1083.33, 48916.67, 51083.33, 0, 50000]);
    expect((await t.get(`/v1/lms/accounts/${acc.id}/refresh_limit/`)).body.available_amount).toBe(448916.67);
    // The rest of the term is priced on what is left: 10 days at 24 % + 10 at 36 % on 51,083.33 = 851.39.
    const listed = (await t.get(`/v1/lms/topups/?account=${acc.id}`)).body.results[0];
    expect([listed.id, listed.interest_amount, listed.principal_outstanding, listed.status]).toEqual([top.id, 1934.72, 51083.33, 'disbursed']); // 1,083.33 + 851.39
    // Day 25: 5 more days at 24 % on 51,083.33 = 170.28 closes it.
    await pay(acc.id, '2026-01-14', 51253.61); // 51,083.33 + 170.28
    const done = await summary(acc.id, '2026-01-14');
    expect([done.total_outstanding, done.interest_paid, done.excess_payment, done.dpd]).toEqual([0, 1253.61, 0, 0]);
    expect((await t.get(`/v1/lms/topups/?account=${acc.id}`)).body.results[0].status).toBe('closed');
    expect((await t.get(`/v1/lms/accounts/${acc.id}/refresh_limit/`)).body.available_amount).toBe(500000);
    // Read as of a day before the repayments, the drawdown is as it was.
    expect((await summary(acc.id, '2026-01-08')).principal_outstanding).toBe(100000);
  });

  it('past the due date a drawdown keeps the rate of its age (overdue_roi_same_as_roi): 5 days late on 1 L at 36 % = 500', async () => {
    const acc = await account({ type: 'credit_line', line_amount: 500000, roi: 18, roi_value, days_in_year: 360, disbursal_date: ist('2024-01-01'), penal_roi: 72 });
    await t.post('/v1/lms/topups/', { account: acc.id, amount: 100000, date: ist('2024-01-01'), tenure_days: 40, ref_id: 'SLAB-LATE' });
    const s = await summary(acc.id, '2024-02-14'); // due 10 Feb: day-ends of the 10th to the 14th overdue
    expect([s.dpd, s.interest_due, s.overdue_outstanding]).toEqual([5, 2750, 500]);
    const params = (await t.get(`/v1/lms/accounts/${acc.id}/loan_params/`)).body;
    expect(params).toMatchObject({ overdue_roi_same_as_roi: true, overdue_roi_value: [{ days: -1, value: 36 }] });
  });

  it('refuses slabs that do not grow or do not end open-ended, naming roi_value', async () => {
    const bad = await t.post('/v1/lms/accounts/', { borrower_name: 'x', type: 'credit_line', line_amount: 1000, roi: 18, roi_value: [{ days: '30', value: 18 }, { days: '15', value: 24 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.roi_value[0]).toMatch(/grow/);
  });
});

describe('fees, GST and processing fee netted from the payout', () => {
  it('gst-pf-1pct-2L and fineract-fee01: fee + 18 % GST deducted from the payout, principal stays the loan amount', async () => {
    const c = byId('gst-pf-1pct-2L').expected;
    const acc = await account({ loan_amount: 200000, roi: 12, emi_count: 12, pf_value: 1, pf_value_type: 'percentage', pf_gst: 18, disbursal_date: ist('2024-01-01') });
    expect([acc.processing_fee, acc.processing_fee_gst]).toEqual([c.processing_fee, c.gst]);
    const s = await summary(acc.id, '2024-01-02');
    expect(s.loan_amount).toBe(200000);
    expect(s.disbursal_amount).toBe(200000 - c.total_fee);
    expect(s.payout_amount).toBe(s.disbursal_amount);
    expect(s.principal_outstanding).toBe(200000);
    const f1 = byId('fineract-fee01-disbursement-pct').expected;
    const small = await account({ loan_amount: 1000, roi: 12, emi_count: 3, pf_value: 1.5, pf_gst: 0, disbursal_date: ist('2024-01-01') });
    expect(small.processing_fee).toBe(f1.fee);
    expect((await summary(small.id, '2024-01-02')).principal_outstanding).toBe(f1.loan_balance_after_disbursal);
  });

  it('gst-pf-10000, gst-pf-5000 and late-fee-plus-gst: Create Fee adds 18 % GST', async () => {
    const acc = await account({ loan_amount: 100000, roi: 12, emi_count: 12, disbursal_date: ist('2024-01-01') });
    for (const [id, amount, gst, total] of [
      ['gst-pf-10000', 10000, byId('gst-pf-10000').expected.gst, byId('gst-pf-10000').expected.total_fee],
      ['gst-pf-5000', 5000, byId('gst-pf-5000').expected.gst, byId('gst-pf-5000').expected.total_fee],
      ['late-fee-plus-gst', 300, 54, byId('late-fee-plus-gst').expected.late_fee_with_gst],
    ] as const) {
      const r = await t.post('/v1/lms/fees/', { account: acc.id, type: 'other', amount, date: ist('2024-01-05'), ref_id: id });
      expect(r.status).toBe(201);
      expect([r.body.gst_amount, r.body.total_amount]).toEqual([gst, total]);
    }
    expect((await summary(acc.id, '2024-01-05')).total_fees).toBe(11800 + 5900 + 354);
  });

  it('fineract-fee04/05: a late fee per missed instalment on top of a flat 3-instalment loan', async () => {
    for (const [id, base] of [['fineract-fee04-late-fee-principal', 'principal'], ['fineract-fee05-late-fee-principal-interest', 'emi']] as const) {
      const c = byId(id).expected;
      const acc = await account({ loan_amount: 3000, roi: 12, emi_count: 3, interest_type: 'flat', emi_rounding: 'paise', penal_roi: 0, disbursal_date: ist('2023-01-01') });
      const rows = (await t.get(`/v1/lms/emis/?account=${acc.id}&as_of_date=${ist('2023-06-01')}`)).body.results;
      expect(rows.map((r: any) => [r.principal, r.interest])).toEqual([[1000, 30], [1000, 30], [1000, 30]]);
      for (const r of rows) {
        const fee = Math.round(0.015 * (base === 'principal' ? r.principal : r.emi_amount) * 100) / 100;
        expect(fee).toBe(c.late_fee_per_installment);
        const f = await t.post('/v1/lms/fees/', { account: acc.id, type: 'late_fee', amount: fee, gst_applicable: false, date: r.due_date + 86400, ref_id: `late-${r.index}` });
        expect(f.status).toBe(201);
      }
      const s = await summary(acc.id, '2023-06-01');
      expect(s.total_fees).toBe(c.total_penalties);
      expect(s.total_outstanding).toBe(c.total_due);
    }
  });
});

describe('penal and overdue interest accrue daily on what is overdue', () => {
  it('36 % a year on a 360-day basis is 0.1 % a day of the overdue instalment (late-fee-plus-gst penal rate)', async () => {
    const acc = await account({ loan_amount: 100000, roi: 12, emi_count: 12, penal_roi: byId('late-fee-plus-gst').expected.penal_annualised_pct_as_stated, days_in_year: 360, disbursal_date: ist('2024-01-01') });
    const rows = (await t.get(`/v1/lms/emis/?account=${acc.id}`)).body.results;
    expect(rows[0].due_date).toBe(ist('2024-02-01'));
    const s = await summary(acc.id, '2024-02-05'); // DPD 5
    expect(s.dpd).toBe(5);
    expect(s.penal_outstanding).toBe(Math.round(rows[0].emi_amount * 0.001 * 5 * 100) / 100);
  });

  it('a topup 5 days late: overdue interest at the rate on principal (derived check: 1 L at 36 % → 500)', async () => {
    const acc = await account({ type: 'credit_line', line_amount: 500000, roi: 36, overdue_roi: 36, penal_roi: 72, days_in_year: 360, disbursal_date: ist('2024-01-01') });
    await t.post('/v1/lms/topups/', { account: acc.id, amount: 100000, date: ist('2024-01-01'), tenure_days: 40, ref_id: 'late-5' });
    const s = await summary(acc.id, '2024-02-14'); // due 2024-02-10, day-end of the 14th = 5 days overdue
    expect(s.dpd).toBe(5);
    expect(s.overdue_outstanding).toBe(500);
    expect(s.interest_due).toBe(4000);
    expect(s.penal_outstanding).toBe(Math.round((100000 + 4000) * 0.72 * 5 / 360 * 100) / 100);
  });
});

describe('payment allocation', () => {
  it('fineract-rbi-strategy-interest-first: settlement_order "rbi" clears interest on every due before principal', async () => {
    const c = byId('fineract-rbi-strategy-interest-first').expected;
    // 400 flat at 60 % over 2 months → two instalments of 200 principal + 20 interest.
    for (const order of ['rbi', 'oldest_due_first']) {
      const acc = await account({ loan_amount: 400, roi: 60, emi_count: 2, interest_type: 'flat', emi_rounding: 'paise', penal_roi: 0, disbursal_date: ist('2024-01-01') });
      await pay(acc.id, '2024-03-01', 40, { settlement_order: order });
      const rows = (await t.get(`/v1/lms/emis/?account=${acc.id}&as_of_date=${ist('2024-03-01')}`)).body.results;
      expect(rows.map((r: any) => [r.principal, r.interest])).toEqual([[200, 20], [200, 20]]);
      const got = rows.map((r: any, i: number) => ({ installment: i + 1, interest: r.interest_paid, principal: r.principal_paid }));
      if (order === 'rbi') {
        expect(got).toEqual(c.allocation);
        expect(rows.map((r: any) => r.principal - r.principal_paid)).toEqual(c.principal_remaining);
      } else {
        expect(got).toEqual([{ installment: 1, interest: 20, principal: 20 }, { installment: 2, interest: 0, principal: 0 }]);
      }
    }
  });

  it('fineract-overpayment: money beyond the dues is parked as excess, not refused', async () => {
    const c = byId('fineract-overpayment');
    const acc = await account({ loan_amount: 1000, roi: 0, emi_count: 1, disbursal_date: ist('2022-12-05'), first_due_date: ist('2023-01-05'), penal_roi: 0 });
    const [p1, p2, p3] = c.inputs.payments;
    await pay(acc.id, p1.date, p1.amount);
    const early = await summary(acc.id, '2023-01-04');
    expect([early.principal_outstanding, early.excess_payment]).toEqual([1000, 450]);
    await pay(acc.id, p2.date, p2.amount);
    expect((await summary(acc.id, '2023-01-05')).total_outstanding).toBe(c.expected.outstanding_before_last);
    await pay(acc.id, p3.date, p3.amount, { type: 'receipt' });
    const after = await summary(acc.id, '2023-01-05');
    expect(after.total_outstanding).toBe(c.expected.outstanding_after);
    expect(after.excess_payment).toBe(c.expected.overpaid_amount);
    expect(after.total_paid).toBe(1000);
    const loan = (await t.get(`/v1/lms/loans/?account=${acc.id}`)).body.results[0];
    expect(loan.status).toBe('closed');
  });
});

describe('DPD and asset category (RBI day-end rule: DPD = D − oldest unpaid due + 1)', () => {
  it('due 31 Mar 2023, unpaid: SMA-1 at day-end 30 Apr, SMA-2 on 30 May, NPA on 29 Jun; the same account read as of each date', async () => {
    const acc = await account({ loan_amount: 120000, roi: 12, emi_count: 12, disbursal_date: ist('2023-02-28'), first_due_date: ist('2023-03-31'), penal_roi: 0 });
    const expectAt = async (date: string, dpd: number, category: string, since: string | null) => {
      const s = await summary(acc.id, date);
      expect({ date, dpd: s.dpd, category: s.asset_category, since: s.asset_category_date }).toEqual({ date, dpd, category, since: since && ist(since) });
    };
    await expectAt('2023-03-30', 0, 'Regular', null);
    await expectAt('2023-03-31', 1, 'SMA-0', '2023-03-31');
    await expectAt('2023-04-29', 30, 'SMA-0', '2023-03-31');
    await expectAt('2023-04-30', 31, 'SMA-1', '2023-04-30');
    await expectAt('2023-05-29', 60, 'SMA-1', '2023-04-30');
    await expectAt('2023-05-30', 61, 'SMA-2', '2023-05-30');
    await expectAt('2023-06-28', 90, 'SMA-2', '2023-05-30');
    await expectAt('2023-06-29', 91, 'NPA', '2023-06-29');
    // Paying the oldest instalment only does not upgrade an NPA; clearing all arrears does.
    const rows = (await t.get(`/v1/lms/emis/?account=${acc.id}&as_of_date=${ist('2023-07-10')}`)).body.results;
    await pay(acc.id, '2023-07-10', rows[0].emi_amount);
    const partial = await summary(acc.id, '2023-07-10');
    // Peak: day-end of 9 Jul (101); the payment on the 10th lands before that day's end.
    expect([partial.asset_category, partial.dpd, partial.peak_dpd]).toEqual(['NPA', 72, 101]);
    const arrears = rows.slice(1).filter((r: any) => r.due_date <= ist('2023-07-10')).reduce((s: number, r: any) => s + r.emi_amount, 0);
    await pay(acc.id, '2023-07-11', Math.round(arrears * 100) / 100);
    const cleared = await summary(acc.id, '2023-07-11');
    expect([cleared.asset_category, cleared.dpd, cleared.peak_dpd, cleared.asset_category_date]).toEqual(['Regular', 0, 101, null]);
    // History is kept: as of the old date the account still reads as it did.
    expect((await summary(acc.id, '2023-06-29')).asset_category).toBe('NPA');
  });

  it('a payment on the due date keeps DPD 0; one day later the settlement carries DPD 1', async () => {
    const acc = await account({ loan_amount: 10000, roi: 12, emi_count: 3, disbursal_date: ist('2024-01-01'), penal_roi: 0 });
    const rows = (await t.get(`/v1/lms/emis/?account=${acc.id}`)).body.results;
    const r1 = await pay(acc.id, '2024-02-01', rows[0].emi_amount);
    expect((await summary(acc.id, '2024-02-01')).dpd).toBe(0);
    const r2 = await pay(acc.id, '2024-03-02', rows[1].emi_amount);
    const s1 = (await t.get(`/v1/lms/settlements/?record=${r1.id}`)).body.results;
    const s2 = (await t.get(`/v1/lms/settlements/?record=${r2.id}`)).body.results;
    expect(s1.map((s: any) => s.dpd)).toEqual([0]);
    expect(s2.map((s: any) => s.dpd)).toEqual([1]);
    expect((await summary(acc.id, '2024-03-02')).peak_dpd).toBe(1);
  });
});

describe('broken-period interest', () => {
  it('derived check of loan-math.md §1.4: 1 L at 12 %, disbursed 20 Jan, due on the 5th → 16 days, 526.03 (365) / 533.33 (360)', async () => {
    const base = { loan_amount: 100000, roi: 12, emi_count: 12, start_date: ist('2024-01-20'), first_due_date: ist('2024-03-05') };
    const a = await emi({ ...base, days_in_year: 365 });
    const b = await emi({ ...base, days_in_year: 360 });
    expect([a.broken_period_interest, b.broken_period_interest]).toEqual([526.03, 533.33]);
    // Then the regular month: 30 days of interest (1 L × 12 % × 30/360 = 1,000; × 30/365 = 986.30).
    expect(Math.round((b.schedule[0].interest - b.broken_period_interest) * 100) / 100).toBe(1000);
    expect(Math.round((a.schedule[0].interest - a.broken_period_interest) * 100) / 100).toBe(986.3);
    const acc = await account({ ...base, disbursal_date: base.start_date, start_date: undefined, days_in_year: 365 });
    expect((await summary(acc.id, '2024-01-21')).broken_period_interest).toBe(526.03);
  });
});

// Not run, with the reason:
// - in-pre-emi-tranches: staged disbursal with pre-EMI is not modelled (term loans disburse once).
// - bpi-30-days: illustrative only (the source rounds the rate first); the derived BPI check above is used instead.
