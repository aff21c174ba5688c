/**
 * The ledger replay's steps one by one, without a server: the waterfall's two orders, the day-end's
 * DPD and NPA flag, and parked excess meeting the next due. (The figures through HTTP, and the
 * reference cases, are in ledger.test.ts and loan-math.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { blankDemand, type Demand } from '../../src/sandbox/demands';
import { LedgerReplay } from '../../src/sandbox/replay';
import type { AccountRow } from '../../src/sandbox/store';

function termLoan(penalRoi = 0): AccountRow {
  return {
    id: 'acc', loan_id: 'loan', params_id: 'params', lead_id: 'lead', program_id: 'program', borrower_name: 'Step Test',
    type: 'term_loan', created_at: 0, updated_at: 0, loan_amount: 2_000_00, line_amount: 0, disbursal_day: 0,
    params: {
      roi: 12, emi_count: 2, days_in_year: 360, days_in_month: 30, emi_rounding: 'rupee', interest_type: 'reducing',
      amortization: 'equal_installment', pf_value: 0, pf_value_type: 'percentage', pf_gst: 18, penal_roi: penalRoi,
      overdue_roi: 0, tenure_days: 0, first_due_day: null,
    },
  };
}

/** Two instalments of 1,000.00 principal and 100.00 interest (in paise), due on days 30 and 60. */
function twoInstalments(): Demand[] {
  return [1, 2].map((index) => blankDemand({ id: `emi-${index}`, kind: 'emi', index, dueDay: 30 * index, startDay: 30 * (index - 1), principal: 1000_00, interest: 100_00 }));
}

describe('the ledger replay, step by step', () => {
  it('oldest due first pays the oldest instalment whole before the next; RBI order pays every interest before any principal', () => {
    const oldest = new LedgerReplay(termLoan(), twoInstalments());
    expect(oldest.pay('rec', 500_00, 60, 'oldest_due_first')).toBe(0);
    expect(oldest.demands.map((d) => [d.paidInterest, d.paidPrincipal])).toEqual([[100_00, 400_00], [0, 0]]);

    const rbi = new LedgerReplay(termLoan(), twoInstalments());
    expect(rbi.pay('rec', 500_00, 60, 'rbi')).toBe(0);
    expect(rbi.demands.map((d) => [d.paidInterest, d.paidPrincipal])).toEqual([[100_00, 300_00], [100_00, 0]]);
    // One settlement per instalment reached, each saying what the payment still held after it.
    expect(rbi.settlements.map((s) => [s.demand, s.amount, s.remaining])).toEqual([['emi-1', 400_00, 100_00], ['emi-2', 100_00, 0]]);
  });

  it('the day-end counts DPD from the oldest unpaid due, flags NPA past 90 days and clears it once nothing is overdue', () => {
    const replay = new LedgerReplay(termLoan(), twoInstalments());
    expect(replay.dayEnd(29)).toBe(0);
    expect(replay.dayEnd(120)).toBe(91);
    expect([replay.peakDpd, replay.npaSince]).toEqual([91, 120]);
    replay.pay('rec', 2200_00, 121, 'oldest_due_first');
    expect(replay.dayEnd(121)).toBe(0);
    expect([replay.peakDpd, replay.npaSince]).toEqual([91, null]);
    expect(replay.demands.map((d) => d.settledDay)).toEqual([121, 121]);
  });

  it('penal accrues day by day on what is overdue, and only up to the day-end asked for', () => {
    const replay = new LedgerReplay(termLoan(24), twoInstalments());
    replay.accrue(29);
    expect(replay.demands[0].penalAccrued).toBe(0); // not yet due
    replay.accrue(39); // day-ends 30..39 of an unpaid 1,100.00: 10 days at 24 % a year (360 days)
    expect(replay.demands[0].penalAccrued).toBeCloseTo((1100_00 * 0.24 * 10) / 360, 6);
    expect(replay.demands[1].penalAccrued).toBe(0);
  });

  it('a payment larger than what is due is parked, then meets the next instalment on its due date', () => {
    const replay = new LedgerReplay(termLoan(), twoInstalments());
    replay.book({ id: 'rec', account: 'acc', type: 'repayment', amount: 1500_00, tds_amount: 0, day: 30, payment_mode: 'upi', utr: 'U1', bank_day: 30, remark: null, settlement_order: 'oldest_due_first', created_at: 0, index: 1 }, 30);
    expect([replay.excessTotal(), replay.recordRemaining.get('rec'), replay.recordSettledDay.has('rec')]).toEqual([400_00, 400_00, false]);
    replay.applyExcess(45); // nothing due yet: the money waits
    expect(replay.excessTotal()).toBe(400_00);
    replay.applyExcess(60);
    expect([replay.excessTotal(), replay.recordRemaining.get('rec'), replay.recordSettledDay.get('rec')]).toEqual([0, 0, 60]);
    expect(replay.demands[1]).toMatchObject({ paidInterest: 100_00, paidPrincipal: 300_00 });
  });
});
