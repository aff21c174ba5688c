/**
 * A demand is one thing the borrower owes on a due date (an instalment, a drawdown, a fee) with what
 * has been paid against it; a settlement is one payment's share of one demand. The small reads here
 * (what is unpaid, due, clear) are shared by the replay (replay.ts) and the views (views.ts).
 */
import { childId, uuidFrom } from './ids';
import { drawdownInterest, roundHalfUp } from './math';
import type { AccountRow } from './store';

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

export function unpaid(d: Demand): number {
  return d.principal - d.paidPrincipal + (d.interest - d.paidInterest) + (d.charges - d.paidCharges);
}
export function penalDue(d: Demand): number {
  return roundHalfUp(d.penalAccrued) - d.penalPaid;
}
export function overdueDue(d: Demand): number {
  return roundHalfUp(d.overdueAccrued) - d.overduePaid;
}

/** Everything still owed on a demand: its unpaid instalment or charge, penal and overdue interest. */
export function totalDue(d: Demand): number {
  return unpaid(d) + penalDue(d) + overdueDue(d);
}

export function isClear(d: Demand): boolean {
  return unpaid(d) <= 0 && penalDue(d) <= 0 && overdueDue(d) <= 0;
}

/** A demand's settled day is the first day-end its instalment or charge is fully paid (penal may still be owed). */
export function markSettled(d: Demand, x: number): void {
  if (unpaid(d) <= 0 && d.settledDay === null) d.settledDay = x;
}

/** Demand ids are stable across replays: derived from the loan and instalment number, or from the fee / topup. */
const EMI_DEMAND = 0xe;
const ROW_DEMAND = 0xd;
export function emiDemandId(a: AccountRow, index: number): string {
  return childId(a.loan_id, EMI_DEMAND, index);
}
export function rowDemandId(row: { id: string }): string {
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
export function prepayTopup(d: Demand, x: number, p: AccountRow['params']): { interestNow: number; settle: () => void } {
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
