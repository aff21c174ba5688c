/** EMIs: List EMI, List Settlements, Calculate EMI, Outstanding data, Request Tranche. */
import { endOfDay } from '../days';
import { HttpError, validationError } from '../errors';
import { newId } from '../ids';
import type { Evaluation } from '../ledger';
import { buildSchedule, rupees } from '../math';
import type { AccountRow, TopupRow } from '../store';
import { Fields } from '../validate';
import { emiView, outstandingView, payoutView, settlementView } from '../views';
import { accountOf, asOf, bodyObject, lineFigures, nowSeconds, ok, paginate, scopedAccounts, type Handler } from './context';

export const listEmis: Handler = (ctx) => {
  const day = asOf(ctx);
  const status = ctx.query.get('status');
  const rows: [Evaluation, AccountRow, Evaluation['demands'][number]][] = [];
  for (const a of scopedAccounts(ctx)) {
    const ev = ctx.engine.evaluate(a, day);
    for (const d of ev.demands) if (d.kind !== 'fee' && (!status || emiView(ev, a, d).status === status)) rows.push([ev, a, d]);
  }
  return paginate(ctx, rows, ([ev, a, d]) => emiView(ev, a, d));
};

export const listSettlements: Handler = (ctx) => {
  const day = ctx.engine.today();
  const demand = ctx.query.get('demand');
  const record = ctx.query.get('record');
  const rows: [Evaluation['settlements'][number], AccountRow][] = [];
  for (const a of scopedAccounts(ctx)) {
    const ev = ctx.engine.evaluate(a, day);
    for (const s of ev.settlements) {
      if (demand && s.demand !== demand) continue;
      if (record && s.record !== record) continue;
      rows.push([s, a]);
    }
  }
  return paginate(ctx, rows, ([s, a]) => settlementView(s, a, ctx.engine.store.records.get(s.record)?.created_at ?? endOfDay(s.day)));
};

export const calculateEmi: Handler = (ctx) => {
  const f = new Fields(bodyObject(ctx));
  const amount = f.amount('loan_amount', { required: true });
  const roi = f.number('roi', { required: true, min: 0, max: 1000 });
  const count = f.number('emi_count', { required: true, integer: true, min: 1, max: 600 });
  const rounding = f.choice('emi_rounding', ['rupee', 'paise'] as const, 'rupee');
  const start = f.day('start_date') ?? ctx.engine.today();
  const firstDue = f.day('first_due_date');
  const diy = f.choice('days_in_year', [360, 365] as const, 360);
  const dim = f.choice('days_in_month', [30, 'actual'] as const, 30);
  const interestType = f.choice('interest_type', ['reducing', 'flat'] as const, 'reducing');
  const amortization = f.choice('amortization', ['equal_installment', 'equal_principal'] as const, 'equal_installment');
  const timing = f.choice('emi_timing', ['arrears', 'advance'] as const, 'arrears');
  if (firstDue !== null && firstDue <= start) f.fail('first_due_date', 'Must be after start_date.');
  if (timing === 'advance' && (interestType !== 'reducing' || amortization !== 'equal_installment'))
    f.fail('emi_timing', "'advance' applies to reducing-balance equal instalments only.");
  if (timing === 'advance' && firstDue !== null) f.fail('first_due_date', "Leave it out with emi_timing 'advance': the first instalment is due on start_date.");
  if (!f.ok) throw validationError(f.errors);
  const s = buildSchedule({
    principal: amount as number, roi: roi as number, emiCount: count as number, disbursalDay: start, firstDueDay: firstDue ?? undefined,
    daysInYear: diy, daysInMonth: dim, emiRounding: rounding, interestType, amortization, timing,
  });
  return ok({
    loan_amount: rupees(amount as number),
    roi,
    emi_count: count,
    emi_amount: rupees(s.emi),
    total_interest: rupees(s.totalInterest),
    total_amount: rupees((amount as number) + s.totalInterest),
    broken_period_interest: rupees(s.brokenPeriodInterest),
    emi_rounding: rounding,
    interest_type: interestType,
    amortization,
    emi_timing: timing,
    days_in_year: diy,
    days_in_month: dim,
    schedule: s.rows.map((r) => ({
      index: r.index, due_date: endOfDay(r.dueDay), emi_amount: rupees(r.emi), principal: rupees(r.principal), interest: rupees(r.interest),
      opening_balance: rupees(r.openingBalance), closing_balance: rupees(r.closingBalance),
    })),
  });
};

export const outstanding: Handler = (ctx) => {
  const id = ctx.query.get('account') ?? ctx.query.get('loan');
  if (!id) throw validationError({ account: ['This query parameter is required.'] });
  const a = accountOf(ctx, id);
  return ok(outstandingView(ctx.engine.evaluate(a, asOf(ctx)), a));
};

/**
 * Request Tranche (documented): on a credit line, a drawdown (a topup with the line's default tenure) within
 * the available limit; on a term loan, a further disbursal today, after which the remaining instalments are
 * re-amortised (see ledger.ts).
 */
export const addTranche: Handler = (ctx) => {
  const f = new Fields(bodyObject(ctx));
  const loanId = f.string('loan_id', { required: true });
  const amount = f.amount('amount', { required: true });
  if (!f.ok) throw validationError(f.errors);
  const a = accountOf(ctx, loanId as string, 'loan');
  const s = ctx.engine.store;
  const day = ctx.engine.today();
  const payoutId = newId();
  let topup: string | null = null;
  if (a.type === 'credit_line') {
    const { available } = lineFigures(ctx, a, day);
    if ((amount as number) > available) throw validationError({ amount: [`Exceeds the available limit of ${rupees(available).toFixed(2)}.`] });
    const t: TopupRow = { id: newId(), account: a.id, amount: amount as number, day, tenure_days: a.params.tenure_days, invoice_no: null, ref_id: `tranche-${payoutId}`, remark: 'Request Tranche', created_at: nowSeconds(), payout_id: payoutId };
    s.addTopup(t);
    topup = t.id;
  } else {
    const ev = ctx.engine.evaluate(a, day);
    if (ev.closed || !ev.schedule?.rows.some((r) => r.dueDay > day))
      throw new HttpError(400, 'loan_matured', `Loan ${a.loan_id} has no instalment left after today; a tranche cannot be spread over it.`);
  }
  const p = { id: payoutId, account: a.id, topup, amount: amount as number, day, utr: `SBXP${String(s.payouts.size + 1).padStart(10, '0')}`, created_at: nowSeconds(), index: s.payouts.size + 1 };
  s.addPayout(p);
  return ok(payoutView(p, a));
};
