/**
 * The demo portfolio: deterministic from the seed and the business date. Every asset category is
 * present among term loans (payments stop at a chosen day so the oldest unpaid due gives the
 * wanted DPD), plus closed loans, loans with excess payments, fees (paid and unpaid) and credit
 * lines with topups (repaid and overdue). Payments are ordinary records, so the same ledger that
 * answers live requests explains every figure.
 */
import { addMonths, endOfDay } from './days';
import { seededRandom, uuidFrom } from './ids';
import { drawdownInterest, roundHalfUp } from './math';
import { termSchedule } from './ledger';
import type { AccountRow, LoanParams, Store } from './store';

const FIRST = ['Aarav', 'Diya', 'Ishaan', 'Kavya', 'Rohan', 'Ananya', 'Vihaan', 'Meera', 'Arjun', 'Sara', 'Kabir', 'Nisha', 'Dev', 'Priya', 'Manav', 'Zoya'];
const LAST = ['Traders', 'Textiles', 'Agro Foods', 'Auto Parts', 'Pharma', 'Electricals', 'Logistics', 'Steel Works', 'Handlooms', 'Spices', 'Polymers', 'Kirana Stores'];
const CITIES = ['Pune', 'Surat', 'Indore', 'Jaipur', 'Coimbatore', 'Nagpur', 'Ludhiana', 'Kochi'];

/** Profile by position, so any portfolio of 12+ accounts covers every case. */
const PROFILES = ['regular', 'regular', 'regular', 'excess', 'sma0', 'sma1', 'sma2', 'npa', 'closed', 'regular_fee', 'line', 'line'] as const;
type Profile = (typeof PROFILES)[number] | 'cured';

/**
 * The demo book's shape. `realistic` (the default): past the first 12 accounts (one of each profile,
 * as `stressed` has them), profiles are drawn with a working lender's weights, so PAR 30 is a few
 * percent and NPA under 5 % while every category is present; some accounts paid one instalment late
 * and caught up (they roll back to Current). `stressed`: the 12 profiles repeat, a third of the book
 * overdue (PAR 1 near 50 %, NPA near 15 %), for tests that need many delinquent accounts.
 */
export const PORTFOLIO_MIXES = ['realistic', 'stressed'] as const;
export type PortfolioMix = (typeof PORTFOLIO_MIXES)[number];

/** Weights per 1,000 accounts of the realistic mix. */
const REALISTIC_WEIGHTS: readonly [Profile, number][] = [
  ['regular', 708], ['cured', 60], ['regular_fee', 50], ['excess', 30], ['closed', 60], ['line', 55],
  ['sma0', 20], ['sma1', 5], ['sma2', 3], ['npa', 14],
];

function profileAt(i: number, mix: PortfolioMix, draw: () => number): Profile {
  if (mix === 'stressed' || i < PROFILES.length) return PROFILES[i % PROFILES.length];
  let x = draw() * 1000;
  for (const [profile, weight] of REALISTIC_WEIGHTS) {
    if (x < weight) return profile;
    x -= weight;
  }
  return 'regular';
}

const DPD_RANGE: Record<string, [number, number]> = { sma0: [3, 27], sma1: [34, 57], sma2: [64, 87], npa: [95, 300] };

export function seedPortfolio(store: Store, seed: number, count: number, today: number, mix: PortfolioMix = 'realistic'): void {
  const book = new DemoBook(store, seed, today);
  // Profiles are drawn apart from everything else, so the first 12 accounts are the same in both mixes.
  const profileDraw = seededRandom((seed ^ 0x9e3779b9) >>> 0);
  for (let i = 0; i < count; i++) {
    const profile = profileAt(i, mix, profileDraw);
    // A realistic book has few credit lines with a drawdown long overdue.
    book.addAccount(i, profile, mix === 'stressed' || i < PROFILES.length ? 0.15 : 0.04);
  }
}

type AccountIdentity = Pick<AccountRow, 'id' | 'loan_id' | 'params_id' | 'lead_id' | 'program_id' | 'borrower_name'>;

/**
 * Writes the demo book into a store. One seeded random stream feeds every choice in a fixed order
 * (so the same seed and date always give the same book): the methods below must draw in the order
 * they do, and a new draw goes after the existing ones or every later account changes.
 */
class DemoBook {
  private readonly rnd: () => number;
  private utr = 0;

  constructor(
    private readonly store: Store,
    private readonly seed: number,
    private readonly today: number,
  ) {
    this.rnd = seededRandom(seed);
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)];
  }

  private nextUtr(): string {
    return `SBX${String(this.seed).padStart(3, '0')}${String(++this.utr).padStart(9, '0')}`;
  }

  /** A repayment record on `day` (none in the future: the book is as of today). */
  private pay(a: AccountRow, day: number, amount: number, mode = 'nach'): void {
    if (amount <= 0 || day > this.today) return;
    const store = this.store;
    store.addRecord({
      id: uuidFrom(`${this.seed}:rec:${store.recordOrder.length}`), account: a.id, type: 'repayment', amount, tds_amount: 0, day,
      payment_mode: mode, utr: this.nextUtr(), bank_day: day, remark: null, settlement_order: 'oldest_due_first',
      created_at: endOfDay(day) - 3600, index: store.recordOrder.length + 1,
    });
  }

  /** A charge with 18 % GST, due the day it is raised. */
  private fee(a: AccountRow, n: number, day: number, type: string, amount: number): void {
    this.store.addFee({
      id: uuidFrom(`${this.seed}:fee:${a.id}:${n}`), account: a.id, type, amount, gst_amount: roundHalfUp(amount * 0.18), day, due_day: day,
      ref_id: `FEE-${a.id.slice(0, 8)}-${n}`, remark: type === 'bounce_charge' ? 'NACH return: balance insufficient' : null,
      created_at: endOfDay(day) - 1800, updated_at: endOfDay(day) - 1800,
    });
  }

  addAccount(i: number, profile: Profile, lateShare: number): void {
    const seed = this.seed;
    const name = `${this.pick(FIRST)} ${this.pick(LAST)}, ${this.pick(CITIES)}`;
    const base: AccountIdentity = {
      id: uuidFrom(`${seed}:account:${i}`), loan_id: uuidFrom(`${seed}:loan:${i}`), params_id: uuidFrom(`${seed}:params:${i}`), lead_id: uuidFrom(`${seed}:lead:${i}`),
      program_id: uuidFrom(`${seed}:program:${profile === 'line' ? 'scf' : 'term'}`), borrower_name: name,
    };
    if (profile === 'line') this.addLine(base, lateShare);
    else this.addTermLoan(base, profile);
  }

  /** A term loan whose payments stop where its profile needs them to (closed, current, or overdue by a DPD range). */
  private addTermLoan(base: AccountIdentity, profile: Profile): void {
    const n = this.pick([12, 18, 24, 36, 48, 60] as const);
    const params = this.termParams(n);
    const { paidRows, firstDue } = this.termPlan(profile, n);
    const disbursal = addMonths(firstDue, -1);
    const a: AccountRow = {
      ...base, type: 'term_loan', created_at: endOfDay(disbursal) - 40_000, updated_at: endOfDay(disbursal) - 40_000,
      loan_amount: this.int(50, 2000) * 100_000, line_amount: 0, disbursal_day: disbursal, params,
    };
    this.store.addAccount(a);
    const rows = termSchedule(a).rows;
    const fees = this.payInstalments(a, rows.slice(0, profile === 'cured' ? 0 : paidRows), profile);
    if (profile === 'cured') this.payOneLate(a, rows.slice(0, paidRows));
    this.addProfileEvents(a, rows, profile, paidRows, fees);
  }

  private termParams(n: number): LoanParams {
    const diy = this.rnd() < 0.8 ? 360 : 365;
    return {
      roi: 10 + this.int(0, 28) * 0.5, emi_count: n, days_in_year: diy, days_in_month: diy === 360 ? 30 : 'actual', emi_rounding: 'rupee',
      interest_type: 'reducing', amortization: 'equal_installment', pf_value: 0.5 + this.int(0, 6) * 0.25, pf_value_type: 'percentage',
      pf_gst: 18, penal_roi: 24, overdue_roi: 0, tenure_days: 0, first_due_day: null,
    };
  }

  /** How many instalments were paid, and when the first fell due, so that today the loan is where its profile says. */
  private termPlan(profile: Profile, n: number): { paidRows: number; firstDue: number } {
    const today = this.today;
    if (profile === 'closed') return { firstDue: addMonths(today, -(n + this.int(1, 12))), paidRows: n };
    if (profile in DPD_RANGE) {
      const [lo, hi] = DPD_RANGE[profile];
      const oldestUnpaid = today - this.int(lo, hi) + 1;
      const paidRows = this.int(0, Math.min(n - 1, 12));
      return { paidRows, firstDue: addMonths(oldestUnpaid, -paidRows) };
    }
    const paidRows = this.int(0, n - 1);
    return { paidRows, firstDue: paidRows === 0 ? today + this.int(1, 28) : addMonths(today - this.int(0, 27), -(paidRows - 1)) };
  }

  /** Each instalment paid on (or a few days before) its due date, with the odd bounced NACH; returns the fees raised. */
  private payInstalments(a: AccountRow, paid: readonly { dueDay: number; emi: number; index: number }[], profile: Profile): number {
    let fees = 0;
    for (const r of paid) {
      const early = profile !== 'closed' && this.rnd() < 0.25 ? this.int(1, 3) : 0;
      this.pay(a, r.dueDay - early, r.emi);
      if ((profile === 'regular_fee' && r.index === 1) || (profile === 'regular' && this.rnd() < 0.05)) {
        // A bounced NACH before the successful re-presentation: the charge is raised and paid.
        this.fee(a, ++fees, r.dueDay, 'bounce_charge', 50_000);
        this.pay(a, r.dueDay, 59_000, 'upi');
      }
    }
    return fees;
  }

  /** Every instalment paid on its due date but one of the last eight, paid 3–35 days late: a cured account. */
  private payOneLate(a: AccountRow, paid: readonly { dueDay: number; emi: number }[]): void {
    const late = paid.length > 0 ? paid.length - 1 - this.int(0, Math.min(7, paid.length - 1)) : -1;
    for (const [k, r] of paid.entries()) {
      if (k !== late) this.pay(a, r.dueDay, r.emi);
      else {
        // Enough to cover the penal interest of the late days too (the rest waits as excess), so it cures.
        const days = this.int(3, 35);
        this.pay(a, Math.min(this.today, r.dueDay + days), roundHalfUp(r.emi * (1 + (a.params.penal_roi / 100) * (days + 5) / 365)));
      }
    }
  }

  /** What marks the profile after the regular payments: an excess payment, a bounced missed instalment, a paid fee. */
  private addProfileEvents(a: AccountRow, rows: readonly { dueDay: number; emi: number }[], profile: Profile, paidRows: number, fees: number): void {
    const today = this.today;
    const next = rows[paidRows];
    if (profile === 'excess' && paidRows > 0) this.pay(a, rows[paidRows - 1].dueDay, this.int(5, 50) * 10_000, 'neft');
    if (profile in DPD_RANGE && next) {
      this.fee(a, ++fees, next.dueDay, 'bounce_charge', 50_000);
      // Some borrowers pay part of the missed instalment: it stays overdue.
      if (this.rnd() < 0.4) this.pay(a, Math.min(today, next.dueDay + this.int(1, 10)), roundHalfUp(next.emi * 0.3), 'upi');
    }
    if (profile === 'regular_fee' && paidRows > 0 && rows[paidRows]) {
      this.fee(a, ++fees, Math.min(today, rows[paidRows - 1].dueDay + 3), 'documentation_fee', 100_000);
      this.pay(a, Math.min(today, rows[paidRows - 1].dueDay + 3), 118_000, 'upi');
    }
  }

  /** A credit line with 2–6 drawdowns, each repaid with its interest on its due date, except (sometimes) the first. */
  private addLine(base: AccountIdentity, lateShare: number): void {
    const { rnd, today } = this;
    const roi = 12 + this.int(0, 12) * 0.5;
    const tenure = this.pick([30, 45, 60, 90] as const);
    const start = today - this.int(150, 400);
    const line = this.int(5, 50) * 10_000_000;
    const a: AccountRow = {
      ...base, type: 'credit_line', created_at: endOfDay(start) - 40_000, updated_at: endOfDay(start) - 40_000,
      loan_amount: 0, line_amount: line, disbursal_day: start,
      params: {
        roi, roi_slabs: rnd() < 0.35 ? [{ days: 15, value: roi }, { days: 30, value: roi + 6 }, { days: null, value: roi + 18 }] : null,
        emi_count: 0, days_in_year: 360, days_in_month: 30, emi_rounding: 'paise', interest_type: 'reducing', amortization: 'equal_installment',
        pf_value: 0.25, pf_value_type: 'percentage', pf_gst: 18, penal_roi: 24, overdue_roi: roi, tenure_days: tenure, first_due_day: null,
      },
    };
    this.store.addAccount(a);
    const k = this.int(2, 6);
    let day = start;
    const lateOne = rnd() < lateShare;
    for (let j = 0; j < k; j++) {
      day = Math.min(today - 2, day + this.int(5, 60));
      const amount = Math.floor((line / k) * (0.3 + rnd() * 0.6) / 100_000) * 100_000;
      const topupId = uuidFrom(`${base.id}:topup:${j}`);
      this.store.addTopup({
        id: topupId, account: a.id, amount, day, tenure_days: tenure, invoice_no: `INV/${String(j + 1).padStart(4, '0')}`,
        ref_id: `TOP-${base.id.slice(0, 8)}-${j + 1}`, remark: null, created_at: endOfDay(day) - 20_000, payout_id: null,
      });
      const due = day + tenure;
      const unpaid = lateOne && j === 0;
      if (due <= today && !unpaid) this.pay(a, due, amount + roundHalfUp(drawdownInterest(amount, roi, a.params.roi_slabs, tenure, 360)), 'rtgs');
    }
    if (lateOne) this.fee(a, 1, Math.min(today, start + 10), 'late_fee', 30_000);
  }
}
