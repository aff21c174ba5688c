/** Fee: Create Fee, Fee Details, Delete Fee, List Fee (by ref_id, type, status), Get Fee Demands. */
import { FEE_TYPES } from '../../api/types';
import { endOfDay, isoOf } from '../days';
import { HttpError, notFound, validationError } from '../errors';
import { newId } from '../ids';
import { roundHalfUp } from '../math';
import type { FeeRow } from '../store';
import { Fields } from '../validate';
import { feeView } from '../views';
import { answer, bodyObject, duplicate, nowSeconds, ok, paginate, rowsAcross, type Ctx, type Handler } from './context';

export function createFeeFrom(ctx: Ctx, body: Record<string, unknown>): FeeRow {
  const f = new Fields(body);
  const id = f.string('account', { required: true });
  const a = id ? (ctx.engine.store.accounts.get(id) ?? ctx.engine.store.byLoan.get(id)) : undefined;
  if (id && !a) f.fail('account', `No account with id '${id}'.`);
  const type = f.choice('type', FEE_TYPES, 'other');
  if (!body.type) f.fail('type', `This field is required (one of: ${FEE_TYPES.join(', ')}).`);
  const amount = f.amount('amount', { required: true });
  const day = f.day('date') ?? ctx.engine.today();
  const due = f.day('due_date') ?? day;
  const gst = f.bool('gst_applicable', true);
  const ref = f.string('ref_id', { required: true, max: 64 });
  const remark = f.string('remark', { max: 500 });
  if (due < day) f.fail('due_date', 'Cannot be before the fee date.');
  if (a && day < a.disbursal_day) f.fail('date', `Is before the loan's disbursal date ${isoOf(a.disbursal_day)}.`);
  if (!f.ok || !a) throw validationError(f.errors);
  const existing = ctx.engine.store.feeByAccountRef(a.id, ref as string);
  if (existing) throw duplicate('fee', 'ref_id', ref as string, existing.id);
  const now = nowSeconds();
  const fee: FeeRow = {
    id: newId(), account: a.id, type, amount: amount as number, gst_amount: gst ? roundHalfUp(((amount as number) * 18) / 100) : 0,
    day, due_day: due, ref_id: ref as string, remark, created_at: now, updated_at: now,
  };
  ctx.engine.store.addFee(fee);
  return fee;
}

const feeAnswer = (ctx: Ctx, fee: FeeRow) => answer(ctx, fee, feeView);

export const createFee: Handler = (ctx) => ok(feeAnswer(ctx, createFeeFrom(ctx, bodyObject(ctx))), 201);

function feeOf(ctx: Ctx): FeeRow {
  const fee = ctx.engine.store.fees.get(ctx.params.id);
  if (!fee) throw notFound('fee', ctx.params.id);
  return fee;
}
export const getFee: Handler = (ctx) => ok(feeAnswer(ctx, feeOf(ctx)));

export const deleteFee: Handler = (ctx) => {
  const fee = feeOf(ctx);
  const view = feeAnswer(ctx, fee);
  if (view.paid_amount > 0) throw new HttpError(409, 'fee_paid', `Fee ${fee.id} has ${view.paid_amount.toFixed(2)} paid against it and cannot be deleted.`);
  ctx.engine.store.deleteFee(fee);
  return { status: 204 };
};

function feeRows(ctx: Ctx) {
  const type = ctx.query.get('type');
  const ref = ctx.query.get('ref_id');
  const store = ctx.engine.store;
  return rowsAcross(ctx, (id) => store.feesOf(id), (fee) => (!type || fee.type === type) && (!ref || fee.ref_id === ref), feeView);
}
export const listFees: Handler = (ctx) => paginate(ctx, feeRows(ctx), (x) => x);
/** Get Fee Demands: fees due on or before today that still have something outstanding. */
export const feeDemands: Handler = (ctx) => {
  const today = endOfDay(ctx.engine.today());
  return paginate(ctx, feeRows(ctx).filter((v) => v.outstanding_amount > 0 && v.due_date <= today), (x) => x);
};
