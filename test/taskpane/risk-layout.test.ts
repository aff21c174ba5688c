/**
 * The dashboard's risk block as cells (no Excel): where each formula goes, what it reads, and which
 * cells get %, ₹ and date formats; and the month-ends it is built on (India's calendar).
 */
import { describe, expect, it } from 'vitest';
import { lastMonthEnds } from '../../src/api/dates';
import { PORTFOLIO_HEADER } from '../../src/functions/riskTables';
import { blockAddress, cellAddress } from '../../src/excel/address';
import { riskBlockLayout } from '../../src/taskpane/dashboardRisk';

const MONTHS = ['2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30'];

describe('lastMonthEnds', () => {
  it('gives the month-ends before this month in India, oldest first', () => {
    expect(lastMonthEnds(6, Date.parse('2026-12-06T10:00:00Z'))).toEqual(MONTHS);
    // 31 Mar 20:00 UTC is already 1 April in India: March has ended.
    expect(lastMonthEnds(2, Date.parse('2026-03-31T20:00:00Z'))).toEqual(['2026-02-28', '2026-03-31']);
    expect(lastMonthEnds(1, Date.parse('2028-03-01T00:00:00Z'))).toEqual(['2028-02-29']);
  });
});

describe('riskBlockLayout', () => {
  const layout = riskBlockLayout(2, 16, MONTHS);
  const at = (address: string) => layout.cells.find((c) => cellAddress(c.row, c.col) === address);

  it('places PORTFOLIO by category, ROLLRATES over the last two month-ends, and one PORTFOLIO per month-end', () => {
    expect(at('Q4')).toEqual({ row: 3, col: 16, value: '=CREGO.PORTFOLIO(,"asset_category")', formula: true });
    expect([at('T11')?.value, at('V11')?.value]).toEqual(['2026-10-31', '2026-11-30']);
    expect(at('Q12')?.value).toBe('=CREGO.ROLLRATES(T11,V11)');
    const trend = MONTHS.map((_, k) => [at(`Q${22 + k}`)?.value, at(`R${22 + k}`)?.value]);
    expect(trend.map((t) => t[0])).toEqual(MONTHS);
    MONTHS.forEach((_, k) => {
      expect(at(`Q${45 + 2 * k}`)?.value).toBe(`=CREGO.PORTFOLIO(Q${22 + k})`);
      // The trend reads par_30 of that month-end's All row (the spill's second row).
      expect(trend[k]![1]).toBe(`=${cellAddress(44 + 2 * k + 1, 16 + PORTFOLIO_HEADER.indexOf('par_30'))}`);
    });
    expect(layout.chart.source).toEqual({ row: 20, col: 16, rows: 7, cols: 2 });
  });

  it('formats ratios as %, amounts in ₹ and the month-ends as dates, over the spills', () => {
    const addresses = (blocks: { row: number; col: number; rows: number; cols: number }[]) => blocks.map((b) => blockAddress(b.row, b.col, b.rows, b.cols));
    expect(addresses(layout.percentBlocks)).toContain('V5:Z9');
    expect(addresses(layout.moneyBlocks)).toContain('S5:U9');
    expect(addresses(layout.percentBlocks)).toContain('R22:R27');
    expect(addresses(layout.dateCells)).toEqual(['T11', 'V11', 'Q22:Q27']);
  });

  it('wants exactly six month-ends', () => {
    expect(() => riskBlockLayout(2, 16, MONTHS.slice(1))).toThrow(/6 month-ends/);
  });
});
