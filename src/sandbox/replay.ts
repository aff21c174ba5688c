/**
 * One replay of an account's ledger up to a day-end: every payment in date order through the
 * waterfall, penal and overdue interest accrued day by day, excess parked and used, DPD, peak DPD and
 * the NPA flag read at each day-end. `evaluate` (ledger.ts) builds the demands and reads the result.
 */
import { interestFor } from './math';
import type { AccountRow, RecordRow } from './store';
import { isClear, markSettled, overdueDue, penalDue, prepayTopup, totalDue, unpaid, type Demand, type Settlement } from './demands';

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
