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

function blankDemand(partial: Partial<Demand> & Pick<Demand, 'id' | 'kind' | 'dueDay'>): Demand {
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
  const p = a.params;
  const { demands, schedule, loanAmount, payout } = buildDemands(store, a, day);
  const records = store
    .recordsOf(a.id)
    // A payment still in Crego's queue, or rejected by it, moves no figure.
    .filter((r) => r.day <= day && isApplied(r))
    .sort((x, y) => x.day - y.day || x.index - y.index);

  const settlements: Settlement[] = [];
  const recordRemaining = new Map<string, number>();
  const recordSettledDay = new Map<string, number>();
  /** Unapplied money, first in first out, so each settlement names the record it came from. */
  const excess: { record: string; amount: number }[] = [];
  let firstOpen = 0; // demands before this index are fully paid
  let peakDpd = 0;
  let npaSince: number | null = null;

  const accrue = (through: number) => {
    for (let i = firstOpen; i < demands.length; i++) {
      const d = demands[i];
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
  };

  const oldestUnpaid = (through: number): Demand | null => {
    while (firstOpen < demands.length && unpaid(demands[firstOpen]) <= 0 && penalDue(demands[firstOpen]) <= 0 && overdueDue(demands[firstOpen]) <= 0) firstOpen++;
    for (let i = firstOpen; i < demands.length; i++) {
      const d = demands[i];
      if (d.dueDay > through) return null;
      if (unpaid(d) > 0) return d;
    }
    return null;
  };

  /** Day-end of `x`: DPD, peak DPD and the sticky NPA flag. */
  const dayEnd = (x: number) => {
    const o = oldestUnpaid(x);
    const dpd = o ? x - o.dueDay + 1 : 0;
    if (dpd > peakDpd) peakDpd = dpd;
    if (o) {
      for (let i = firstOpen; i < demands.length && demands[i].dueDay <= x; i++) {
        const d = demands[i];
        if (unpaid(d) > 0) d.peakDpd = Math.max(d.peakDpd, x - d.dueDay + 1);
      }
    }
    if (dpd > 90 && npaSince === null && o) npaSince = o.dueDay + 90;
    if (dpd === 0) npaSince = null;
    return dpd;
  };

  /** Pays `amount` from `record` on `x` into the dues (and, for a payment on a credit line, drawdowns not yet due); returns what is left. */
  const apply = (record: string, amount: number, x: number, order: RecordRow['settlement_order'], recordTotalLeft: () => number, early = false) => {
    let left = amount;
    const take = (d: Demand, want: number, book: (v: number) => void) => {
      const v = Math.min(want, left);
      if (v <= 0) return 0;
      book(v);
      left -= v;
      return v;
    };
    const perDemand = new Map<Demand, { amount: number; due: number }>();
    const note = (d: Demand, v: number, due: number) => {
      if (v <= 0) return;
      const s = perDemand.get(d);
      if (s) s.amount += v;
      else perDemand.set(d, { amount: v, due });
    };
    const passes: ('all' | 'charges' | 'principal')[] = order === 'rbi' ? ['charges', 'principal'] : ['all'];
    for (const pass of passes) {
      for (let i = firstOpen; i < demands.length && left > 0; i++) {
        const d = demands[i];
        if (d.dueDay > x) break;
        const dueBefore = unpaid(d) + penalDue(d) + overdueDue(d);
        if (dueBefore <= 0) continue;
        let v = 0;
        if (pass !== 'principal') {
          v += take(d, d.charges - d.paidCharges, (n) => (d.paidCharges += n));
          v += take(d, penalDue(d), (n) => (d.penalPaid += n));
          v += take(d, overdueDue(d), (n) => (d.overduePaid += n));
          v += take(d, d.interest - d.paidInterest, (n) => (d.paidInterest += n));
        }
        if (pass !== 'charges') v += take(d, d.principal - d.paidPrincipal, (n) => (d.paidPrincipal += n));
        note(d, v, dueBefore);
        if (unpaid(d) <= 0 && d.settledDay === null) d.settledDay = x;
      }
    }
    // A credit line is revolving: money paid before a drawdown falls due repays it early, with interest only for
    // the days it ran, and so restores the line at once (see prepayTopup).
    if (early && a.type === 'credit_line') {
      for (let i = firstOpen; i < demands.length && left > 0; i++) {
        const d = demands[i];
        if (d.kind !== 'topup' || d.dueDay <= x || d.startDay > x || unpaid(d) <= 0) continue;
        const { interestNow, settle } = prepayTopup(d, x, p);
        const dueBefore = d.principal - d.paidPrincipal + interestNow - d.paidInterest;
        let v = take(d, interestNow - d.paidInterest, (n) => (d.paidInterest += n));
        v += take(d, d.principal - d.paidPrincipal, (n) => (d.paidPrincipal += n));
        settle();
        note(d, v, dueBefore);
        if (unpaid(d) <= 0 && d.settledDay === null) d.settledDay = x;
      }
    }
    // Each settlement says what the record still held after it, so the rows of one payment count down.
    let consumed = 0;
    for (const [d, s] of perDemand) {
      consumed += s.amount;
      settlements.push({
        day: x,
        amount: s.amount,
        outstanding: unpaid(d) + penalDue(d) + overdueDue(d),
        remaining: recordTotalLeft() - consumed,
        due: s.due,
        dpd: Math.max(0, x - d.dueDay),
        peakDpd: Math.max(d.peakDpd, x - d.dueDay, 0),
        demand: d.id,
        record,
      });
    }
    return left;
  };

  const applyExcess = (x: number) => {
    while (excess.length > 0) {
      const e = excess[0];
      const before = e.amount;
      e.amount = apply(e.record, e.amount, x, 'oldest_due_first', () => e.amount);
      recordRemaining.set(e.record, e.amount);
      if (e.amount > 0) {
        if (e.amount === before) break;
        break;
      }
      recordSettledDay.set(e.record, x);
      excess.shift();
    }
  };

  /** An excess refund pays parked money back, oldest first (creation checks there is enough). */
  const refund = (amount: number) => {
    let left = amount;
    while (left > 0 && excess.length > 0) {
      const e = excess[0];
      const v = Math.min(left, e.amount);
      e.amount -= v;
      left -= v;
      recordRemaining.set(e.record, e.amount);
      if (e.amount === 0) excess.shift();
    }
  };

  let active = false;
  let lastDayEnd: number | null = null;
  if (demands.length > 0 || records.length > 0) {
    active = true;
    const days = new Set<number>();
    for (const d of demands) if (d.dueDay <= day) days.add(d.dueDay);
    for (const r of records) days.add(r.day);
    days.add(day);
    const eventDays = [...days].sort((x, y) => x - y);
    let ri = 0;
    for (const x of eventDays) {
      if (lastDayEnd !== null && x - 1 > lastDayEnd) {
        accrue(x - 1);
        dayEnd(x - 1);
      }
      accrue(x - 1);
      applyExcess(x);
      while (ri < records.length && records[ri].day === x) {
        const r = records[ri++];
        if (r.type === 'refund') {
          refund(r.amount);
          recordRemaining.set(r.id, 0);
          recordSettledDay.set(r.id, x);
          continue;
        }
        let left = r.amount;
        left = apply(r.id, left, x, r.settlement_order, () => r.amount, true);
        recordRemaining.set(r.id, left);
        if (left > 0) excess.push({ record: r.id, amount: left });
        else recordSettledDay.set(r.id, x);
      }
      lastDayEnd = x;
      if (x === day) accrue(x);
      dayEnd(x);
    }
  }
  const o = oldestUnpaid(day);
  const dpd = o ? day - o.dueDay + 1 : 0;
  const allPaid = demands.every((d) => d.dueDay <= day && unpaid(d) <= 0 && penalDue(d) <= 0 && overdueDue(d) <= 0);
  const closed = a.type === 'term_loan' && demands.length > 0 && allPaid;
  let closedDay: number | null = null;
  if (closed) for (const d of demands) closedDay = Math.max(closedDay ?? 0, d.settledDay ?? d.dueDay);
  return {
    day,
    active,
    schedule,
    demands,
    settlements,
    excess: excess.reduce((s, e) => s + e.amount, 0),
    recordRemaining,
    recordSettledDay,
    dpd,
    peakDpd,
    oldestUnpaidDue: o ? o.dueDay : null,
    npaSince,
    closed,
    closedDay,
    loanAmount,
    payout,
  };
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
