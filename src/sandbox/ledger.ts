/**
 * The account ledger as of a business date: raise the demands that fell due, replay every
 * payment in date order through the waterfall, accrue penal and overdue interest day by day,
 * park excess, and read DPD, peak DPD and the asset category at each day-end.
 *
 * Nothing is stored pre-computed: the same inputs always give the same answer for a date, and a
 * back-dated payment or a deleted fee is honoured simply by replaying. Results are cached per
 * (account, version, date) by the caller, so a summary costs one replay per account and date.
 */
import { buildSchedule, drawdownInterest, interestFor, processingFee, roundHalfUp, type Schedule, type ScheduleTerms } from './math';
import { blankDemand, emiDemandId, rowDemandId, type Demand, type DemandKind, type Settlement } from './demands';
import { LedgerReplay } from './replay';
import { isApplied, type AccountRow, type PayoutRow, type RecordRow, type Store } from './store';

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

/** The demands an account raises as of `day`, with what it lent and paid out. */
interface Book {
  demands: Demand[];
  schedule: Schedule | null;
  loanAmount: number;
  payout: number;
}

/** Every demand of the account that exists as of `day` (future instalments included, not yet due). */
function buildDemands(store: Store, a: AccountRow, day: number): Book {
  const book = a.type === 'term_loan' ? termDemands(store, a, day) : drawdownDemands(store, a, day);
  book.demands.push(...feeDemands(store, a, day));
  // Oldest first; on the same day instalments before fees so an EMI is never starved by a charge raised later.
  book.demands.sort((x, y) => x.dueDay - y.dueDay || kindRank(x.kind) - kindRank(y.kind) || x.index - y.index);
  return book;
}

/** A term loan disbursed by `day`: one demand per instalment of its schedule (tranches drawn by then included). */
function termDemands(store: Store, a: AccountRow, day: number): Book {
  if (a.disbursal_day > day) return { demands: [], schedule: null, loanAmount: 0, payout: 0 };
  const p = a.params;
  const tranches = store.tranchesOf(a.id).filter((t) => t.day <= day);
  const schedule = termSchedule(a, tranches, day);
  const demands = schedule.rows.map((r) =>
    blankDemand({ id: emiDemandId(a, r.index), kind: 'emi', index: r.index, dueDay: r.dueDay, startDay: r.periodStartDay, openingBalance: r.openingBalance, principal: r.principal, interest: r.interest }),
  );
  const drawn = tranches.reduce((sum, t) => sum + t.amount, 0);
  // The processing fee (and its GST) is kept from the first disbursal, so the payout is net of it.
  const pf = processingFee(a.loan_amount, p.pf_value, p.pf_value_type, p.pf_gst);
  return { demands, schedule, loanAmount: a.loan_amount + drawn, payout: a.loan_amount - pf.fee - pf.gst + drawn };
}

/** A credit line: one bullet demand per drawdown made by `day`, its interest for the whole tenure (slabs by age). */
function drawdownDemands(store: Store, a: AccountRow, day: number): Book {
  const p = a.params;
  const book: Book = { demands: [], schedule: null, loanAmount: 0, payout: 0 };
  for (const t of store.topupsOf(a.id)) {
    if (t.day > day) continue;
    book.demands.push(
      blankDemand({
        id: rowDemandId(t),
        kind: 'topup',
        source: t.id,
        index: book.demands.length + 1,
        dueDay: t.day + t.tenure_days,
        startDay: t.day,
        openingBalance: t.amount,
        principal: t.amount,
        interest: roundHalfUp(drawdownInterest(t.amount, p.roi, p.roi_slabs, t.tenure_days, p.days_in_year)),
      }),
    );
    book.loanAmount += t.amount;
    const pf = processingFee(t.amount, p.pf_value, p.pf_value_type, p.pf_gst);
    book.payout += t.amount - pf.fee - pf.gst;
  }
  return book;
}

/** Fees and charges raised by `day`, GST included, each due on its own due date. */
function feeDemands(store: Store, a: AccountRow, day: number): Demand[] {
  return store
    .feesOf(a.id)
    .filter((f) => f.day <= day)
    .map((f) => blankDemand({ id: rowDemandId(f), kind: GST_DEMANDS, source: f.id, dueDay: f.due_day, charges: f.amount + f.gst_amount }));
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
