/**
 * The risk arithmetic at its edges: DPD boundaries of PAR and the buckets, NPA labels, exact
 * 4-decimal ratios on sums too large for a double once scaled, money summed without drift.
 */
import { describe, expect, it } from 'vitest';
import { isNpaCategory } from '../../src/api/assetCategories';
import { bucketOf, portfolioTable, ratio4, rollRateTable, type RiskAccount, type RiskSummary } from '../../src/functions/riskTables';

const s = (dpd: number, principal: number, extra: Partial<RiskSummary> = {}): RiskSummary => ({
  principal_outstanding: principal,
  total_outstanding: principal,
  overdue_outstanding: 0,
  dpd,
  asset_category: dpd > 90 ? 'NPA' : dpd > 0 ? 'SMA-0' : 'Regular',
  ...extra,
});
const acc = (summary: RiskSummary, type = 'term_loan', status = 'active'): RiskAccount => ({ account: String(Math.random()), type, status, summary });

describe('PAR and bucket boundaries', () => {
  it('par_1 counts dpd ≥ 1; par_30/60/90 count dpd above 30/60/90', () => {
    const table = portfolioTable([0, 1, 30, 31, 60, 61, 90, 91].map((d) => acc(s(d, 100))), undefined);
    // 8 accounts of ₹100: dpd ≥ 1 → 7, > 30 → 5, > 60 → 3, > 90 → 1 (and that one is NPA).
    expect(table[1]).toEqual(['All', 8, 800, 800, 0, 0.875, 0.625, 0.375, 0.125, 0.125]);
  });

  it('buckets: Current, 1-30, 31-60, 61-90, 90+, and Closed once no principal is owed', () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91, 400].map((d) => bucketOf(s(d, 1)))).toEqual(['Current', '1-30', '1-30', '31-60', '31-60', '61-90', '61-90', '90+', '90+']);
    expect(bucketOf(s(45, 0))).toBe('Closed');
    expect(bucketOf(s(0, 0.001))).toBe('Closed');
  });

  it('leaves out accounts owing no principal, and sums money in paise', () => {
    const table = portfolioTable([acc(s(0, 0.1)), acc(s(0, 0.2)), acc(s(5, 0))], undefined);
    expect(table[1]!.slice(0, 3)).toEqual(['All', 2, 0.3]);
  });

  it('an empty book is one All row of zeros, not a division by zero', () => {
    expect(portfolioTable([], undefined)[1]).toEqual(['All', 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(portfolioTable([], 'type')).toHaveLength(1);
  });

  it('groups asset categories in RBI order, other groupings alphabetically', () => {
    const book = [acc(s(100, 1), 'credit_line'), acc(s(0, 1)), acc(s(5, 1), 'term_loan', 'closed')];
    expect(portfolioTable(book, 'asset_category').slice(1).map((r) => r[0])).toEqual(['Regular', 'SMA-0', 'NPA']);
    expect(portfolioTable(book, 'type').slice(1).map((r) => r[0])).toEqual(['credit_line', 'term_loan']);
    expect(portfolioTable(book, 'status').slice(1).map((r) => r[0])).toEqual(['active', 'closed']);
  });
});

describe('ratio4', () => {
  it('rounds half up at the 4th decimal, exactly, even for sums past 2^53 once scaled', () => {
    expect(ratio4(1, 3)).toBe(0.3333);
    expect(ratio4(2, 3)).toBe(0.6667);
    expect(ratio4(1, 20_000)).toBe(0.0001); // exactly half of the 4th decimal: up
    expect(ratio4(1, 20_001)).toBe(0);
    // ₹4,00,000 crore in paise: numerator × 10,000 is far beyond 2^53.
    const big = 4_000_000_000_000_000;
    expect(ratio4(big / 2 + 1, big)).toBe(0.5);
    expect(ratio4(big, big)).toBe(1);
    expect(ratio4(5, 0)).toBe(0);
  });
});

describe('NPA labels', () => {
  it('NPA and RBI’s sub-classes count; SMA and Regular do not', () => {
    for (const label of ['NPA', 'npa', 'Sub-standard', 'Substandard', 'Doubtful', 'Doubtful-2', 'D3', 'Loss']) expect(isNpaCategory(label), label).toBe(true);
    for (const label of ['Regular', 'Standard', 'SMA-0', 'SMA-2', '', null]) expect(isNpaCategory(label), String(label)).toBe(false);
  });
});

describe('roll-rate matrix', () => {
  it('counts (or sums principal at fromDate) by from-bucket × to-bucket, and skips accounts closed at fromDate', () => {
    const moves = [
      { from: s(0, 100), to: s(0, 90) },
      { from: s(0, 50.5), to: s(12, 45) },
      { from: s(40, 10.25), to: s(0, 0) },
      { from: s(0, 0), to: s(5, 10) },
    ];
    const count = rollRateTable(moves, 'count');
    expect(count[0]).toEqual(['from \\ to', 'Current', '1-30', '31-60', '61-90', '90+', 'Closed']);
    expect(count[1]).toEqual(['Current', 1, 1, 0, 0, 0, 0]);
    expect(count[3]).toEqual(['31-60', 0, 0, 0, 0, 0, 1]);
    expect(count[6]).toEqual(['Closed', 0, 0, 0, 0, 0, 0]);
    const principal = rollRateTable(moves, 'principal');
    expect(principal[1]).toEqual(['Current', 100, 50.5, 0, 0, 0, 0]);
    expect(principal[3]).toEqual(['31-60', 0, 0, 0, 0, 0, 10.25]);
  });
});
