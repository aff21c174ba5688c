/** Loans: List Loans, List Loans with Excess Balance, Get Loan Summary, Get Emi Amount, Initiate Adjustment. */
import { validationError } from '../errors';
import { rupees } from '../math';
import type { AccountRow } from '../store';
import { Fields } from '../validate';
import { loanSummaryView, loanView } from '../views';
import { accountOf, asOf, bodyObject, ok, paginate, scopedAccounts, type Handler } from './context';
import { createRecordFrom, recordAnswer } from './records';

export const listLoans: Handler = (ctx) => {
  const day = ctx.engine.today();
  const status = ctx.query.get('status');
  const type = ctx.query.get('type');
  const category = ctx.query.get('asset_category');
  const search = ctx.query.get('search')?.toLowerCase();
  const accounts = scopedAccounts(ctx).filter(
    (a) => (!type || a.type === type) && (!search || a.borrower_name.toLowerCase().includes(search) || a.id === search || a.loan_id === search),
  );
  const view = (a: AccountRow) => loanView(ctx.engine.evaluate(a, day), a);
  // Status and category need every ledger; without them only the page asked for is computed.
  if (!status && !category) return paginate(ctx, accounts, view);
  const rows = accounts.map(view).filter((l) => (!status || l.status === status) && (!category || l.asset_category === category));
  return paginate(ctx, rows, (x) => x);
};

export const loanSummary: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id, 'loan');
  return ok(loanSummaryView(ctx.engine.evaluate(a, asOf(ctx)), a));
};

export const emiAmount: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id, 'loan');
  const ev = ctx.engine.evaluate(a, ctx.engine.today());
  return ok({ loan: a.loan_id, account: a.id, emi_amount: rupees(ev.schedule?.emi ?? 0), emi_count: a.type === 'term_loan' ? a.params.emi_count : 0, roi: a.params.roi });
};

export const adjustment: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id, 'loan');
  const body = bodyObject(ctx);
  const f = new Fields(body);
  const type = f.choice('type', ['cashback', 'holdback'] as const, 'cashback');
  if (!body.type) f.fail('type', 'This field is required (cashback or holdback).');
  if (!f.ok) throw validationError(f.errors);
  const r = createRecordFrom(ctx, { ...body, type, payment_mode: null, utr: null }, { account: a, type });
  return ok(recordAnswer(ctx, r), 201);
};

/** List Loans with Excess Balance: loans holding money not yet applied (as of today), with the amount. */
export const excessBalance: Handler = (ctx) => {
  const day = ctx.engine.today();
  const rows = scopedAccounts(ctx)
    .map((a) => [a, ctx.engine.evaluate(a, day)] as const)
    .filter(([, ev]) => ev.excess > 0);
  return paginate(ctx, rows, ([a, ev]) => ({ ...loanView(ev, a), excess_amount: rupees(ev.excess) }));
};
