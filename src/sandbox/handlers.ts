/**
 * Endpoint handlers, keyed by the endpoint map's keys. Each takes the parsed request and returns
 * a status and a JSON body, or throws an HttpError; the server does routing, auth, idempotency
 * and faults around them.
 */
import { BULK_MAX_ITEMS, FEE_TYPES, PAYMENT_MODES, RECORD_TYPES } from '../api/types';
import { PAGINATION } from '../api/endpoints';
import { endOfDay, isoOf } from './days';
import type { Engine } from './engine';
import type { Evaluation } from './ledger';
import { HttpError, notFound, validationError } from './errors';
import { newId } from './ids';
import { buildSchedule, paise, roundHalfUp, rupees, type RoiSlab } from './math';
import type { AccountRow, FeeRow, LoanParams, RecordRow, TopupRow } from './store';
import { Fields, parseDayValue } from './validate';
import {
  accountView, emiView, feeView, loanParamsView, loanSummaryView, loanView, outstandingView,
  payoutView, recordView, settlementView, summaryView, topupView,
} from './views';

export interface Ctx {
  engine: Engine;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}
export interface Answer {
  status: number;
  body?: unknown;
}
export type Handler = (ctx: Ctx) => Answer;

const ok = (body: unknown, status = 200): Answer => ({ status, body });
const nowSeconds = () => Date.now() / 1000;

// ── shared helpers ───────────────────────────────────────────────────────────────────────

function accountOf(ctx: Ctx, id: string, what = 'account'): AccountRow {
  const s = ctx.engine.store;
  const a = s.accounts.get(id) ?? s.byLoan.get(id);
  if (!a) throw notFound(what, id);
  return a;
}

function asOf(ctx: Ctx): number {
  const raw = ctx.query.get('as_of_date');
  if (raw === null || raw === '') return ctx.engine.today();
  const day = parseDayValue(raw, (m) => {
    throw validationError({ as_of_date: [m] });
  });
  return day as number;
}

function boolQuery(ctx: Ctx, name: string, fallback: boolean): boolean {
  const v = ctx.query.get(name);
  if (v === null || v === '') return fallback;
  if (v === 'true' || v === '1' || v === 'True') return true;
  if (v === 'false' || v === '0' || v === 'False') return false;
  throw validationError({ [name]: [`Must be true or false, got '${v}'.`] });
}

function bodyObject(ctx: Ctx): Record<string, unknown> {
  const b = ctx.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw validationError({ non_field_errors: ['The body must be a JSON object.'] });
  return b as Record<string, unknown>;
}

/** The documented page envelope, with `page`/`page_size` (names from PAGINATION). */
export function paginate<T, R>(ctx: Ctx, items: T[], view: (t: T) => R) {
  const errors: Record<string, string[]> = {};
  const pageRaw = ctx.query.get(PAGINATION.pageParam);
  const sizeRaw = ctx.query.get(PAGINATION.sizeParam);
  const page = pageRaw === null || pageRaw === '' ? 1 : Number(pageRaw);
  const size = sizeRaw === null || sizeRaw === '' ? PAGINATION.defaultPageSize : Number(sizeRaw);
  if (!Number.isInteger(page) || page < 1) errors[PAGINATION.pageParam] = [`Must be a whole number from 1, got '${pageRaw}'.`];
  if (!Number.isInteger(size) || size < 1 || size > PAGINATION.maxPageSize)
    errors[PAGINATION.sizeParam] = [`Must be a whole number from 1 to ${PAGINATION.maxPageSize}, got '${sizeRaw}'.`];
  if (Object.keys(errors).length) throw validationError(errors);
  const start = (page - 1) * size;
  return ok({ count: items.length, current_page: page, page_size: size, results: items.slice(start, start + size).map(view) });
}

function dayFilter(ctx: Ctx, name: string): number | null {
  const v = ctx.query.get(name);
  if (v === null || v === '') return null;
  return parseDayValue(v, (m) => {
    throw validationError({ [name]: [m] });
  });
}

/** Accounts named by `account` / `loan` filters, or all of them. */
function scopedAccounts(ctx: Ctx): AccountRow[] {
  const s = ctx.engine.store;
  const acc = ctx.query.get('account');
  const loan = ctx.query.get('loan');
  if (acc) {
    const a = s.accounts.get(acc);
    if (!a) return [];
    if (loan && a.loan_id !== loan) return [];
    return [a];
  }
  if (loan) {
    const a = s.byLoan.get(loan);
    return a ? [a] : [];
  }
  return s.accountOrder;
}

function duplicate(what: string, field: string, value: string, existingId: string): HttpError {
  return new HttpError(409, 'duplicate', `A ${what} with ${field} '${value}' already exists on this account (id ${existingId}); it was not created again.`, { [field]: [`Already used on this account by ${existingId}.`] }, { existing_id: existingId });
}

// ── accounts ─────────────────────────────────────────────────────────────────────────────

const summary: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id);
  const day = asOf(ctx);
  const includeClosed = boolQuery(ctx, 'include_closed_loan', true);
  return ok(summaryView(ctx.engine.evaluate(a, day), a, includeClosed));
};

const loanParams: Handler = (ctx) => ok(loanParamsView(accountOf(ctx, ctx.params.id)));

function lineFigures(ctx: Ctx, a: AccountRow, day: number) {
  if (a.type !== 'credit_line') throw new HttpError(400, 'not_a_credit_line', `Account ${a.id} is a term loan; limits apply to credit lines only.`);
  const ev = ctx.engine.evaluate(a, day);
  let utilised = 0;
  for (const d of ev.demands) if (d.kind === 'topup') utilised += d.principal - d.paidPrincipal;
  // Topups dated after the day are already committed against the line.
  for (const t of ctx.engine.store.topupsOf(a.id)) if (t.day > day) utilised += t.amount;
  return { utilised, available: Math.max(0, a.line_amount - utilised) };
}

const refreshLimit: Handler = (ctx) => {
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
  return {
    roi,
    roi_slabs: readSlabs(f, base?.roi_slabs ?? null),
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
    overdue_roi: f.number('overdue_roi', { min: 0, max: 100 }) ?? base?.overdue_roi ?? (type === 'credit_line' ? roi : 0),
    tenure_days: f.number('tenure_days', { integer: true, min: 1, max: 3650 }) ?? base?.tenure_days ?? 90,
    first_due_day: f.day('first_due_date') ?? base?.first_due_day ?? null,
  };
}

const createAccount: Handler = (ctx) => {
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
const updateLoanParams: Handler = (ctx) => {
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

// ── loans ────────────────────────────────────────────────────────────────────────────────

const listLoans: Handler = (ctx) => {
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

const loanSummary: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id, 'loan');
  return ok(loanSummaryView(ctx.engine.evaluate(a, asOf(ctx)), a));
};

const emiAmount: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id, 'loan');
  const ev = ctx.engine.evaluate(a, ctx.engine.today());
  return ok({ loan: a.loan_id, account: a.id, emi_amount: rupees(ev.schedule?.emi ?? 0), emi_count: a.type === 'term_loan' ? a.params.emi_count : 0, roi: a.params.roi });
};

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

function createRecordFrom(ctx: Ctx, body: Record<string, unknown>, forced?: { account: AccountRow; type: 'cashback' | 'holdback' }): RecordRow {
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
    const existing = ctx.engine.store.recordByAccountUtr(a.id, input.utr);
    if (existing) throw duplicate('record', 'utr', input.utr, existing.id);
  }
  const r: RecordRow = {
    id: newId(), account: a.id, type: forced?.type ?? input.type, amount: input.amount as number, tds_amount: input.tds,
    day: input.day, payment_mode: input.mode || null, utr: input.utr, bank_day: input.bankDay, remark: input.remark,
    settlement_order: input.order, created_at: nowSeconds(), index: ctx.engine.store.recordOrder.length + 1,
  };
  ctx.engine.store.addRecord(r);
  return r;
}

/** A row's wire view as of today (or its own date when later), from the cached ledger of its account. */
function answer<T extends { account: string; day: number }, R>(ctx: Ctx, row: T, view: (row: T, a: AccountRow, ev: Evaluation) => R): R {
  const a = ctx.engine.store.accounts.get(row.account) as AccountRow;
  return view(row, a, ctx.engine.evaluate(a, Math.max(ctx.engine.today(), row.day)));
}
const recordAnswer = (ctx: Ctx, r: RecordRow) => answer(ctx, r, recordView);

/**
 * The rows of each account in scope (`account` / `loan` filters), viewed against that account's ledger as of
 * today, kept when `keep` says so and when their wire `status` matches the `status` filter.
 */
function rowsAcross<T, R extends { status: string }>(ctx: Ctx, rowsOf: (accountId: string) => T[], keep: (row: T) => boolean, view: (row: T, a: AccountRow, ev: Evaluation) => R): R[] {
  const status = ctx.query.get('status');
  const out: R[] = [];
  for (const a of scopedAccounts(ctx)) {
    const rows = rowsOf(a.id);
    if (rows.length === 0) continue;
    const ev = ctx.engine.evaluate(a, ctx.engine.today());
    for (const row of rows) {
      if (!keep(row)) continue;
      const v = view(row, a, ev);
      if (!status || v.status === status) out.push(v);
    }
  }
  return out;
}

const adjustment: Handler = (ctx) => {
  const a = accountOf(ctx, ctx.params.id, 'loan');
  const body = bodyObject(ctx);
  const f = new Fields(body);
  const type = f.choice('type', ['cashback', 'holdback'] as const, 'cashback');
  if (!body.type) f.fail('type', 'This field is required (cashback or holdback).');
  if (!f.ok) throw validationError(f.errors);
  const r = createRecordFrom(ctx, { ...body, type, payment_mode: null, utr: null }, { account: a, type });
  return ok(recordAnswer(ctx, r), 201);
};

// ── EMIs ─────────────────────────────────────────────────────────────────────────────────

const listEmis: Handler = (ctx) => {
  const day = asOf(ctx);
  const status = ctx.query.get('status');
  const rows: [Evaluation, AccountRow, Evaluation['demands'][number]][] = [];
  for (const a of scopedAccounts(ctx)) {
    const ev = ctx.engine.evaluate(a, day);
    for (const d of ev.demands) if (d.kind !== 'fee' && (!status || emiView(ev, a, d).status === status)) rows.push([ev, a, d]);
  }
  return paginate(ctx, rows, ([ev, a, d]) => emiView(ev, a, d));
};

const listSettlements: Handler = (ctx) => {
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

const calculateEmi: Handler = (ctx) => {
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
  if (firstDue !== null && firstDue <= start) f.fail('first_due_date', 'Must be after start_date.');
  if (!f.ok) throw validationError(f.errors);
  const s = buildSchedule({
    principal: amount as number, roi: roi as number, emiCount: count as number, disbursalDay: start, firstDueDay: firstDue ?? undefined,
    daysInYear: diy, daysInMonth: dim, emiRounding: rounding, interestType, amortization,
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
    days_in_year: diy,
    days_in_month: dim,
    schedule: s.rows.map((r) => ({
      index: r.index, due_date: endOfDay(r.dueDay), emi_amount: rupees(r.emi), principal: rupees(r.principal), interest: rupees(r.interest),
      opening_balance: rupees(r.openingBalance), closing_balance: rupees(r.closingBalance),
    })),
  });
};

const outstanding: Handler = (ctx) => {
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
const addTranche: Handler = (ctx) => {
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

// ── records ──────────────────────────────────────────────────────────────────────────────

const createRecord: Handler = (ctx) => ok(recordAnswer(ctx, createRecordFrom(ctx, bodyObject(ctx))), 201);

const getRecord: Handler = (ctx) => {
  const r = ctx.engine.store.records.get(ctx.params.id);
  if (!r) throw notFound('record', ctx.params.id);
  return ok(recordAnswer(ctx, r));
};

const listRecords: Handler = (ctx) => {
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
  if (status && status !== 'processed') rows = []; // every sandbox record is processed on receipt
  if (accountIds || type || from !== null || to !== null || utr)
    rows = rows.filter((r) => (!accountIds || accountIds.has(r.account)) && (!type || r.type === type) && (from === null || r.day >= from) && (to === null || r.day <= to));
  return paginate(ctx, rows, (r) => recordAnswer(ctx, r));
};

// ── fees ─────────────────────────────────────────────────────────────────────────────────

function createFeeFrom(ctx: Ctx, body: Record<string, unknown>): FeeRow {
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

const createFee: Handler = (ctx) => ok(feeAnswer(ctx, createFeeFrom(ctx, bodyObject(ctx))), 201);

function feeOf(ctx: Ctx): FeeRow {
  const fee = ctx.engine.store.fees.get(ctx.params.id);
  if (!fee) throw notFound('fee', ctx.params.id);
  return fee;
}
const getFee: Handler = (ctx) => ok(feeAnswer(ctx, feeOf(ctx)));

const deleteFee: Handler = (ctx) => {
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
const listFees: Handler = (ctx) => paginate(ctx, feeRows(ctx), (x) => x);
/** Get Fee Demands: fees due on or before today that still have something outstanding. */
const feeDemands: Handler = (ctx) => {
  const today = endOfDay(ctx.engine.today());
  return paginate(ctx, feeRows(ctx).filter((v) => v.outstanding_amount > 0 && v.due_date <= today), (x) => x);
};

// ── topups ───────────────────────────────────────────────────────────────────────────────

function createTopupFrom(ctx: Ctx, body: Record<string, unknown>): TopupRow {
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

const createTopup: Handler = (ctx) => ok(topupAnswer(ctx, createTopupFrom(ctx, bodyObject(ctx))), 201);

const listTopups: Handler = (ctx) => {
  const ref = ctx.query.get('ref_id');
  const store = ctx.engine.store;
  return paginate(ctx, rowsAcross(ctx, (id) => store.topupsOf(id), (t) => !ref || t.ref_id === ref, topupView), (x) => x);
};

const checkLineAmount: Handler = (ctx) => {
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

// ── bulk ─────────────────────────────────────────────────────────────────────────────────

/** Runs `create` per item: one bad item never sinks the others. */
function bulk(create: (ctx: Ctx, item: Record<string, unknown>) => { id: string }): Handler {
  return (ctx) => {
    const body = bodyObject(ctx);
    const items = body.items;
    if (!Array.isArray(items)) throw validationError({ items: ['Send {"items": [ ... ]}: a list of objects.'] });
    if (items.length > BULK_MAX_ITEMS)
      throw new HttpError(413, 'too_many_items', `Too many items: ${items.length}; a bulk request takes at most ${BULK_MAX_ITEMS}. Split it into chunks of ${BULK_MAX_ITEMS} or fewer.`);
    const results = items.map((item, index) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item))
        return { index, status: 'failed' as const, id: null, errors: { non_field_errors: ['Each item must be a JSON object.'] } };
      try {
        return { index, status: 'created' as const, id: create(ctx, item as Record<string, unknown>).id, errors: null };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        if (e.code === 'duplicate') return { index, status: 'duplicate' as const, id: String(e.extra?.existing_id), errors: e.errors ?? null };
        return { index, status: 'failed' as const, id: null, errors: e.errors ?? { non_field_errors: [e.message] } };
      }
    });
    return ok({
      count: results.length,
      created: results.filter((r) => r.status === 'created').length,
      failed: results.filter((r) => r.status === 'failed').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      results,
    });
  };
}

export const HANDLERS: Record<string, Handler> = {
  'accounts.summary': summary,
  'accounts.loan_params': loanParams,
  'accounts.refresh_limit': refreshLimit,
  'accounts.create': createAccount,
  'accounts.update_loan_params': updateLoanParams,
  'loans.list': listLoans,
  'loans.summary': loanSummary,
  'loans.emi_amount': emiAmount,
  'loans.adjustments': adjustment,
  'emis.list': listEmis,
  'emis.settlements': listSettlements,
  'emis.calculate': calculateEmi,
  'emis.outstanding': outstanding,
  'payouts.add_tranche': addTranche,
  'records.create': createRecord,
  'records.bulk_create': bulk((ctx, item) => createRecordFrom(ctx, item)),
  'records.list': listRecords,
  'records.get': getRecord,
  'fees.create': createFee,
  'fees.bulk_create': bulk(createFeeFrom),
  'fees.list': listFees,
  'fees.get': getFee,
  'fees.delete': deleteFee,
  'fees.demands': feeDemands,
  'topups.create': createTopup,
  'topups.bulk_create': bulk(createTopupFrom),
  'topups.list': listTopups,
  'topups.check_line_amount': checkLineAmount,
};
