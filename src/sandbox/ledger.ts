/**
 * The account ledger as of a business date: raise the demands that fell due, replay every
 * payment in date order through the waterfall, accrue penal and overdue interest day by day,
 * park excess, and read DPD, peak DPD and the asset category at each day-end.
 *
 * Nothing is stored pre-computed: the same inputs always give the same answer for a date, and a
 * back-dated payment or a deleted fee is honoured simply by replaying. Results are cached per
 * (account, version, date) by the caller, so a summary costs one replay per account and date.
 */
import { childId, uuidFrom } from './ids';
import { buildSchedule, drawdownInterest, interestFor, processingFee, roundHalfUp, type Schedule, type ScheduleTerms } from './math';
import { isApplied, type AccountRow, type PayoutRow, type RecordRow, type Store } from './store';

export type DemandKind = 'emi' | 'topup' | 'fee';

export interface Demand {
  id: string;
  kind: DemandKind;
  /** Source object: topup id or fee id (emi: null). */
  source: string | null;
  index: number;
  dueDay: number;
  /** Interest accrues from this day (pro rata until the due day). */
  startDay: number;
  openingBalance: number;
  principal: number;
  interest: number;
  charges: number;
  paidPrincipal: number;
  paidInterest: number;
  paidCharges: number;
  penalAccrued: number; // unrounded paise
  penalPaid: number;
  overdueAccrued: number; // unrounded paise
  overduePaid: number;
  accruedThrough: number;
  settledDay: number | null;
  peakDpd: number;
  /** Topups repaid early: interest (unrounded paise) earned through age `accruedAge` on the principal as it was. */
  accruedBase: number;
  accruedAge: number;
}

/** A settlement's id is derived from (record, demand, day) when it is shown: see settlementId. */
export interface Settlement {
  day: number;
  amount: number;
  outstanding: number;
  remaining: number;
  due: number;
  dpd: number;
  peakDpd: number;
  demand: string;
  record: string;
}

export interface Evaluation {
  day: number;
  active: boolean;
  schedule: Schedule | null;
  demands: Demand[];
  settlements: Settlement[];
  excess: number;
  recordRemaining: Map<string, number>;
  recordSettledDay: Map<string, number>;
  dpd: number;
  peakDpd: number;
  oldestUnpaidDue: number | null;
  npaSince: number | null;
  closed: boolean;
  closedDay: number | null;
  loanAmount: number;
  payout: number;
}

const GST_DEMANDS = 'fee';

export function unpaid(d: Demand): number {
  return d.principal - d.paidPrincipal + (d.interest - d.paidInterest) + (d.charges - d.paidCharges);
}
function penalDue(d: Demand): number {
  return roundHalfUp(d.penalAccrued) - d.penalPaid;
}
function overdueDue(d: Demand): number {
  return roundHalfUp(d.overdueAccrued) - d.overduePaid;
}

/** The term loan's schedule as of `day`: the first disbursal, re-amortised after each later tranche drawn by then. */
export function termSchedule(a: AccountRow, tranches: readonly PayoutRow[] = [], day = Infinity): Schedule {
  const p = a.params;
  const terms = {
    roi: p.roi,
    daysInYear: p.days_in_year,
    daysInMonth: p.days_in_month,
    emiRounding: p.emi_rounding,
    interestType: p.interest_type,
    amortization: p.amortization,
  };
  let schedule = buildSchedule({ ...terms, principal: a.loan_amount, emiCount: p.emi_count, disbursalDay: a.disbursal_day, firstDueDay: p.first_due_day ?? undefined });
  for (const t of tranches) {
    if (t.day > day) continue;
    schedule = reamortise(schedule, t, terms);
  }
  return schedule;
}

/**
 * A tranche drawn mid-term (Request Tranche): the rows already due stay as they are; from the next due the
 * balance plus the tranche is spread over the remaining instalments at a new EMI, and the tranche's
 * interest counts only from the day it was paid out (not from the start of that period).
 */
function reamortise(s: Schedule, t: PayoutRow, terms: Omit<ScheduleTerms, 'principal' | 'emiCount' | 'disbursalDay' | 'firstDueDay'>): Schedule {
  const k = s.rows.findIndex((r) => r.dueDay > t.day);
  if (k < 0) return s;
  const kept = s.rows.slice(0, k);
  const next = s.rows[k];
  const periodStart = k === 0 ? next.periodStartDay : s.rows[k - 1].dueDay;
  const rest = buildSchedule({ ...terms, principal: next.openingBalance + t.amount, emiCount: s.rows.length - k, disbursalDay: periodStart, firstDueDay: next.dueDay });
  const notYetLent = roundHalfUp(interestFor(t.amount, terms.roi, Math.max(0, t.day - periodStart), terms.daysInYear));
  const rows = rest.rows.map((r, i) => {
    const interest = i === 0 ? Math.max(0, r.interest - notYetLent + (k === 0 ? s.brokenPeriodInterest : 0)) : r.interest;
    return { ...r, index: k + i + 1, interest, emi: r.principal + interest, periodStartDay: i === 0 ? next.periodStartDay : r.periodStartDay };
  });
  const all = [...kept, ...rows];
  return { emi: rest.emi, brokenPeriodInterest: s.brokenPeriodInterest, rows: all, totalInterest: all.reduce((x, r) => x + r.interest, 0) };
}

/** Demand ids are stable across replays: derived from the loan and instalment number, or from the fee / topup. */
const EMI_DEMAND = 0xe;
const ROW_DEMAND = 0xd;
function emiDemandId(a: AccountRow, index: number): string {
  return childId(a.loan_id, EMI_DEMAND, index);
}
function rowDemandId(row: { id: string }): string {
  return childId(row.id, ROW_DEMAND, 0);
}

export function settlementId(s: Settlement): string {
  return uuidFrom(`${s.record}:${s.demand}:${s.day}`);
}

export function blankDemand(partial: Partial<Demand> & Pick<Demand, 'id' | 'kind' | 'dueDay'>): Demand {
  return {
    source: null,
    index: 1,
    startDay: partial.dueDay,
    openingBalance: 0,
    principal: 0,
    interest: 0,
    charges: 0,
    paidPrincipal: 0,
    paidInterest: 0,
    paidCharges: 0,
    penalAccrued: 0,
    penalPaid: 0,
    overdueAccrued: 0,
    overduePaid: 0,
    accruedThrough: partial.dueDay - 1,
    settledDay: null,
    peakDpd: 0,
    accruedBase: 0,
    accruedAge: 0,
    ...partial,
  };
}

/** Every demand of the account that exists as of `day` (future instalments included, not yet due). */
function buildDemands(store: Store, a: AccountRow, day: number): { demands: Demand[]; schedule: Schedule | null; loanAmount: number; payout: number } {
  const p = a.params;
  const demands: Demand[] = [];
  let schedule: Schedule | null = null;
  let loanAmount = 0;
  let payout = 0;
  if (a.type === 'term_loan') {
    if (a.disbursal_day <= day) {
      const tranches = store.tranchesOf(a.id).filter((t) => t.day <= day);
      schedule = termSchedule(a, tranches, day);
      for (const r of schedule.rows) {
        demands.push(
          blankDemand({
            id: emiDemandId(a, r.index),
            kind: 'emi',
            index: r.index,
            dueDay: r.dueDay,
            startDay: r.periodStartDay,
            openingBalance: r.openingBalance,
            principal: r.principal,
            interest: r.interest,
          }),
        );
      }
      const drawn = tranches.reduce((sum, t) => sum + t.amount, 0);
      loanAmount = a.loan_amount + drawn;
      const pf = processingFee(a.loan_amount, p.pf_value, p.pf_value_type, p.pf_gst);
      payout = a.loan_amount - pf.fee - pf.gst + drawn;
    }
  } else {
    let i = 0;
    for (const t of store.topupsOf(a.id)) {
      if (t.day > day) continue;
      i++;
      demands.push(
        blankDemand({
          id: rowDemandId(t),
          kind: 'topup',
          source: t.id,
          index: i,
          dueDay: t.day + t.tenure_days,
          startDay: t.day,
          openingBalance: t.amount,
          principal: t.amount,
          interest: roundHalfUp(drawdownInterest(t.amount, p.roi, p.roi_slabs, t.tenure_days, p.days_in_year)),
        }),
      );
      loanAmount += t.amount;
      const pf = processingFee(t.amount, p.pf_value, p.pf_value_type, p.pf_gst);
      payout += t.amount - pf.fee - pf.gst;
    }
  }
  for (const f of store.feesOf(a.id)) {
    if (f.day > day) continue;
    demands.push(
      blankDemand({ id: rowDemandId(f), kind: GST_DEMANDS, source: f.id, dueDay: f.due_day, charges: f.amount + f.gst_amount }),
    );
  }
  // Oldest first; on the same day instalments before fees so an EMI is never starved by a charge raised later.
  demands.sort((x, y) => x.dueDay - y.dueDay || kindRank(x.kind) - kindRank(y.kind) || x.index - y.index);
  return { demands, schedule, loanAmount, payout };
}

function kindRank(k: DemandKind): number {
  return k === 'fee' ? 1 : 0;
}

/** Replays the account up to the day-end of `day`. */
export function evaluate(store: Store, a: AccountRow, day: number): Evaluation {
  const { demands, schedule, loanAmount, payout } = buildDemands(store, a, day);
  const records = appliedRecords(store, a, day);
  const active = demands.length > 0 || records.length > 0;
  const replay = new LedgerReplay(a, demands);
  if (active) replay.run(records, day);
  const end = replay.closing(day);
  return {
    day,
    active,
    schedule,
    demands,
    settlements: replay.settlements,
    excess: replay.excessTotal(),
    recordRemaining: replay.recordRemaining,
    recordSettledDay: replay.recordSettledDay,
    dpd: end.dpd,
    peakDpd: replay.peakDpd,
    oldestUnpaidDue: end.oldestUnpaidDue,
    npaSince: replay.npaSince,
    closed: end.closed,
    closedDay: end.closedDay,
    loanAmount,
    payout,
  };
}

/** The account's payments up to `day`, in the order they are replayed (by day, then as entered). */
function appliedRecords(store: Store, a: AccountRow, day: number): RecordRow[] {
  return (
    store
      .recordsOf(a.id)
      // A payment still in Crego's queue, or rejected by it, moves no figure.
      .filter((r) => r.day <= day && isApplied(r))
      .sort((x, y) => x.day - y.day || x.index - y.index)
  );
}

/** The days on which something happens up to `day`: a due date, a payment, and `day` itself. */
function eventDays(demands: readonly Demand[], records: readonly RecordRow[], day: number): number[] {
  const days = new Set<number>([day]);
  for (const d of demands) if (d.dueDay <= day) days.add(d.dueDay);
  for (const r of records) days.add(r.day);
  return [...days].sort((x, y) => x - y);
}

function recordsByDay(records: readonly RecordRow[]): Map<number, RecordRow[]> {
  const byDay = new Map<number, RecordRow[]>();
  for (const r of records) {
    const list = byDay.get(r.day);
    if (list) list.push(r);
    else byDay.set(r.day, [r]);
  }
  return byDay;
}

/** Everything still owed on a demand: its unpaid instalment or charge, penal and overdue interest. */
function totalDue(d: Demand): number {
  return unpaid(d) + penalDue(d) + overdueDue(d);
}

function isClear(d: Demand): boolean {
  return unpaid(d) <= 0 && penalDue(d) <= 0 && overdueDue(d) <= 0;
}

/** A demand's settled day is the first day-end its instalment or charge is fully paid (penal may still be owed). */
function markSettled(d: Demand, x: number): void {
  if (unpaid(d) <= 0 && d.settledDay === null) d.settledDay = x;
}

/** The order money reaches a demand's parts: `rbi` pays every due's charges and interest before any principal. */
type Pass = 'all' | 'charges' | 'principal';
const PASSES: Record<RecordRow['settlement_order'], readonly Pass[]> = { rbi: ['charges', 'principal'], oldest_due_first: ['all'] };

/** One payment being spread over demands: what is left of it, and what each demand took (and owed before). */
export class Allocation {
  readonly taken = new Map<Demand, { amount: number; due: number }>();

  constructor(public left: number) {}

  /** Up to `want` of what is left, booked by `book`; returns the amount taken. */
  take(want: number, book: (v: number) => void): number {
    const v = Math.min(want, this.left);
    if (v <= 0) return 0;
    book(v);
    this.left -= v;
    return v;
  }

  /** Adds `v` to what demand `d` took from this payment; `due` is what it owed before the first take. */
  note(d: Demand, v: number, due: number): void {
    if (v <= 0) return;
    const s = this.taken.get(d);
    if (s) s.amount += v;
    else this.taken.set(d, { amount: v, due });
  }
}

/** Pays a due demand's parts in the waterfall's order: charges, penal, overdue interest, interest, principal. */
function payDue(d: Demand, pass: Pass, money: Allocation): number {
  let v = 0;
  if (pass !== 'principal') {
    v += money.take(d.charges - d.paidCharges, (n) => (d.paidCharges += n));
    v += money.take(penalDue(d), (n) => (d.penalPaid += n));
    v += money.take(overdueDue(d), (n) => (d.overduePaid += n));
    v += money.take(d.interest - d.paidInterest, (n) => (d.paidInterest += n));
  }
  if (pass !== 'charges') v += money.take(d.principal - d.paidPrincipal, (n) => (d.paidPrincipal += n));
  return v;
}

/**
 * One replay of an account up to a day-end. The state its steps share (settlements made, parked
 * excess, the first open demand, peak DPD, the NPA flag) is held in fields, so each step is a method
 * that can be named, read and tested on its own. `run` walks the event days; the rest are its steps.
 */
export class LedgerReplay {
  readonly settlements: Settlement[] = [];
  readonly recordRemaining = new Map<string, number>();
  readonly recordSettledDay = new Map<string, number>();
  /** Unapplied money, first in first out, so each settlement names the record it came from. */
  readonly excess: { record: string; amount: number }[] = [];
  peakDpd = 0;
  /** Sticky: set once DPD passes 90, cleared only when nothing is overdue. */
  npaSince: number | null = null;
  /** Demands before this index are fully paid (penal and overdue interest included). */
  private firstOpen = 0;
  private lastDayEnd: number | null = null;

  constructor(
    private readonly account: AccountRow,
    readonly demands: Demand[],
  ) {}

  /** Replays `records` (applied, sorted, none after `day`) through every event day up to the day-end of `day`. */
  run(records: readonly RecordRow[], day: number): void {
    const byDay = recordsByDay(records);
    for (const x of eventDays(this.demands, records, day)) {
      this.closeQuietDays(x);
      this.accrue(x - 1);
      this.applyExcess(x);
      for (const r of byDay.get(x) ?? []) this.book(r, x);
      this.lastDayEnd = x;
      if (x === day) this.accrue(x);
      this.dayEnd(x);
    }
  }

  /** The day-end before an event day, when days passed without events since the last: DPD and NPA still move. */
  private closeQuietDays(x: number): void {
    if (this.lastDayEnd === null || x - 1 <= this.lastDayEnd) return;
    this.accrue(x - 1);
    this.dayEnd(x - 1);
  }

  /** Penal (on overdue principal and interest) and overdue interest (on overdue principal) up to the day-end of `through`. */
  accrue(through: number): void {
    const p = this.account.params;
    for (let i = this.firstOpen; i < this.demands.length; i++) {
      const d = this.demands[i];
      if (d.dueDay > through) break;
      if (d.accruedThrough >= through) continue;
      const days = through - d.accruedThrough;
      if (d.kind !== 'fee') {
        const overdueBase = d.principal - d.paidPrincipal + (d.interest - d.paidInterest);
        if (overdueBase > 0) d.penalAccrued += interestFor(overdueBase, p.penal_roi, days, p.days_in_year);
        const principalLeft = d.principal - d.paidPrincipal;
        if (principalLeft > 0) d.overdueAccrued += interestFor(principalLeft, p.overdue_roi, days, p.days_in_year);
      }
      d.accruedThrough = through;
    }
  }

  /** The oldest demand due by `through` with its instalment or charge unpaid (moves `firstOpen` past cleared ones). */
  oldestUnpaid(through: number): Demand | null {
    while (this.firstOpen < this.demands.length && isClear(this.demands[this.firstOpen])) this.firstOpen++;
    for (let i = this.firstOpen; i < this.demands.length; i++) {
      const d = this.demands[i];
      if (d.dueDay > through) return null;
      if (unpaid(d) > 0) return d;
    }
    return null;
  }

  /** Day-end of `x`: DPD, peak DPD (the account's and each unpaid demand's) and the sticky NPA flag. */
  dayEnd(x: number): number {
    const o = this.oldestUnpaid(x);
    const dpd = o ? x - o.dueDay + 1 : 0;
    if (dpd > this.peakDpd) this.peakDpd = dpd;
    if (o) this.raiseDemandPeaks(x);
    if (dpd > 90 && this.npaSince === null && o) this.npaSince = o.dueDay + 90;
    if (dpd === 0) this.npaSince = null;
    return dpd;
  }

  private raiseDemandPeaks(x: number): void {
    for (let i = this.firstOpen; i < this.demands.length && this.demands[i].dueDay <= x; i++) {
      const d = this.demands[i];
      if (unpaid(d) > 0) d.peakDpd = Math.max(d.peakDpd, x - d.dueDay + 1);
    }
  }

  /** A record on its day: a refund pays parked excess back; a payment goes into the dues and what is left is parked. */
  book(r: RecordRow, x: number): void {
    if (r.type === 'refund') {
      this.refund(r.amount);
      this.recordRemaining.set(r.id, 0);
      this.recordSettledDay.set(r.id, x);
      return;
    }
    const left = this.pay(r.id, r.amount, x, r.settlement_order, true);
    this.recordRemaining.set(r.id, left);
    if (left > 0) this.excess.push({ record: r.id, amount: left });
    else this.recordSettledDay.set(r.id, x);
  }

  /**
   * Pays `amount` from `record` on `x` into the dues (and, when `early`, a credit line's drawdowns not yet
   * due), writes one settlement per demand reached, and returns what is left of the amount.
   */
  pay(record: string, amount: number, x: number, order: RecordRow['settlement_order'], early = false): number {
    const money = new Allocation(amount);
    for (const pass of PASSES[order]) this.payDues(money, x, pass);
    if (early && this.account.type === 'credit_line') this.prepayDrawdowns(money, x);
    this.writeSettlements(money, record, amount, x);
    return money.left;
  }

  /** One pass of the waterfall over the demands due by `x`, oldest first. */
  private payDues(money: Allocation, x: number, pass: Pass): void {
    for (let i = this.firstOpen; i < this.demands.length && money.left > 0; i++) {
      const d = this.demands[i];
      if (d.dueDay > x) break;
      const dueBefore = totalDue(d);
      if (dueBefore <= 0) continue;
      money.note(d, payDue(d, pass, money), dueBefore);
      markSettled(d, x);
    }
  }

  /**
   * A credit line is revolving: money paid before a drawdown falls due repays it early, with interest only for
   * the days it ran, and so restores the line at once (see prepayTopup).
   */
  private prepayDrawdowns(money: Allocation, x: number): void {
    for (let i = this.firstOpen; i < this.demands.length && money.left > 0; i++) {
      const d = this.demands[i];
      if (d.kind !== 'topup' || d.dueDay <= x || d.startDay > x || unpaid(d) <= 0) continue;
      const { interestNow, settle } = prepayTopup(d, x, this.account.params);
      const dueBefore = d.principal - d.paidPrincipal + interestNow - d.paidInterest;
      let v = money.take(interestNow - d.paidInterest, (n) => (d.paidInterest += n));
      v += money.take(d.principal - d.paidPrincipal, (n) => (d.paidPrincipal += n));
      settle();
      money.note(d, v, dueBefore);
      markSettled(d, x);
    }
  }

  /** Each settlement says what the record still held after it (`held` before), so the rows of one payment count down. */
  private writeSettlements(money: Allocation, record: string, held: number, x: number): void {
    let consumed = 0;
    for (const [d, s] of money.taken) {
      consumed += s.amount;
      this.settlements.push({
        day: x,
        amount: s.amount,
        outstanding: totalDue(d),
        remaining: held - consumed,
        due: s.due,
        dpd: Math.max(0, x - d.dueDay),
        peakDpd: Math.max(d.peakDpd, x - d.dueDay, 0),
        demand: d.id,
        record,
      });
    }
  }

  /** Parked excess, oldest first, goes into whatever has fallen due by `x`; what still cannot be used stays parked. */
  applyExcess(x: number): void {
    while (this.excess.length > 0) {
      const e = this.excess[0];
      e.amount = this.pay(e.record, e.amount, x, 'oldest_due_first');
      this.recordRemaining.set(e.record, e.amount);
      if (e.amount > 0) return; // nothing is due any more: the rest waits for the next due date
      this.recordSettledDay.set(e.record, x);
      this.excess.shift();
    }
  }

  /** An excess refund pays parked money back, oldest first (creation checks there is enough). */
  refund(amount: number): void {
    let left = amount;
    while (left > 0 && this.excess.length > 0) {
      const e = this.excess[0];
      const v = Math.min(left, e.amount);
      e.amount -= v;
      left -= v;
      this.recordRemaining.set(e.record, e.amount);
      if (e.amount === 0) this.excess.shift();
    }
  }

  excessTotal(): number {
    return this.excess.reduce((s, e) => s + e.amount, 0);
  }

  /** The figures read at the day-end of `day` once replayed: DPD, the oldest unpaid due, and whether a term loan closed. */
  closing(day: number): { dpd: number; oldestUnpaidDue: number | null; closed: boolean; closedDay: number | null } {
    const o = this.oldestUnpaid(day);
    const allPaid = this.demands.every((d) => d.dueDay <= day && isClear(d));
    const closed = this.account.type === 'term_loan' && this.demands.length > 0 && allPaid;
    // A loan closes on the day its last demand was settled.
    const closedDay = closed ? this.demands.reduce((last, d) => Math.max(last, d.settledDay ?? d.dueDay), 0) : null;
    return { dpd: o ? day - o.dueDay + 1 : 0, oldestUnpaidDue: o ? o.dueDay : null, closed, closedDay };
  }
}

export function penalOutstanding(d: Demand): number {
  return penalDue(d);
}
export function overdueOutstanding(d: Demand): number {
  return overdueDue(d);
}

/** Interest (unrounded paise) a drawdown of `principal` earns between ages `from` and `to` (days), slabs tiered by age. */
function topupInterestBetween(principal: number, from: number, to: number, p: AccountRow['params']): number {
  if (to <= from || principal <= 0) return 0;
  return drawdownInterest(principal, p.roi, p.roi_slabs, to, p.days_in_year) - drawdownInterest(principal, p.roi, p.roi_slabs, from, p.days_in_year);
}

/**
 * A payment on day `x` reaching a drawdown before its due date: the interest earned so far on the principal as it
 * stood is fixed (`interestNow`, what must be paid before principal), and once the principal paid is booked,
 * `settle` re-prices the rest of the term on what is left (nothing left: the drawdown closes with interest to `x`).
 */
function prepayTopup(d: Demand, x: number, p: AccountRow['params']): { interestNow: number; settle: () => void } {
  const age = x - d.startDay;
  // The interest to date is posted now, so it is rounded now (accrue unrounded, round once when posted).
  d.accruedBase = roundHalfUp(d.accruedBase + topupInterestBetween(d.principal - d.paidPrincipal, d.accruedAge, age, p));
  d.accruedAge = age;
  const interestNow = Math.max(d.paidInterest, d.accruedBase);
  const settle = () => {
    const rest = d.principal - d.paidPrincipal;
    d.interest = Math.max(d.paidInterest, roundHalfUp(d.accruedBase + topupInterestBetween(rest, age, d.dueDay - d.startDay, p)));
  };
  return { interestNow, settle };
}

/** Interest accrued but not yet due (nor paid early) on a demand as of `day` (pro rata over its period). */
export function accruedNotDue(d: Demand, day: number, a: AccountRow): number {
  if (d.dueDay <= day || d.kind === 'fee' || day < d.startDay) return 0;
  const elapsed = day - d.startDay;
  if (d.kind === 'topup') {
    const earned = d.accruedBase + topupInterestBetween(d.principal - d.paidPrincipal, d.accruedAge, elapsed, a.params);
    return Math.max(0, Math.min(d.interest, earned) - d.paidInterest);
  }
  const span = d.dueDay - d.startDay;
  return span > 0 ? (d.interest * elapsed) / span : 0;
}
