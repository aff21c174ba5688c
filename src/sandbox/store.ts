/**
 * The sandbox's state: accounts (one loan each), payment records, fees, topups and payouts,
 * all amounts in integer paise and all business dates as IST day numbers (see days.ts).
 * Indexes make the look-ups bulk reconciliation needs (by account, by UTR / ref_id) O(1).
 * Each account carries a version number: a write bumps it, which retires cached evaluations.
 */
import type { Amortization, DaysInMonth, EmiRounding, InterestType, RoiSlab } from './math';

export type AccountType = 'term_loan' | 'credit_line';

export interface LoanParams {
  roi: number;
  /** Credit lines: tiered rates by the age of a drawdown (absent or null = the flat `roi`). */
  roi_slabs?: RoiSlab[] | null;
  emi_count: number;
  days_in_year: 360 | 365;
  days_in_month: DaysInMonth;
  emi_rounding: EmiRounding;
  interest_type: InterestType;
  amortization: Amortization;
  pf_value: number;
  pf_value_type: 'percentage' | 'fixed';
  pf_gst: number;
  penal_roi: number;
  overdue_roi: number;
  /** Credit lines: default tenure of a topup (bullet repayment after this many days). */
  tenure_days: number;
  first_due_day: number | null;
}

export interface AccountRow {
  id: string;
  loan_id: string;
  params_id: string;
  lead_id: string;
  program_id: string;
  borrower_name: string;
  type: AccountType;
  created_at: number;
  updated_at: number;
  /** Term loans: principal disbursed. Credit lines: 0 (topups carry the principal). */
  loan_amount: number;
  /** Credit lines: sanctioned limit. */
  line_amount: number;
  disbursal_day: number;
  params: LoanParams;
}

export interface RecordRow {
  id: string;
  account: string;
  /** `refund`: excess paid back to the borrower (takes from parked excess, pays no due). */
  type: 'repayment' | 'receipt' | 'cashback' | 'holdback' | 'refund';
  amount: number;
  tds_amount: number;
  day: number;
  payment_mode: string | null;
  utr: string | null;
  bank_day: number | null;
  remark: string | null;
  settlement_order: 'oldest_due_first' | 'rbi';
  created_at: number;
  index: number;
  /**
   * Where the payment queue has it (settlement.ts): `requested` until it settles, then `processed`
   * (counts in every figure) or `rejected` (never counts). Absent: processed (records of the demo
   * portfolio, and data files written before records had a status).
   */
  status?: RecordStatus;
  /** ms since epoch when a `requested` record settles. */
  settle_at?: number;
  /** Why a record was rejected. */
  failed_remark?: string | null;
}

export type RecordStatus = 'requested' | 'processed' | 'rejected';

/** Whether a record's money counts: only a processed one is applied to the loan. */
export function isApplied(r: RecordRow): boolean {
  return r.status === undefined || r.status === 'processed';
}

export interface FeeRow {
  id: string;
  account: string;
  type: string;
  amount: number;
  gst_amount: number;
  day: number;
  due_day: number;
  ref_id: string;
  remark: string | null;
  created_at: number;
  updated_at: number;
}

export interface TopupRow {
  id: string;
  account: string;
  amount: number;
  day: number;
  tenure_days: number;
  invoice_no: string | null;
  ref_id: string;
  remark: string | null;
  created_at: number;
  /** Set when the drawdown came through Request Tranche. */
  payout_id: string | null;
}

export interface PayoutRow {
  id: string;
  account: string;
  topup: string | null;
  amount: number;
  day: number;
  utr: string;
  created_at: number;
  index: number;
}

export interface Snapshot {
  format: 1;
  seed: number;
  accounts: AccountRow[];
  records: RecordRow[];
  fees: FeeRow[];
  topups: TopupRow[];
  payouts: PayoutRow[];
}

export class Store {
  readonly accounts = new Map<string, AccountRow>();
  readonly accountOrder: AccountRow[] = [];
  readonly byLoan = new Map<string, AccountRow>();
  readonly byLead = new Map<string, AccountRow>();
  readonly records = new Map<string, RecordRow>();
  readonly recordOrder: RecordRow[] = [];
  readonly fees = new Map<string, FeeRow>();
  readonly topups = new Map<string, TopupRow>();
  readonly topupOrder: TopupRow[] = [];
  readonly payouts = new Map<string, PayoutRow>();
  private readonly recordsByAccount = new Map<string, RecordRow[]>();
  private readonly feesByAccount = new Map<string, FeeRow[]>();
  private readonly topupsByAccount = new Map<string, TopupRow[]>();
  private readonly payoutsByAccount = new Map<string, PayoutRow[]>();
  /** `account|utr` → record, `account|ref_id` → fee / topup: the duplicate guards. */
  private readonly recordByUtr = new Map<string, RecordRow>();
  private readonly recordsByUtrOnly = new Map<string, RecordRow[]>();
  private readonly feeByRef = new Map<string, FeeRow>();
  private readonly topupByRef = new Map<string, TopupRow>();
  private readonly versions = new Map<string, number>();
  /** Called after every write (persistence hooks in here). */
  onWrite: () => void = () => {};

  constructor(readonly seed: number) {}

  version(accountId: string): number {
    return this.versions.get(accountId) ?? 0;
  }

  private touch(accountId: string): void {
    this.versions.set(accountId, this.version(accountId) + 1);
    this.onWrite();
  }

  addAccount(a: AccountRow): void {
    this.accounts.set(a.id, a);
    this.accountOrder.push(a);
    this.byLoan.set(a.loan_id, a);
    this.byLead.set(a.lead_id, a);
    this.touch(a.id);
  }

  updateAccount(a: AccountRow): void {
    this.touch(a.id);
  }

  addRecord(r: RecordRow): void {
    this.records.set(r.id, r);
    this.recordOrder.push(r);
    push(this.recordsByAccount, r.account, r);
    if (r.utr) {
      this.recordByUtr.set(`${r.account}|${r.utr}`, r);
      push(this.recordsByUtrOnly, r.utr, r);
    }
    this.touch(r.account);
  }

  /** The payment queue's verdict on a record: its account's figures change (or not) from now on. */
  settleRecord(r: RecordRow, status: 'processed' | 'rejected', reason: string | null): void {
    r.status = status;
    r.failed_remark = reason;
    this.touch(r.account);
  }

  /** Undo of addRecord, for a bulk request refused as a whole after some of its items were created. */
  removeRecord(r: RecordRow): void {
    this.records.delete(r.id);
    drop(this.recordOrder, r);
    drop(this.recordsByAccount.get(r.account), r);
    if (r.utr) {
      if (this.recordByUtr.get(`${r.account}|${r.utr}`) === r) this.recordByUtr.delete(`${r.account}|${r.utr}`);
      drop(this.recordsByUtrOnly.get(r.utr), r);
    }
    this.touch(r.account);
  }

  addFee(f: FeeRow): void {
    this.fees.set(f.id, f);
    push(this.feesByAccount, f.account, f);
    this.feeByRef.set(`${f.account}|${f.ref_id}`, f);
    this.touch(f.account);
  }

  deleteFee(f: FeeRow): void {
    this.fees.delete(f.id);
    const list = this.feesByAccount.get(f.account);
    if (list) list.splice(list.indexOf(f), 1);
    this.feeByRef.delete(`${f.account}|${f.ref_id}`);
    this.touch(f.account);
  }

  addTopup(t: TopupRow): void {
    this.topups.set(t.id, t);
    this.topupOrder.push(t);
    push(this.topupsByAccount, t.account, t);
    this.topupByRef.set(`${t.account}|${t.ref_id}`, t);
    this.touch(t.account);
  }

  /** Undo of addTopup (see removeRecord). */
  removeTopup(t: TopupRow): void {
    this.topups.delete(t.id);
    drop(this.topupOrder, t);
    drop(this.topupsByAccount.get(t.account), t);
    if (this.topupByRef.get(`${t.account}|${t.ref_id}`) === t) this.topupByRef.delete(`${t.account}|${t.ref_id}`);
    this.touch(t.account);
  }

  addPayout(p: PayoutRow): void {
    this.payouts.set(p.id, p);
    push(this.payoutsByAccount, p.account, p);
    this.touch(p.account);
  }

  recordsOf(accountId: string): RecordRow[] {
    return this.recordsByAccount.get(accountId) ?? [];
  }
  feesOf(accountId: string): FeeRow[] {
    return this.feesByAccount.get(accountId) ?? [];
  }
  /** Term-loan tranches (payouts not tied to a topup), in the order they were drawn. */
  tranchesOf(accountId: string): PayoutRow[] {
    return (this.payoutsByAccount.get(accountId) ?? []).filter((p) => p.topup === null);
  }
  topupsOf(accountId: string): TopupRow[] {
    return this.topupsByAccount.get(accountId) ?? [];
  }
  recordByAccountUtr(accountId: string, utr: string): RecordRow | undefined {
    return this.recordByUtr.get(`${accountId}|${utr}`);
  }
  recordsWithUtr(utr: string): RecordRow[] {
    return this.recordsByUtrOnly.get(utr) ?? [];
  }
  feeByAccountRef(accountId: string, ref: string): FeeRow | undefined {
    return this.feeByRef.get(`${accountId}|${ref}`);
  }
  topupByAccountRef(accountId: string, ref: string): TopupRow | undefined {
    return this.topupByRef.get(`${accountId}|${ref}`);
  }

  snapshot(): Snapshot {
    return {
      format: 1,
      seed: this.seed,
      accounts: this.accountOrder,
      records: this.recordOrder,
      fees: [...this.fees.values()],
      topups: this.topupOrder,
      payouts: [...this.payouts.values()],
    };
  }

  static fromSnapshot(s: Snapshot): Store {
    const store = new Store(s.seed);
    for (const a of s.accounts) store.addAccount(a);
    for (const r of s.records) store.addRecord(r);
    for (const f of s.fees) store.addFee(f);
    for (const t of s.topups) store.addTopup(t);
    for (const p of s.payouts) store.addPayout(p);
    return store;
  }
}

function drop<T>(list: T[] | undefined, value: T): void {
  const i = list ? list.lastIndexOf(value) : -1;
  if (i >= 0) list!.splice(i, 1);
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
