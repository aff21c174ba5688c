/**
 * Wire shapes: turn the ledger (paise, day numbers) into the JSON Crego answers with (rupees,
 * epoch seconds). Field names follow the lists in src/api/endpoints.ts; Get Summary follows
 * Crego's documented example field for field.
 */
import type { AccountSummary, AssetCategory } from '../api/types';
import { endOfDay } from './days';
import { accruedNotDue, overdueDue, penalDue, settlementId, unpaid, type Demand } from './demands';
import type { Evaluation } from './ledger';
import { processingFee, roundHalfUp, rupees } from './math';
import { isApplied, type AccountRow, type FeeRow, type PayoutRow, type RecordRow, type TopupRow } from './store';

/** RBI's DPD bands (a sticky NPA is decided by the ledger). */
export function assetCategory(ev: Evaluation): { category: AssetCategory; since: number | null } {
  if (ev.npaSince !== null) return { category: 'NPA', since: ev.npaSince };
  const dpd = ev.dpd;
  const start = ev.oldestUnpaidDue;
  if (dpd <= 0 || start === null) return { category: 'Regular', since: null };
  if (dpd <= 30) return { category: 'SMA-0', since: start };
  if (dpd <= 60) return { category: 'SMA-1', since: start + 30 };
  if (dpd <= 90) return { category: 'SMA-2', since: start + 60 };
  return { category: 'NPA', since: start + 90 };
}

interface Totals {
  principalPaid: number;
  principalOutstanding: number;
  principalDue: number;
  interestPaid: number;
  interestDue: number;
  interestAccrued: number;
  overduePaid: number;
  overdueOutstanding: number;
  penalPaid: number;
  penalOutstanding: number;
  fees: number;
  feePaid: number;
  feeDue: number;
}

export function totals(ev: Evaluation, a: AccountRow, demands: Demand[] = ev.demands): Totals {
  const t: Totals = {
    principalPaid: 0, principalOutstanding: 0, principalDue: 0, interestPaid: 0, interestDue: 0, interestAccrued: 0,
    overduePaid: 0, overdueOutstanding: 0, penalPaid: 0, penalOutstanding: 0, fees: 0, feePaid: 0, feeDue: 0,
  };
  for (const d of demands) {
    const isDue = d.dueDay <= ev.day;
    t.principalPaid += d.paidPrincipal;
    t.principalOutstanding += d.principal - d.paidPrincipal;
    t.interestPaid += d.paidInterest;
    t.overduePaid += d.overduePaid;
    t.overdueOutstanding += overdueDue(d);
    t.penalPaid += d.penalPaid;
    t.penalOutstanding += penalDue(d);
    t.fees += d.charges;
    t.feePaid += d.paidCharges;
    if (isDue) {
      t.principalDue += d.principal - d.paidPrincipal;
      t.interestDue += d.interest - d.paidInterest;
      t.feeDue += d.charges - d.paidCharges;
    } else {
      t.interestAccrued += accruedNotDue(d, ev.day, a);
    }
  }
  t.interestAccrued = roundHalfUp(t.interestAccrued);
  return t;
}

/** Get Summary: the 23 documented fields, in Crego's order. */
export function summaryView(ev: Evaluation, a: AccountRow, includeClosed: boolean): AccountSummary {
  const hidden = !includeClosed && ev.closed;
  const t = totals(ev, a, hidden ? [] : ev.demands);
  const interestOutstanding = t.interestDue + t.interestAccrued;
  const feeOutstanding = t.fees - t.feePaid;
  const { category, since } = hidden ? { category: 'Regular' as const, since: null } : assetCategory(ev);
  return {
    principal_paid: rupees(t.principalPaid),
    principal_outstanding: rupees(t.principalOutstanding),
    interest_paid: rupees(t.interestPaid),
    interest_outstanding: rupees(interestOutstanding),
    interest_due: rupees(t.interestDue),
    overdue_paid: rupees(t.overduePaid),
    overdue_outstanding: rupees(t.overdueOutstanding),
    penal_paid: rupees(t.penalPaid),
    penal_outstanding: rupees(t.penalOutstanding),
    total_fees: rupees(t.fees),
    fee_paid: rupees(t.feePaid),
    fee_outstanding: rupees(feeOutstanding),
    total_paid: rupees(t.principalPaid + t.interestPaid + t.overduePaid + t.penalPaid + t.feePaid),
    total_outstanding: rupees(t.principalOutstanding + interestOutstanding + t.overdueOutstanding + t.penalOutstanding + feeOutstanding),
    disbursal_amount: rupees(hidden ? 0 : ev.payout),
    loan_amount: rupees(hidden ? 0 : ev.loanAmount),
    payout_amount: rupees(hidden ? 0 : ev.payout),
    broken_period_interest: rupees(hidden ? 0 : (ev.schedule?.brokenPeriodInterest ?? 0)),
    excess_payment: rupees(hidden ? 0 : ev.excess),
    dpd: hidden ? 0 : ev.dpd,
    asset_category_date: since === null ? null : endOfDay(since),
    peak_dpd: hidden ? 0 : ev.peakDpd,
    asset_category: category,
  };
}

/** Outstanding data: what is owed as of the date, split into due and not yet due. */
export function outstandingView(ev: Evaluation, a: AccountRow) {
  const t = totals(ev, a);
  const next = ev.demands.find((d) => d.dueDay > ev.day && d.kind !== 'fee');
  const interestOutstanding = t.interestDue + t.interestAccrued;
  const feeOutstanding = t.fees - t.feePaid;
  return {
    account: a.id,
    as_of_date: endOfDay(ev.day),
    principal_outstanding: rupees(t.principalOutstanding),
    interest_outstanding: rupees(interestOutstanding),
    overdue_outstanding: rupees(t.overdueOutstanding),
    penal_outstanding: rupees(t.penalOutstanding),
    fee_outstanding: rupees(feeOutstanding),
    total_outstanding: rupees(t.principalOutstanding + interestOutstanding + t.overdueOutstanding + t.penalOutstanding + feeOutstanding),
    principal_due: rupees(t.principalDue),
    interest_due: rupees(t.interestDue),
    total_due: rupees(t.principalDue + t.interestDue + t.overdueOutstanding + t.penalOutstanding + t.feeDue),
    dpd: ev.dpd,
    next_due_date: next ? endOfDay(next.dueDay) : null,
    next_due_amount: next ? rupees(unpaid(next)) : null,
  };
}

export function loanStatus(ev: Evaluation): 'active' | 'closed' {
  return ev.closed ? 'closed' : 'active';
}

/** One loan per account: a term loan, or the credit line whose topups are its tranches. */
export function loanView(ev: Evaluation, a: AccountRow) {
  const rows = ev.schedule?.rows ?? [];
  const isTerm = a.type === 'term_loan';
  return {
    id: a.loan_id,
    created_at: a.created_at,
    updated_at: a.updated_at,
    account: a.id,
    type: a.type,
    status: loanStatus(ev),
    loan_amount: rupees(isTerm ? ev.loanAmount || a.loan_amount : a.line_amount),
    disbursal_amount: rupees(isTerm && !ev.payout ? disbursal(a) : ev.payout),
    roi_value: a.params.roi,
    emi_count: isTerm ? a.params.emi_count : ev.demands.filter((d) => d.kind === 'topup').length,
    emi_amount: rupees(ev.schedule?.emi ?? 0),
    disbursal_date: endOfDay(a.disbursal_day),
    first_due_date: rows[0] ? endOfDay(rows[0].dueDay) : null,
    maturity_date: rows.length ? endOfDay(rows[rows.length - 1].dueDay) : null,
    closed_at: ev.closedDay !== null ? endOfDay(ev.closedDay) : null,
    borrower_name: a.borrower_name,
    asset_category: assetCategory(ev).category,
  };
}

function disbursal(a: AccountRow): number {
  const pf = processingFee(a.loan_amount, a.params.pf_value, a.params.pf_value_type, a.params.pf_gst);
  return a.loan_amount - pf.fee - pf.gst;
}

/** Get Loan Summary. */
export function loanSummaryView(ev: Evaluation, a: AccountRow) {
  const t = totals(ev, a);
  const instalments = ev.demands.filter((d) => d.kind !== 'fee');
  const paid = instalments.filter((d) => unpaid(d) <= 0).length;
  const next = instalments.find((d) => d.dueDay > ev.day);
  const interestOutstanding = t.interestDue + t.interestAccrued;
  return {
    loan: a.loan_id,
    account: a.id,
    loan_amount: rupees(ev.loanAmount),
    principal_paid: rupees(t.principalPaid),
    principal_outstanding: rupees(t.principalOutstanding),
    interest_paid: rupees(t.interestPaid),
    interest_outstanding: rupees(interestOutstanding),
    total_outstanding: rupees(t.principalOutstanding + interestOutstanding + t.overdueOutstanding + t.penalOutstanding + (t.fees - t.feePaid)),
    emis_paid: paid,
    emis_remaining: instalments.length - paid,
    next_due_date: next ? endOfDay(next.dueDay) : null,
    dpd: ev.dpd,
    status: loanStatus(ev),
    as_of_date: endOfDay(ev.day),
  };
}

/** List EMI rows: the schedule (or a credit line's topup dues) with what has been paid. */
export function emiView(ev: Evaluation, a: AccountRow, d: Demand) {
  const paid = d.paidPrincipal + d.paidInterest;
  const outstanding = unpaid(d);
  const due = d.dueDay <= ev.day;
  const status = outstanding <= 0 ? 'paid' : paid > 0 ? 'partially_paid' : due ? 'due' : 'upcoming';
  const dpd = outstanding <= 0 ? Math.max(0, (d.settledDay ?? d.dueDay) - d.dueDay) : due ? ev.day - d.dueDay + 1 : 0;
  return {
    id: d.id,
    loan: a.loan_id,
    account: a.id,
    index: d.index,
    due_date: endOfDay(d.dueDay),
    emi_amount: rupees(d.principal + d.interest),
    principal: rupees(d.principal),
    interest: rupees(d.interest),
    opening_balance: rupees(d.openingBalance),
    closing_balance: rupees(d.openingBalance - d.principal),
    paid_amount: rupees(paid),
    principal_paid: rupees(d.paidPrincipal),
    interest_paid: rupees(d.paidInterest),
    outstanding_amount: rupees(outstanding),
    penal_outstanding: rupees(penalDue(d)),
    status,
    dpd,
    topup: d.kind === 'topup' ? d.source : null,
  };
}

export function settlementView(s: Evaluation['settlements'][number], a: AccountRow, createdAt: number) {
  return {
    id: settlementId(s),
    created_at: createdAt,
    updated_at: createdAt,
    date: endOfDay(s.day),
    amount: rupees(s.amount),
    outstanding_amount: rupees(s.outstanding),
    remaining_amount: rupees(s.remaining),
    sent_to_gl: false,
    due_amount: rupees(s.due),
    dpd: s.dpd,
    peak_dpd: s.peakDpd,
    to_be_deleted: false,
    account: a.id,
    demand: s.demand,
    record: s.record,
  };
}

export function recordView(r: RecordRow, a: AccountRow, ev: Evaluation | null) {
  // A payment the queue has not applied (requested, rejected) has paid nothing yet.
  const applied = isApplied(r);
  const remaining = !applied ? r.amount : (ev?.recordRemaining.get(r.id) ?? (ev && r.day <= ev.day ? 0 : r.amount));
  const settled = applied ? ev?.recordSettledDay.get(r.id) : undefined;
  return {
    id: r.id,
    created_at: r.created_at,
    updated_at: r.created_at,
    type: r.type,
    ref_id: r.utr ?? r.id,
    index: r.index,
    received_amount: rupees(r.amount - r.tds_amount),
    tds_amount: rupees(r.tds_amount),
    amount: rupees(r.amount),
    remaining_amount: rupees(remaining),
    payment_mode: r.payment_mode,
    pg_service_id: null,
    utr: r.utr,
    settlement_utr: null,
    settlement_order: r.settlement_order,
    component_order: 'charges,penal,interest,principal',
    uploaded_by: null,
    uploaded_by_id: null,
    date: endOfDay(r.day),
    settled_at: settled !== undefined ? endOfDay(settled) : null,
    revert_date: null,
    revert_value_date: null,
    revert_sent_to_gl: false,
    bank_date: r.bank_day === null ? null : endOfDay(r.bank_day),
    remark: r.remark,
    status: r.status ?? 'processed',
    failed_remark: r.failed_remark ?? null,
    collection_bank: null,
    back_date_found: false,
    back_date_marked_on: null,
    sent_to_gl: false,
    account: a.id,
    loan: a.loan_id,
  };
}

export function feeView(f: FeeRow, a: AccountRow, ev: Evaluation | null) {
  const d = ev?.demands.find((x) => x.kind === 'fee' && x.source === f.id);
  const total = f.amount + f.gst_amount;
  const paid = d ? d.paidCharges : 0;
  return {
    id: f.id,
    created_at: f.created_at,
    updated_at: f.updated_at,
    account: a.id,
    loan: a.loan_id,
    type: f.type,
    amount: rupees(f.amount),
    gst_amount: rupees(f.gst_amount),
    total_amount: rupees(total),
    paid_amount: rupees(paid),
    outstanding_amount: rupees(total - paid),
    date: endOfDay(f.day),
    due_date: endOfDay(f.due_day),
    ref_id: f.ref_id,
    remark: f.remark,
    status: total - paid <= 0 ? 'paid' : 'due',
  };
}

export function topupView(t: TopupRow, a: AccountRow, ev: Evaluation | null) {
  const d = ev?.demands.find((x) => x.kind === 'topup' && x.source === t.id);
  const principalOutstanding = d ? d.principal - d.paidPrincipal : t.amount;
  const status = !d ? 'scheduled' : unpaid(d) <= 0 ? 'closed' : 'disbursed';
  return {
    id: t.id,
    created_at: t.created_at,
    updated_at: t.created_at,
    account: a.id,
    loan: a.loan_id,
    amount: rupees(t.amount),
    date: endOfDay(t.day),
    tenure_days: t.tenure_days,
    due_date: endOfDay(t.day + t.tenure_days),
    interest_amount: d ? rupees(d.interest) : null,
    invoice_no: t.invoice_no,
    ref_id: t.ref_id,
    remark: t.remark,
    status,
    principal_outstanding: rupees(principalOutstanding),
  };
}

export function payoutView(p: PayoutRow, a: AccountRow) {
  return {
    id: p.id,
    created_at: p.created_at,
    updated_at: p.created_at,
    type: 'tranche',
    ref_id: p.topup ?? p.id,
    numeric_ref_id: String(100000 + p.index),
    index: p.index,
    amount: rupees(p.amount),
    method: 'neft',
    status: 'processed',
    payout_service_id: null,
    processed_at: p.created_at,
    bank_date: endOfDay(p.day),
    date: endOfDay(p.day),
    failed_remark: null,
    utr: p.utr,
    debit_bank: null,
    credit_bank: {
      program_ids: [a.program_id],
      account_type: 'current',
      account_no: `XXXXXX${a.id.slice(0, 4)}`,
      account_holder_name: a.borrower_name,
      ifsc: 'HDFC0000001',
      is_verified: true,
      tags: [],
      summary: [],
      banking_id: null,
      created_at: a.created_at,
      updated_at: a.created_at,
      id: a.params_id,
    },
    payout_to: 'borrower',
    is_downloaded: false,
    is_imported: false,
    sent_to_gl: false,
    account: a.id,
    loan: a.loan_id,
  };
}

/** Get Loan Params in the documented shape (Crego's example object), with the sandbox's extra knobs at the end. */
export function loanParamsView(a: AccountRow) {
  const p = a.params;
  const term = a.type === 'term_loan';
  return {
    id: a.params_id,
    created_at: a.created_at,
    updated_at: a.updated_at,
    lead_id: a.lead_id,
    program_id: a.program_id,
    type: 'loan',
    days_in_month: p.days_in_month === 30 ? 30 : 'actual',
    days_in_year: p.days_in_year,
    tenure_period: term ? 'months' : 'days',
    tenure_value: term ? p.emi_count : p.tenure_days,
    tenure_period_type: term ? 'as_per_emi' : 'as_per_days',
    tenure_fixed_due_date: p.first_due_day !== null,
    tenure_due_days: [],
    tenure_min_days: 0,
    tenure_starts_at: 'disbursement_date',
    roi_period: 'years',
    roi_slab_based: !!p.roi_slabs,
    roi_value: p.roi_slabs ? p.roi_slabs.map((x) => ({ days: x.days === null ? -1 : String(x.days), value: x.value })) : [{ days: -1, value: p.roi }],
    overdue_roi_same_as_roi: p.overdue_roi === (p.roi_slabs ? p.roi_slabs[p.roi_slabs.length - 1].value : p.roi),
    overdue_roi_slab_based: false,
    overdue_roi_value: [{ days: -1, value: p.overdue_roi }],
    penal_roi_same_as_roi: false,
    penal_roi_slab_based: false,
    penal_tax: 0,
    penal_min_amount: 0,
    penal_max_amount: 0,
    penal_roi_value: [{ days: 'inf', value: p.penal_roi }],
    penal_roi_value_type: null,
    penal_accrual_frequency: 'daily',
    penal_lag_days_after_due: 0,
    penal_calculation_type: 'exclude_grace_period',
    interest_starts: 'same_day',
    // Features the sandbox does not model, present with Crego's example values so the shape is complete.
    interest_lock_in_enabled: false,
    interest_lock_in_days: 0,
    subvention_is_enabled: false,
    subvention_value_type: 'percentage',
    subvention_value: 0,
    subvention_days: 0,
    cashback_is_enabled: false,
    cashback_use_as: 'adjust',
    cashback_payment_to: 'borrower',
    cashback_release_at: 'loan_closure',
    cashback_deduction_is_enabled: false,
    cashback_deduction_type: 'fixed',
    cashback_deduction_value: 0,
    holdback_is_enabled: false,
    holdback_rate: 0,
    holdback_return_is_enabled: false,
    holdback_return_payment_to: null,
    margin_is_enabled: false,
    margin_value_type: null,
    margin_value: 0,
    margin_receive_before_disbursement: true,
    pf_is_enabled: p.pf_value > 0,
    pf_value_type: p.pf_value_type,
    pf_value: p.pf_value,
    pf_gst: p.pf_gst,
    emi_frequency: term ? 'monthly' : null,
    emi_count: term ? p.emi_count : 0,
    emi_rounding: p.emi_rounding,
    interest_type: p.interest_type,
    amortization: p.amortization,
    line_amount: term ? null : rupees(a.line_amount),
    account: a.id,
  };
}

/** Create Account answer: the account, its loan id and its parameters. */
export function accountView(a: AccountRow) {
  const pf = processingFee(a.loan_amount, a.params.pf_value, a.params.pf_value_type, a.params.pf_gst);
  return {
    id: a.id,
    created_at: a.created_at,
    updated_at: a.updated_at,
    type: a.type,
    borrower_name: a.borrower_name,
    loan: a.loan_id,
    lead_id: a.lead_id,
    program_id: a.program_id,
    loan_amount: rupees(a.loan_amount),
    line_amount: a.type === 'credit_line' ? rupees(a.line_amount) : null,
    processing_fee: rupees(pf.fee),
    processing_fee_gst: rupees(pf.gst),
    disbursal_amount: rupees(a.type === 'term_loan' ? a.loan_amount - pf.fee - pf.gst : 0),
    disbursal_date: endOfDay(a.disbursal_day),
    loan_params: loanParamsView(a),
  };
}
