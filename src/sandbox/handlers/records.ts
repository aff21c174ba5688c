/** Records: Create Record, Get Single Record, Record Listing (by utr, account, type, dates), Initiate Excess Payment Refund. */
import { PAYMENT_MODES, RECORD_TYPES } from '../../api/types';
import { isoOf } from '../days';
import { HttpError, notFound, validationError } from '../errors';
import { newId } from '../ids';
import type { AccountRow, RecordRow } from '../store';
import { Fields } from '../validate';
import { recordView } from '../views';
import { answer, bodyObject, dayFilter, duplicate, nowSeconds, ok, paginate, scopedAccounts, type Ctx, type Handler } from './context';

function recordInput(ctx: Ctx, f: Fields, a: AccountRow | null) {
  const amount = f.amount('amount', { required: true });
  const type = f.choice('type', [...RECORD_TYPES, 'cashback', 'holdback'] as const, 'repayment');
  const day = f.day('date') ?? ctx.engine.today();
  const mode = f.choice('payment_mode', [...PAYMENT_MODES, ''] as const, '');
  if (!mode && (type === 'repayment' || type === 'receipt')) f.fail('payment_mode', `This field is required (one of: ${PAYMENT_MODES.join(', ')}).`);
  const utr = f.string('utr', { required: type === 'repayment' || type === 'receipt', max: 64 });
  const tds = f.amount('tds_amount', { allowZero: true }) ?? 0;
  const bankDay = f.day('bank_date');
  const remark = f.string('remark', { max: 500 });
  const order = f.choice('settlement_order', ['oldest_due_first', 'rbi'] as const, 'oldest_due_first');
  if (amount !== null && tds > amount) f.fail('tds_amount', 'Cannot exceed the amount.');
  if (day > ctx.engine.today()) f.fail('date', `Is in the future (${isoOf(day)}); the sandbox's business date is ${isoOf(ctx.engine.today())}.`);
  if (a && day < a.disbursal_day) f.fail('date', `Is before the loan's disbursal date ${isoOf(a.disbursal_day)}.`);
  return { amount, type, day, mode, utr, tds, bankDay, remark, order };
}

export function createRecordFrom(ctx: Ctx, body: Record<string, unknown>, forced?: { account: AccountRow; type: 'cashback' | 'holdback' }): RecordRow {
  const f = new Fields(body);
  let a = forced?.account ?? null;
  if (!a) {
    const id = f.string('account', { required: true });
    if (id) {
      a = ctx.engine.store.accounts.get(id) ?? ctx.engine.store.byLoan.get(id) ?? null;
      if (!a) f.fail('account', `No account with id '${id}'.`);
    }
  }
  const input = recordInput(ctx, f, a);
  if (!f.ok || !a) throw validationError(f.errors);
  if (input.utr) {
    const existing = ctx.utrScope === 'tenant' ? ctx.engine.store.recordsWithUtr(input.utr)[0] : ctx.engine.store.recordByAccountUtr(a.id, input.utr);
    if (existing) throw duplicate('record', 'utr', input.utr, existing.id, existing.account !== a.id ? existing.account : undefined, existing.status ?? 'processed');
  }
  const r: RecordRow = {
    id: newId(), account: a.id, type: forced?.type ?? input.type, amount: input.amount as number, tds_amount: input.tds,
    day: input.day, payment_mode: input.mode || null, utr: input.utr, bank_day: input.bankDay, remark: input.remark,
    settlement_order: input.order, created_at: nowSeconds(), index: ctx.engine.store.recordOrder.length + 1,
  };
  ctx.settlement?.admit(r);
  ctx.engine.store.addRecord(r);
  return r;
}

export const recordAnswer = (ctx: Ctx, r: RecordRow) => answer(ctx, r, recordView);

export const createRecord: Handler = (ctx) => ok(recordAnswer(ctx, createRecordFrom(ctx, bodyObject(ctx))), 201);

export const getRecord: Handler = (ctx) => {
  const r = ctx.engine.store.records.get(ctx.params.id);
  if (!r) throw notFound('record', ctx.params.id);
  return ok(recordAnswer(ctx, r));
};

export const listRecords: Handler = (ctx) => {
  const s = ctx.engine.store;
  const utr = ctx.query.get('utr');
  const type = ctx.query.get('type');
  const from = dayFilter(ctx, 'date_from');
  const to = dayFilter(ctx, 'date_to');
  const accountIds = ctx.query.has('account') || ctx.query.has('loan') ? new Set(scopedAccounts(ctx).map((a) => a.id)) : null;
  let rows: RecordRow[];
  if (utr) rows = s.recordsWithUtr(utr);
  else if (accountIds) rows = [...accountIds].flatMap((id) => s.recordsOf(id));
  else rows = s.recordOrder;
  const status = ctx.query.get('status');
  if (accountIds || type || from !== null || to !== null || utr || status)
    rows = rows.filter((r) => (!accountIds || accountIds.has(r.account)) && (!type || r.type === type) && (from === null || r.day >= from) && (to === null || r.day <= to) && (!status || (r.status ?? 'processed') === status));
  return paginate(ctx, rows, (r) => recordAnswer(ctx, r));
};

/**
 * Initiate Excess Payment Refund: `{account, amount?}` pays parked excess back today (all of it when no
 * amount is given); refused when the account holds less.
 */
export const excessRefund: Handler = (ctx) => {
  const f = new Fields(bodyObject(ctx));
  const id = f.string('account', { required: true });
  const amount = f.amount('amount');
  const remark = f.string('remark', { max: 500 });
  if (!f.ok) throw validationError(f.errors);
  const s = ctx.engine.store;
  const a = s.accounts.get(id as string) ?? s.byLoan.get(id as string);
  if (!a) throw notFound('account', id as string);
  const day = ctx.engine.today();
  const excess = ctx.engine.evaluate(a, day).excess;
  const want = amount ?? excess;
  if (want <= 0) throw new HttpError(400, 'no_excess', `Account ${a.id} holds no excess payment to refund.`);
  if (want > excess) throw validationError({ amount: [`Exceeds the excess held (${(excess / 100).toFixed(2)}).`] });
  const r: RecordRow = {
    id: newId(), account: a.id, type: 'refund', amount: want, tds_amount: 0, day, payment_mode: 'neft', utr: null, bank_day: day,
    remark, settlement_order: 'oldest_due_first', created_at: nowSeconds(), index: s.recordOrder.length + 1,
  };
  s.addRecord(r);
  return ok(recordAnswer(ctx, r), 201);
};
