/**
 * The portfolio sheet's layout as plain cells (pure; tested without Excel): account rows from
 * List Loans, ONE spilled CREGO.SUMMARY over the account column × the field header row, totals by
 * asset category with SUMIF/COUNTIF over the spill, and the block the chart plots.
 */
import { ASSET_CATEGORIES } from '../api/types';
import { blockAddress, cellAddress, columnLetter } from '../excel/address';
import { NAMESPACE } from './formulaText';

/** Summary fields on the dashboard; asset_category must be one (the totals group by it). */
export const DASHBOARD_FIELDS = ['principal_outstanding', 'total_outstanding', 'overdue_outstanding', 'dpd', 'asset_category'] as const;
const MONEY_FIELDS = new Set(['principal_outstanding', 'total_outstanding', 'overdue_outstanding']);

export interface DashboardAccount {
  account: string;
  borrower: string;
  type: string;
}

export interface DashboardLayout {
  title: [number, number, string];
  note: [number, number, string];
  /** Header row (zero-based) and the account block under it (values). */
  headerRow: number;
  headers: string[];
  accountRows: string[][];
  /** The one SUMMARY formula and where it goes. */
  summaryCell: string;
  summaryFormula: string;
  /** Totals block: header + one row per category + a total row (formulas as text). */
  totalsRow: number;
  totalsCol: number;
  totals: (string | number)[][];
  /** Zero-based blocks that get the rupee format. */
  moneyBlocks: { row: number; col: number; rows: number; cols: number }[];
  /** Chart source (category + total outstanding, header included) and placement. */
  chart: { source: { row: number; col: number; rows: number; cols: number }; from: string; to: string };
}

export function dashboardLayout(accounts: readonly DashboardAccount[], asOfText: string): DashboardLayout {
  if (accounts.length === 0) throw new Error('No loans to show: List Loans returned no accounts for this filter.');
  const headerRow = 3;
  const first = headerRow + 1;
  const last = first + accounts.length - 1;
  const fieldCol = 3; // A account, B borrower, C type, then the fields
  const headers = ['Account', 'Borrower', 'Type', ...DASHBOARD_FIELDS];
  const col = (field: string) => fieldCol + DASHBOARD_FIELDS.indexOf(field as (typeof DASHBOARD_FIELDS)[number]);
  const absColumn = (field: string) => {
    const l = columnLetter(col(field));
    return `$${l}$${first + 1}:$${l}$${last + 1}`;
  };
  const ids = `A${first + 1}:A${last + 1}`;
  const fieldHeader = blockAddress(headerRow, fieldCol, 1, DASHBOARD_FIELDS.length);
  const summaryFormula = `=${NAMESPACE}.SUMMARY(${ids},${fieldHeader})`;

  const totalsCol = fieldCol + DASHBOARD_FIELDS.length + 1;
  const category = absColumn('asset_category');
  const catCell = (r: number) => cellAddress(r, totalsCol);
  const totals: (string | number)[][] = [['Asset category', 'Total outstanding', 'Principal outstanding', 'Accounts']];
  ASSET_CATEGORIES.forEach((cat, i) => {
    const r = headerRow + 1 + i;
    totals.push([
      cat,
      `=SUMIF(${category},${catCell(r)},${absColumn('total_outstanding')})`,
      `=SUMIF(${category},${catCell(r)},${absColumn('principal_outstanding')})`,
      `=COUNTIF(${category},${catCell(r)})`,
    ]);
  });
  const sumRow = headerRow + 1 + ASSET_CATEGORIES.length;
  const sumOf = (c: number) => `=SUM(${blockAddress(headerRow + 1, c, ASSET_CATEGORIES.length, 1)})`;
  totals.push(['Total', sumOf(totalsCol + 1), sumOf(totalsCol + 2), sumOf(totalsCol + 3)]);

  const moneyCols = DASHBOARD_FIELDS.map((f, i) => (MONEY_FIELDS.has(f) ? fieldCol + i : -1)).filter((c) => c >= 0);
  return {
    title: [0, 0, 'Crego portfolio'],
    note: [1, 0, `Accounts from List Loans as of ${asOfText}. Figures come from one CREGO.SUMMARY formula: use Refresh in the Crego pane to update them.`],
    headerRow,
    headers,
    accountRows: accounts.map((a) => [a.account, a.borrower, a.type]),
    summaryCell: cellAddress(first, fieldCol),
    summaryFormula,
    totalsRow: headerRow,
    totalsCol,
    totals,
    moneyBlocks: [
      { row: first, col: Math.min(...moneyCols), rows: accounts.length, cols: moneyCols.length },
      { row: headerRow + 1, col: totalsCol + 1, rows: ASSET_CATEGORIES.length + 1, cols: 2 },
    ],
    chart: {
      source: { row: headerRow, col: totalsCol, rows: ASSET_CATEGORIES.length + 1, cols: 2 },
      from: cellAddress(sumRow + 2, totalsCol),
      to: cellAddress(sumRow + 18, totalsCol + 5),
    },
  };
}
