/**
 * The dashboard's risk block as plain cells (pure; tested without Excel): PORTFOLIO by asset
 * category (today), the roll-rate matrix between the last two month-ends, and par_30 at each of the
 * last six month-ends for a line chart. Every figure is a CREGO formula, so Refresh updates it; the
 * month-ends are written as dates when the block is inserted.
 */
import { cellAddress } from '../excel/address';
import { BUCKETS, PORTFOLIO_HEADER } from '../functions/riskTables';
import { NAMESPACE } from './formulaText';

export interface Block {
  row: number;
  col: number;
  rows: number;
  cols: number;
}

export interface RiskBlockLayout {
  /** Labels, month-end dates (`YYYY-MM-DD`, Excel reads them as dates) and formulas, each at (row, col). */
  cells: { row: number; col: number; value: string; formula?: boolean }[];
  /** Where the ratios (as %), amounts (₹) and dates land, spills included. */
  percentBlocks: Block[];
  moneyBlocks: Block[];
  dateCells: Block[];
  /** Header rows (spilled headers included) styled like the dashboard's other headers. */
  headers: Block[];
  chart: { source: Block; from: string; to: string; title: string };
}

/** Month-ends shown in the par_30 trend (the roll rates use the last two). */
export const TREND_MONTHS = 6;
const PAR30_COLUMN = PORTFOLIO_HEADER.indexOf('par_30');
const FIRST_RATIO_COLUMN = PORTFOLIO_HEADER.indexOf('par_1');
const FIRST_MONEY_COLUMN = PORTFOLIO_HEADER.indexOf('principal_outstanding');
const MONEY_COLUMNS = 3;
const RATIO_COLUMNS = PORTFOLIO_HEADER.length - FIRST_RATIO_COLUMN;
/** Rows PORTFOLIO by asset category can spill: header + the five RBI categories. */
const CATEGORY_ROWS = 6;

/** The block with its top-left at (row, col); `monthEnds` the last six month-ends, oldest first. */
export function riskBlockLayout(row: number, col: number, monthEnds: readonly string[]): RiskBlockLayout {
  if (monthEnds.length !== TREND_MONTHS) throw new RangeError(`riskBlockLayout needs ${TREND_MONTHS} month-ends, got ${monthEnds.length}`);
  const cells: RiskBlockLayout['cells'] = [];
  const put = (r: number, c: number, value: string, formula = false) => cells.push({ row: r, col: c, value, formula });
  const percentBlocks: Block[] = [];
  const moneyBlocks: Block[] = [];
  const dateCells: Block[] = [];
  const headers: Block[] = [];
  /** Formats of a PORTFOLIO spill whose header is at `r`, with `rows` data rows. */
  const formatPortfolio = (r: number, rows: number) => {
    moneyBlocks.push({ row: r + 1, col: col + FIRST_MONEY_COLUMN, rows, cols: MONEY_COLUMNS });
    percentBlocks.push({ row: r + 1, col: col + FIRST_RATIO_COLUMN, rows, cols: RATIO_COLUMNS });
  };

  // 1. Today's book by asset category.
  put(row, col, 'Portfolio risk by asset category, today (PAR and NPA share as % of principal outstanding)');
  put(row + 1, col, `=${NAMESPACE}.PORTFOLIO(,"asset_category")`, true);
  headers.push({ row: row + 1, col, rows: 1, cols: PORTFOLIO_HEADER.length });
  formatPortfolio(row + 1, CATEGORY_ROWS - 1);

  // 2. Roll rates between the last two month-ends.
  const rollRow = row + CATEGORY_ROWS + 2;
  const [from, to] = monthEnds.slice(-2) as [string, string];
  put(rollRow, col, 'Roll rates (accounts) from month-end');
  put(rollRow, col + 3, from);
  put(rollRow, col + 4, 'to');
  put(rollRow, col + 5, to);
  dateCells.push({ row: rollRow, col: col + 3, rows: 1, cols: 1 }, { row: rollRow, col: col + 5, rows: 1, cols: 1 });
  put(rollRow + 1, col, `=${NAMESPACE}.ROLLRATES(${cellAddress(rollRow, col + 3)},${cellAddress(rollRow, col + 5)})`, true);
  headers.push({ row: rollRow + 1, col, rows: 1, cols: BUCKETS.length + 1 });

  // 3. par_30 at each month-end: one PORTFOLIO per month-end (2 rows each) below, read into a small
  //    table (month-end, par_30) that the chart plots.
  const trendRow = rollRow + BUCKETS.length + 3;
  put(trendRow, col, `PAR 30 at the last ${TREND_MONTHS} month-ends`);
  put(trendRow + 1, col, 'Month-end');
  put(trendRow + 1, col + 1, 'par_30');
  headers.push({ row: trendRow + 1, col, rows: 1, cols: 2 });
  const feedRow = trendRow + TREND_MONTHS + 18;
  put(feedRow, col, 'PORTFOLIO at each month-end (feeds the chart)');
  monthEnds.forEach((monthEnd, k) => {
    const at = trendRow + 2 + k;
    const spill = feedRow + 1 + 2 * k;
    put(at, col, monthEnd);
    put(spill, col, `=${NAMESPACE}.PORTFOLIO(${cellAddress(at, col)})`, true);
    put(at, col + 1, `=${cellAddress(spill + 1, col + PAR30_COLUMN)}`, true);
    formatPortfolio(spill, 1);
  });
  dateCells.push({ row: trendRow + 2, col, rows: TREND_MONTHS, cols: 1 });
  percentBlocks.push({ row: trendRow + 2, col: col + 1, rows: TREND_MONTHS, cols: 1 });

  return {
    cells,
    percentBlocks,
    moneyBlocks,
    dateCells,
    headers,
    chart: {
      source: { row: trendRow + 1, col, rows: TREND_MONTHS + 1, cols: 2 },
      from: cellAddress(trendRow, col + 3),
      to: cellAddress(trendRow + 16, col + 9),
      title: 'PAR 30 at month-end',
    },
  };
}
