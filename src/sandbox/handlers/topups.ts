/** Topups: Create Topup, List Topups (by ref_id, status), Check Line Amount. */
import { isoOf } from '../days';
import { validationError } from '../errors';
import { newId } from '../ids';
import { rupees } from '../math';
import type { TopupRow } from '../store';
import { Fields } from '../validate';
import { topupView } from '../views';
import { accountOf, answer, bodyObject, duplicate, lineFigures, nowSeconds, ok, paginate, rowsAcross, type Ctx, type Handler } from './context';

export function createTopupFrom(ctx: Ctx, body: Record<string, unknown>): TopupRow {
  const f = new Fields(body);
  const id = f.string('account', { required: true });
  const a = id ? (ctx.engine.store.accounts.get(id) ?? ctx.engine.store.byLoan.get(id)) : undefined;
  if (id && !a) f.fail('account', `No account with id '${id}'.`);
  if (a && a.type !== 'credit_line') f.fail('account', `Account ${a.id} is a term loan; topups draw on credit lines.`);
  const amount = f.amount('amount', { required: true });
  const day = f.day('date') ?? ctx.engine.today();
  const tenure = f.number('tenure_days', { integer: true, min: 1, max: 3650 }) ?? a?.params.tenure_days ?? 90;
  const invoice = f.string('invoice_no', { max: 64 });
  const ref = f.string('ref_id', { required: true, max: 64 });
  const remark = f.string('remark', { max: 500 });
  if (a && day < a.disbursal_day) f.fail('date', `Is before the line's start date ${isoOf(a.disbursal_day)}.`);
  if (!f.ok || !a) throw validationError(f.errors);
  const existing = ctx.engine.store.topupByAccountRef(a.id, ref as string);
  if (existing) throw duplicate('topup', 'ref_id', ref as string, existing.id);
  const { available } = lineFigures(ctx, a, Math.max(day, ctx.engine.today()));
  if ((amount as number) > available) throw validationError({ amount: [`Exceeds the available limit of ${rupees(available).toFixed(2)} on this line.`] });
  const t: TopupRow = { id: newId(), account: a.id, amount: amount as number, day, tenure_days: tenure, invoice_no: invoice, ref_id: ref as string, remark, created_at: nowSeconds(), payout_id: null };
  ctx.engine.store.addTopup(t);
  return t;
}

const topupAnswer = (ctx: Ctx, t: TopupRow) => answer(ctx, t, topupView);

export const createTopup: Handler = (ctx) => ok(topupAnswer(ctx, createTopupFrom(ctx, bodyObject(ctx))), 201);

export const listTopups: Handler = (ctx) => {
  const ref = ctx.query.get('ref_id');
  const store = ctx.engine.store;
  return paginate(ctx, rowsAcross(ctx, (id) => store.topupsOf(id), (t) => !ref || t.ref_id === ref, topupView), (x) => x);
};

export const checkLineAmount: Handler = (ctx) => {
  const f = new Fields(bodyObject(ctx));
  const id = f.string('account', { required: true });
  const amount = f.amount('amount', { required: true });
  if (!f.ok) throw validationError(f.errors);
  const a = accountOf(ctx, id as string);
  const { available } = lineFigures(ctx, a, ctx.engine.today());
  const allowed = (amount as number) <= available;
  return ok({
    account: a.id,
    amount: rupees(amount as number),
    available_amount: rupees(available),
    allowed,
    message: allowed ? 'Within the available limit.' : `Exceeds the available limit of ${rupees(available).toFixed(2)} by ${rupees((amount as number) - available).toFixed(2)}.`,
  });
};
