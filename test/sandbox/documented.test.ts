/** The documented endpoints answer field for field like ../shared/crego-api/examples. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { boot, ist, type Booted } from './helpers';

const ex = (name: string) => JSON.parse(readFileSync(new URL(`../../../shared/crego-api/examples/${name}`, import.meta.url), 'utf8'));
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every key of the documented object is present with the same JSON type (null in the example accepts any type). */
function sameShape(got: Record<string, unknown>, documented: Record<string, unknown>, path = '') {
  for (const [k, v] of Object.entries(documented)) {
    expect(got, `${path}${k} missing`).toHaveProperty(k);
    if (v !== null && got[k] !== null) expect(kind(got[k]), `${path}${k}`).toBe(kind(v));
  }
}

let t: Booted;
let lineLoan: string;
let lineAccount: string;
beforeAll(async () => {
  t = await boot({ accounts: 24 });
  const loans = (await t.get('/v1/lms/loans/?type=credit_line&page_size=1')).body.results;
  lineLoan = loans[0].id;
  lineAccount = loans[0].account;
});
afterAll(() => t.sb.close());

describe('documented endpoints', () => {
  it('Get Summary: the 23 fields of the example, same types, totals consistent', async () => {
    const documented = ex('accounts-get-summary.response.json');
    const loans = (await t.get('/v1/lms/loans/?page_size=24')).body.results;
    for (const l of loans) {
      const s = (await t.get(`/v1/lms/accounts/${l.account}/summary/?as_of_date=1768501799&include_closed_loan=true`)).body;
      expect(Object.keys(s).sort()).toEqual(Object.keys(documented).sort());
      sameShape(s, documented);
      const sum = s.principal_outstanding + s.interest_outstanding + s.overdue_outstanding + s.penal_outstanding + s.fee_outstanding;
      expect(s.total_outstanding).toBeCloseTo(sum, 2);
      expect(s.total_paid).toBeCloseTo(s.principal_paid + s.interest_paid + s.overdue_paid + s.penal_paid + s.fee_paid, 2);
      expect(s.disbursal_amount).toBeLessThan(s.loan_amount);
    }
  });

  it('Get Summary: a closed loan leaves the figures when include_closed_loan=false', async () => {
    const closed = (await t.get('/v1/lms/loans/?status=closed&page_size=1')).body.results[0];
    const withClosed = (await t.get(`/v1/lms/accounts/${closed.account}/summary/?include_closed_loan=true`)).body;
    const without = (await t.get(`/v1/lms/accounts/${closed.account}/summary/?include_closed_loan=false`)).body;
    expect(withClosed.principal_paid).toBe(withClosed.loan_amount);
    expect([without.principal_paid, without.loan_amount, without.total_outstanding]).toEqual([0, 0, 0]);
    expect((await t.get(`/v1/lms/accounts/${closed.account}/summary/?include_closed_loan=maybe`)).status).toBe(400);
  });

  it('List Settlements: the documented envelope and result fields, filterable by demand and loan', async () => {
    const documented = ex('emis-list-settlements.response.json');
    const page = (await t.get('/v1/lms/settlements/?page_size=5')).body;
    expect(Object.keys(page)).toEqual(Object.keys(documented));
    expect(page.results.length).toBeGreaterThan(0);
    for (const s of page.results) {
      expect(Object.keys(s).sort()).toEqual(Object.keys(documented.results[0]).sort());
      sameShape(s, documented.results[0]);
    }
    const one = page.results[0];
    const byDemand = (await t.get(`/v1/lms/settlements/?demand=${one.demand}&expand=record`)).body;
    expect(byDemand.results.every((s: any) => s.demand === one.demand)).toBe(true);
    const loan = (await t.get(`/v1/lms/loans/?account=${one.account}`)).body.results[0].id;
    const byLoan = (await t.get(`/v1/lms/settlements/?loan=${loan}&page_size=500`)).body;
    expect(byLoan.results.every((s: any) => s.account === one.account)).toBe(true);
    expect(byLoan.results.map((s: any) => s.id)).toContain(one.id);
  });

  it('Request Tranche: the documented request gives the documented payout object', async () => {
    const body = { ...ex('emis-request-tranche.request.json'), loan_id: lineLoan };
    const before = (await t.get(`/v1/lms/accounts/${lineAccount}/refresh_limit/`)).body;
    const r = await t.post('/v1/lms/payouts/add_tranche/', body);
    expect(r.status).toBe(200);
    for (const f of ['id', 'created_at', 'updated_at', 'type', 'ref_id', 'numeric_ref_id', 'index', 'amount', 'method', 'status', 'payout_service_id',
      'processed_at', 'bank_date', 'date', 'failed_remark', 'utr', 'debit_bank', 'credit_bank', 'payout_to', 'is_downloaded', 'is_imported', 'sent_to_gl', 'account'])
      expect(r.body).toHaveProperty(f);
    expect(Object.keys(r.body.credit_bank).sort()).toEqual(['account_holder_name', 'account_no', 'account_type', 'banking_id', 'created_at', 'id', 'ifsc', 'is_verified', 'program_ids', 'summary', 'tags', 'updated_at']);
    expect(r.body.amount).toBe(5000);
    const after = (await t.get(`/v1/lms/accounts/${lineAccount}/refresh_limit/`)).body;
    expect(after.utilised_amount).toBeCloseTo(before.utilised_amount + 5000, 2);
    const missing = await t.post('/v1/lms/payouts/add_tranche/', { amount: 5000 });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.loan_id).toEqual(['This field is required.']);
  });

  it('Initiate Adjustment: the documented request answers 201 with the record-like object, applied to the dues', async () => {
    const term = (await t.get('/v1/lms/loans/?type=term_loan&asset_category=SMA-1&page_size=1')).body.results[0];
    const before = (await t.get(`/v1/lms/accounts/${term.account}/summary/`)).body;
    const r = await t.post(`/v1/lms/loans/${term.id}/adjustments/`, ex('loans-initiate-adjustment.request.json'));
    expect(r.status).toBe(201);
    for (const f of ['id', 'created_at', 'updated_at', 'type', 'ref_id', 'index', 'received_amount', 'tds_amount', 'amount', 'remaining_amount', 'payment_mode',
      'pg_service_id', 'utr', 'settlement_utr', 'settlement_order', 'component_order', 'uploaded_by', 'uploaded_by_id', 'date', 'settled_at', 'revert_date',
      'revert_value_date', 'revert_sent_to_gl', 'bank_date', 'remark', 'status', 'collection_bank', 'back_date_found', 'back_date_marked_on', 'sent_to_gl'])
      expect(r.body).toHaveProperty(f);
    expect(r.body).toMatchObject({ type: 'cashback', amount: 1 });
    const after = (await t.get(`/v1/lms/accounts/${term.account}/summary/`)).body;
    expect(after.total_paid).toBeCloseTo(before.total_paid + 1, 2);
    expect((await t.post(`/v1/lms/loans/${term.id}/adjustments/`, { amount: 1 })).status).toBe(400);
  });

  it('Update Loan Params: the documented body (strings) answers {} and the parameters change', async () => {
    const acc = (await t.post('/v1/lms/accounts/', { borrower_name: 'Flow', loan_amount: 100000, roi: 12, emi_count: 12, disbursal_date: ist('2025-12-01') })).body;
    const body = { ...ex('accounts-update-loan-params.request.json'), lead_id: acc.lead_id, program_id: acc.program_id };
    body.line_detail = { approved_line_amount: '150000' };
    body.loan_data = { emi_count: '24', flat_roi_value: '14', pf_value: '1', pf_value_type: 'percentage' };
    const r = await t.call('PATCH', '/v1/lms/accounts/initiate_loan_params/', body);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(ex('accounts-update-loan-params.response.json'));
    const params = (await t.get(`/v1/lms/accounts/${acc.id}/loan_params/`)).body;
    expect(params).toMatchObject({ emi_count: 24, roi_value: [{ days: -1, value: 14 }], pf_value: 1 });
    const bad = await t.call('PATCH', '/v1/lms/accounts/initiate_loan_params/', { ...body, loan_data: { emi_count: 'many' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors)).toEqual(['loan_data.emi_count']);
  });

  it('Get Loan Params: every field of the partial example, same types', async () => {
    const documented = ex('accounts-get-loan-params.response.partial.json');
    const acc = (await t.post('/v1/lms/accounts/', { borrower_name: 'Params', loan_amount: 100000, roi: 12, emi_count: 12, pf_value: 0.5, disbursal_date: ist('2025-12-01') })).body;
    const p = (await t.get(`/v1/lms/accounts/${acc.id}/loan_params/`)).body;
    sameShape(p, documented);
    expect(p).toMatchObject({ type: 'loan', days_in_month: 30, days_in_year: 360, pf_value: 0.5, pf_gst: 18, pf_value_type: 'percentage', roi_period: 'years' });
  });

  it('login and refresh answer with the documented keys, user included', async () => {
    const login = await t.call('POST', '/auth/login/', { username: 'demo', password: 'demo', type: 'staff' }, { Authorization: '' });
    sameShape(login.body, ex('crego-platform-auth-login.response.json'));
    expect(Object.keys(login.body.user).sort()).toEqual(Object.keys(ex('crego-platform-auth-login.response.json').user).sort());
    const basic = await t.call('POST', '/auth/login/', undefined, { Authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` });
    expect(basic.status).toBe(200);
    const refreshed = await t.call('POST', '/auth/tokens/refresh/', { refresh: login.body.refresh }, { Authorization: '' });
    expect(Object.keys(refreshed.body).sort()).toEqual(Object.keys(ex('crego-platform-auth-refresh.response.json')).sort());
  });
});
