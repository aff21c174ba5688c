/**
 * Loan arithmetic in integer paise (see ../shared/research/loan-math.md).
 *
 * Amounts are whole paise; a fractional paise value only ever exists inside one computation and
 * is rounded half-up (RBI's rule) the moment it becomes a posted amount.
 */
import { addMonths, civil } from './days';

export type DaysInMonth = 30 | 'actual';
export type EmiRounding = 'rupee' | 'paise';
export type InterestType = 'reducing' | 'flat';
export type Amortization = 'equal_installment' | 'equal_principal';
/** When each instalment is paid: at the end of its period (Excel PMT type 0, Indian EMIs) or at the start (type 1). */
export type EmiTiming = 'arrears' | 'advance';

/**
 * Half-up rounding to a whole number. Near an exact half, binary noise (x.4999999…) is dropped first
 * with toPrecision; elsewhere that (slow) step cannot change the result and is skipped.
 */
export function roundHalfUp(x: number): number {
  const ax = Math.abs(x);
  const frac = ax - Math.floor(ax);
  const clean = Math.abs(frac - 0.5) < 1e-6 ? Number(ax.toPrecision(12)) : ax;
  const r = Math.floor(clean + 0.5);
  return x < 0 ? -r : r;
}

/** Rupees (JSON number) → integer paise. */
export function paise(rupees: number): number {
  return roundHalfUp(rupees * 100);
}

/** Integer paise → rupees for the wire (exact to 2 decimals). */
export function rupees(p: number): number {
  return roundHalfUp(p) / 100;
}

/** Excel PMT for payments in arrears, as a positive amount: P·r / (1 − (1+r)^−n); P/n when r = 0. */
export function pmt(ratePerPeriod: number, periods: number, principal: number): number {
  if (ratePerPeriod === 0) return principal / periods;
  return (principal * ratePerPeriod) / (1 - Math.pow(1 + ratePerPeriod, -periods));
}

/** Round an instalment: to the nearest rupee (RBI, default) or to the paisa. */
export function roundEmi(exactPaise: number, rounding: EmiRounding): number {
  return rounding === 'rupee' ? roundHalfUp(exactPaise / 100) * 100 : roundHalfUp(exactPaise);
}

/** Simple interest in (unrounded) paise: principal × roi% × days / days_in_year. */
export function interestFor(principalPaise: number, roiPct: number, days: number, daysInYear: number): number {
  return (principalPaise * roiPct * days) / (100 * daysInYear);
}

/** One ROI slab: ages up to `days` (inclusive) take `value` % a year; `days: null` is the open-ended last slab. */
export interface RoiSlab {
  days: number | null;
  value: number;
}

/**
 * Interest in (unrounded) paise for `days` days of a drawdown. With slabs (Crego's `roi_slab_based`), each day
 * takes the rate of the slab its age falls in (tiered): 1 L for 40 days on 18 % ≤ 15 d, 24 % ≤ 30 d, 36 % beyond,
 * /360 = 750 + 1,000 + 1,000 = 2,750. Without slabs, the flat `roi`.
 */
export function drawdownInterest(principal: number, roi: number, slabs: readonly RoiSlab[] | null | undefined, days: number, daysInYear: number): number {
  if (!slabs || slabs.length === 0) return interestFor(principal, roi, days, daysInYear);
  let total = 0;
  let from = 0;
  for (const slab of slabs) {
    const to = slab.days === null ? days : Math.min(days, slab.days);
    if (to > from) total += interestFor(principal, slab.value, to - from, daysInYear);
    from = Math.max(from, to);
    if (from >= days) break;
  }
  return total;
}

/** Processing fee and its GST, both rounded to paise. `pf_value` is a percentage of the amount or a flat rupee figure. */
export function processingFee(
  loanPaise: number,
  pfValue: number,
  pfType: 'percentage' | 'fixed',
  gstPct: number,
): { fee: number; gst: number } {
  const fee = pfType === 'percentage' ? roundHalfUp((loanPaise * pfValue) / 100) : paise(pfValue);
  return { fee, gst: roundHalfUp((fee * gstPct) / 100) };
}

export interface ScheduleTerms {
  principal: number; // paise
  roi: number; // annual %
  emiCount: number;
  disbursalDay: number;
  /** First due date; default one month after disbursal (no broken period). */
  firstDueDay?: number;
  daysInYear: number;
  daysInMonth: DaysInMonth;
  emiRounding: EmiRounding;
  interestType: InterestType;
  amortization: Amortization;
  /** Default `arrears`. `advance` (reducing, equal instalments only): the first instalment falls on the disbursal day. */
  timing?: EmiTiming;
}

export interface Instalment {
  index: number; // 1-based
  dueDay: number;
  openingBalance: number;
  principal: number;
  interest: number;
  emi: number;
  closingBalance: number;
  /** Days the instalment's interest covers (for daily accrual of the running period). */
  periodStartDay: number;
}

export interface Schedule {
  emi: number; // the regular instalment (paise)
  brokenPeriodInterest: number;
  rows: Instalment[];
  totalInterest: number;
}

/**
 * The repayment schedule. Reducing balance: EMI = PMT at the nominal periodic rate
 * roi × 30 / days_in_year (= roi/12 on 30/360), rounded per `emiRounding`; each row's interest is
 * balance × roi × days / days_in_year rounded to paise (days = 30, or the actual days between dues);
 * principal = EMI − interest; the last row takes the remaining balance. Flat: total interest is
 * fixed up front and spread evenly. Equal principal: principal P/n per row, interest on the balance.
 * Broken-period interest (first due more than a month after disbursal) is added to row 1.
 */
export function buildSchedule(t: ScheduleTerms): Schedule {
  const n = t.emiCount;
  const advance = t.timing === 'advance';
  // In advance, instalment k is paid at the start of period k: the first on the disbursal day, before any interest.
  const firstDue = advance ? t.disbursalDay : (t.firstDueDay ?? addMonths(t.disbursalDay, 1));
  const anchor = civil(firstDue).d;
  const nominalStart = addMonths(firstDue, -1, anchor);
  const bpiDays = Math.max(0, nominalStart - t.disbursalDay);
  const bpi = roundHalfUp(interestFor(t.principal, t.roi, bpiDays, t.daysInYear));
  const emiRate = (t.roi * 30) / (100 * t.daysInYear);

  const rows: Instalment[] = [];
  let balance = t.principal;
  let prevDue = nominalStart;
  let emi = 0;
  let flatInterest = 0;
  let flatTotal = 0;
  let equalPrincipal = 0;
  if (t.interestType === 'flat') {
    flatTotal = roundHalfUp((t.principal * t.roi * 30 * n) / (100 * t.daysInYear));
    flatInterest = roundHalfUp(flatTotal / n);
    emi = roundEmi(t.principal / n + flatTotal / n, t.emiRounding);
  } else if (t.amortization === 'equal_principal') {
    equalPrincipal = roundHalfUp(t.principal / n);
  } else {
    // Excel's PMT type 1 = the type-0 instalment discounted by one period.
    const exact = pmt(emiRate, n, t.principal);
    emi = roundEmi(advance ? exact / (1 + emiRate) : exact, t.emiRounding);
  }

  for (let k = 1; k <= n; k++) {
    const due = k === 1 ? firstDue : addMonths(firstDue, k - 1, anchor);
    const days = t.daysInMonth === 30 ? 30 : due - prevDue;
    const last = k === n;
    let interest: number;
    let principal: number;
    if (t.interestType === 'flat') {
      interest = last ? flatTotal - flatInterest * (n - 1) : flatInterest;
      principal = last ? balance : Math.min(balance, emi - flatInterest);
    } else {
      interest = advance && k === 1 ? 0 : roundHalfUp(interestFor(balance, t.roi, days, t.daysInYear));
      principal = last
        ? balance
        : Math.min(balance, t.amortization === 'equal_principal' ? equalPrincipal : Math.max(0, emi - interest));
    }
    if (k === 1) interest += bpi;
    rows.push({
      index: k,
      dueDay: due,
      openingBalance: balance,
      principal,
      interest,
      emi: principal + interest,
      closingBalance: balance - principal,
      periodStartDay: k === 1 ? t.disbursalDay : prevDue,
    });
    balance -= principal;
    prevDue = due;
  }
  if (t.amortization === 'equal_principal' && t.interestType !== 'flat') emi = rows[0]?.emi ?? 0;
  return { emi, brokenPeriodInterest: bpi, rows, totalInterest: rows.reduce((s, r) => s + r.interest, 0) };
}
