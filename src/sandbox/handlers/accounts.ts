/** Accounts: Get Summary, Get Loan Params, Refresh Limit, Create Account, Update Loan Params. */
import { endOfDay } from '../days';
import { notFound, validationError } from '../errors';
import { newId } from '../ids';
import { paise, rupees, type RoiSlab } from '../math';
import type { AccountRow, LoanParams } from '../store';
import { Fields } from '../validate';
import { accountView, loanParamsView, summaryView } from '../views';
import { accountOf, asOf, bodyObject, boolQuery, lineFigures, nowSeconds, ok, type Handler } from './context';

export const summary: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id);
  const day = asOf(ctx);
  const includeClosed = boolQuery(ctx, 'include_closed_loan', true);
  return ok(summaryView(ctx.engine.evaluate(a, day), a, includeClosed));
};

export const loanParams: Handler = (ctx) => ok(loanParamsView(accountOf(ctx, ctx.params.id)));

export const refreshLimit: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id);
  const day = ctx.engine.today();
  const { utilised, available } = lineFigures(ctx, a, day);
  return ok({ account: a.id, line_amount: rupees(a.line_amount), utilised_amount: rupees(utilised), available_amount: rupees(available), as_of_date: endOfDay(day) });
};

/**
 * `roi_value` as Crego sends it: `[{"days": "15", "value": 18}, …, {"days": -1 | "inf", "value": 36}]`, ages ascending,
 * the last open-ended. A single open-ended slab is just a flat rate.
 */
function readSlabs(f: Fields, fallback: RoiSlab[] | null): RoiSlab[] | null {
  const raw = f.body.roi_value;
  if (raw === undefined || raw === null) return fallback;
  const fail = (m: string) => {
    f.fail('roi_value', m);
    return fallback;
  };
  if (!Array.isArray(raw) || raw.length === 0) return fail('A list of {"days", "value"} slabs is required.');
  const slabs: RoiSlab[] = [];
  for (const [i, s] of raw.entries()) {
    const d = (s ?? {}) as Record<string, unknown>;
    const value = Number(d.value);
    const open = d.days === -1 || d.days === '-1' || d.days === 'inf';
    const days = open ? null : Number(d.days);
    if (!Number.isFinite(value) || value < 0 || value > 100) return fail(`Slab ${i + 1}: value must be a rate from 0 to 100.`);
    if (days !== null && (!Number.isInteger(days) || days < 1)) return fail(`Slab ${i + 1}: days must be a whole number ≥ 1, or -1 / "inf" for the last slab.`);
    if (days !== null && slabs.length && (slabs[slabs.length - 1].days ?? Infinity) >= days) return fail(`Slab ${i + 1}: days must grow from slab to slab.`);
    if (open && i !== raw.length - 1) return fail(`Slab ${i + 1}: only the last slab may be open-ended.`);
    slabs.push({ days, value });
  }
  if (slabs[slabs.length - 1].days !== null) return fail('The last slab must be open-ended (days -1 or "inf").');
  return slabs.length === 1 ? null : slabs;
}

function readParams(f: Fields, type: 'term_loan' | 'credit_line', base?: LoanParams): LoanParams {
  const roi = f.number('roi', { required: !base, min: 0, max: 100 }) ?? base?.roi ?? 0;
  const emiCount = type === 'term_loan' ? f.number('emi_count', { required: !base, integer: true, min: 1, max: 600 }) ?? base?.emi_count ?? 1 : base?.emi_count ?? 0;
  const slabs = readSlabs(f, base?.roi_slabs ?? null);
  // Crego's default is `overdue_roi_same_as_roi`: past the due date a drawdown keeps the rate of its age, which with
  // slabs is the open-ended last slab (36 % in Crego's sample), not the first-slab `roi`.
  const rateAfterTerm = slabs ? slabs[slabs.length - 1].value : roi;
  return {
    roi,
    roi_slabs: slabs,
    emi_count: emiCount,
    days_in_year: f.choice('days_in_year', [360, 365] as const, base?.days_in_year ?? 360),
    days_in_month: f.choice('days_in_month', [30, 'actual'] as const, base?.days_in_month ?? 30),
    emi_rounding: f.choice('emi_rounding', ['rupee', 'paise'] as const, base?.emi_rounding ?? 'rupee'),
    interest_type: f.choice('interest_type', ['reducing', 'flat'] as const, base?.interest_type ?? 'reducing'),
    amortization: f.choice('amortization', ['equal_installment', 'equal_principal'] as const, base?.amortization ?? 'equal_installment'),
    pf_value: f.number('pf_value', { min: 0, max: 100_000_000 }) ?? base?.pf_value ?? 0,
    pf_value_type: f.choice('pf_value_type', ['percentage', 'fixed'] as const, base?.pf_value_type ?? 'percentage'),
    pf_gst: f.number('pf_gst', { min: 0, max: 100 }) ?? base?.pf_gst ?? 18,
    penal_roi: f.number('penal_roi', { min: 0, max: 100 }) ?? base?.penal_roi ?? 24,
    overdue_roi: f.number('overdue_roi', { min: 0, max: 100 }) ?? base?.overdue_roi ?? (type === 'credit_line' ? rateAfterTerm : 0),
    tenure_days: f.number('tenure_days', { integer: true, min: 1, max: 3650 }) ?? base?.tenure_days ?? 90,
    first_due_day: f.day('first_due_date') ?? base?.first_due_day ?? null,
  };
}

export const createAccount: Handler = (ctx) => {
  const f = new Fields(bodyObject(ctx));
  const name = f.string('borrower_name', { required: true, max: 200 });
  const type = f.choice('type', ['term_loan', 'credit_line'] as const, 'term_loan');
  const loanAmount = type === 'term_loan' ? f.amount('loan_amount', { required: true }) : 0;
  const lineAmount = type === 'credit_line' ? f.amount('line_amount', { required: true }) : 0;
  const disbursal = f.day('disbursal_date') ?? ctx.engine.today();
  const params = readParams(f, type);
  if (params.first_due_day !== null && params.first_due_day <= disbursal) f.fail('first_due_date', 'Must be after the disbursal date.');
  if (loanAmount && params.pf_value_type === 'fixed' && paise(params.pf_value) * (1 + params.pf_gst / 100) >= loanAmount)
    f.fail('pf_value', 'The processing fee and its GST would swallow the whole loan.');
  if (!f.ok) throw validationError(f.errors);
  const now = nowSeconds();
  const a: AccountRow = {
    id: newId(), loan_id: newId(), params_id: newId(), lead_id: newId(), program_id: 'sandbox-program',
    borrower_name: name as string, type, created_at: now, updated_at: now,
    loan_amount: loanAmount ?? 0, line_amount: lineAmount ?? 0, disbursal_day: disbursal, params,
  };
  ctx.engine.store.addAccount(a);
  return ok(accountView(a), 201);
};

/** Update Loan Params (documented): the flow's PATCH, keyed by lead; answers `{}`. */
export const updateLoanParams: Handler = (ctx) => {
  const body = bodyObject(ctx);
  const f = new Fields(body);
  const lead = f.string('lead_id', { required: true });
  f.string('program_id', { required: true });
  const line = (body.line_detail ?? {}) as Record<string, unknown>;
  const data = (body.loan_data ?? {}) as Record<string, unknown>;
  const lf = new Fields(line);
  const df = new Fields(data);
  const approved = lf.amount('approved_line_amount');
  const emiCount = df.number('emi_count', { integer: true, min: 1, max: 600 });
  const roi = df.number('flat_roi_value', { min: 0, max: 100 });
  const pf = df.number('pf_value', { min: 0 });
  const pfType = df.choice('pf_value_type', ['percentage', 'fixed'] as const, 'percentage');
  for (const [k, v] of Object.entries(lf.errors)) f.errors[`line_detail.${k}`] = v;
  for (const [k, v] of Object.entries(df.errors)) f.errors[`loan_data.${k}`] = v;
  if (!f.ok) throw validationError(f.errors);
  const a = ctx.engine.store.byLead.get(lead as string);
  if (!a) throw notFound('loan application (lead_id)', lead as string);
  if (approved !== null) {
    if (a.type === 'credit_line') a.line_amount = approved;
    else a.loan_amount = approved;
  }
  if (emiCount !== null && a.type === 'term_loan') a.params.emi_count = emiCount;
  if (roi !== null) a.params = { ...a.params, roi, interest_type: 'flat' };
  if (pf !== null) a.params = { ...a.params, pf_value: pf, pf_value_type: pfType };
  a.updated_at = nowSeconds();
  ctx.engine.store.updateAccount(a);
  return ok({});
};
