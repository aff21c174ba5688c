/**
 * Portfolio risk from Get Summary answers, free of I/O: PORTFOLIO's PAR/NPA table and ROLLRATES'
 * DPD-bucket transition matrix. Amounts are summed in integer paise and ratios rounded to 4
 * decimals with integer arithmetic, so a figure never depends on the order accounts arrive in.
 */
import { isNpaCategory } from '../api/assetCategories';
import { fromPaise, toPaise } from '../api/money';
import { ASSET_CATEGORIES } from '../api/types';

/** What PORTFOLIO and ROLLRATES read from one Get Summary answer. */
export interface RiskSummary {
  principal_outstanding: number;
  total_outstanding: number;
  overdue_outstanding: number;
  dpd: number;
  asset_category: string;
}

/** One account of the book: its List Loans attributes and its Summary at the date. */
export interface RiskAccount {
  account: string;
  type: string;
  status: string;
  summary: RiskSummary;
}

export const PORTFOLIO_HEADER = [
  'group',
  'accounts',
  'principal_outstanding',
  'total_outstanding',
  'overdue_outstanding',
  'par_1',
  'par_30',
  'par_60',
  'par_90',
  'npa_share',
] as const;

export const GROUP_BY = ['asset_category', 'type', 'status'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** The one group of an ungrouped PORTFOLIO. */
export const ALL_GROUP = 'All';

export const BUCKETS = ['Current', '1-30', '31-60', '61-90', '90+', 'Closed'] as const;
export type Bucket = (typeof BUCKETS)[number];

export const MEASURES = ['count', 'principal'] as const;
export type Measure = (typeof MEASURES)[number];

export const ROLLRATES_CORNER = 'from \\ to';

/** In the book at that date: principal still owed (the population of both functions). */
export function isOpen(summary: RiskSummary): boolean {
  return toPaise(summary.principal_outstanding) > 0;
}

/** The DPD bucket of an account at a date; `Closed` once no principal is owed. */
export function bucketOf(summary: RiskSummary): Bucket {
  if (!isOpen(summary)) return 'Closed';
  const dpd = summary.dpd;
  if (dpd <= 0) return 'Current';
  if (dpd <= 30) return '1-30';
  if (dpd <= 60) return '31-60';
  if (dpd <= 90) return '61-90';
  return '90+';
}

/** numerator ÷ denominator rounded half-up to 4 decimals, exactly (paise sums exceed 2^53 once scaled). */
export function ratio4(numerator: number, denominator: number): number {
  if (denominator <= 0) return 0;
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  return Number((n * 20_000n + d) / (2n * d)) / 10_000;
}

interface GroupTotals {
  accounts: number;
  principal: number;
  total: number;
  overdue: number;
  par1: number;
  par30: number;
  par60: number;
  par90: number;
  npa: number;
}

function groupKey(a: RiskAccount, groupBy: GroupBy | undefined): string {
  if (groupBy === undefined) return ALL_GROUP;
  const value = groupBy === 'asset_category' ? a.summary.asset_category : a[groupBy];
  return value === undefined || value === null || value === '' ? '(none)' : String(value);
}

/** Asset categories in RBI order (any others after, alphabetically); other groupings alphabetically. */
function groupOrder(groupBy: GroupBy | undefined, keys: string[]): string[] {
  const rank = (k: string) => (groupBy === 'asset_category' ? (ASSET_CATEGORIES as readonly string[]).indexOf(k) : -1);
  return keys.sort((a, b) => {
    const ra = rank(a) < 0 ? Infinity : rank(a);
    const rb = rank(b) < 0 ? Infinity : rank(b);
    return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * PORTFOLIO's table: the header row, then one row per group of the accounts owing principal.
 * par_N is the principal of accounts past N days (par_1: dpd ≥ 1) over the group's principal;
 * npa_share the principal of accounts in an NPA category over the same.
 */
export function portfolioTable(accounts: readonly RiskAccount[], groupBy: GroupBy | undefined): (string | number)[][] {
  const groups = new Map<string, GroupTotals>();
  for (const a of accounts) {
    const s = a.summary;
    if (!isOpen(s)) continue;
    const key = groupKey(a, groupBy);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { accounts: 0, principal: 0, total: 0, overdue: 0, par1: 0, par30: 0, par60: 0, par90: 0, npa: 0 }));
    const principal = toPaise(s.principal_outstanding);
    g.accounts++;
    g.principal += principal;
    g.total += toPaise(s.total_outstanding);
    g.overdue += toPaise(s.overdue_outstanding);
    if (s.dpd >= 1) g.par1 += principal;
    if (s.dpd > 30) g.par30 += principal;
    if (s.dpd > 60) g.par60 += principal;
    if (s.dpd > 90) g.par90 += principal;
    if (isNpaCategory(s.asset_category)) g.npa += principal;
  }
  const rows: (string | number)[][] = [[...PORTFOLIO_HEADER]];
  if (groupBy === undefined && groups.size === 0) {
    rows.push([ALL_GROUP, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    return rows;
  }
  for (const key of groupOrder(groupBy, [...groups.keys()])) {
    const g = groups.get(key)!;
    rows.push([
      key,
      g.accounts,
      fromPaise(g.principal),
      fromPaise(g.total),
      fromPaise(g.overdue),
      ratio4(g.par1, g.principal),
      ratio4(g.par30, g.principal),
      ratio4(g.par60, g.principal),
      ratio4(g.par90, g.principal),
      ratio4(g.npa, g.principal),
    ]);
  }
  return rows;
}

/** One account at both dates (`to` is its Summary at the later date). */
export interface Transition {
  from: RiskSummary;
  to: RiskSummary;
}

/**
 * ROLLRATES' matrix: `from \ to` in the corner, the buckets along the first row and down the first
 * column; each cell the accounts (or their principal at `from`, in rupees) that moved from the
 * row's bucket to the column's. Only accounts owing principal at `from` count, so the Closed row is 0.
 */
export function rollRateTable(transitions: readonly Transition[], measure: Measure): (string | number)[][] {
  const index = new Map(BUCKETS.map((b, i) => [b, i] as const));
  const cells = BUCKETS.map(() => BUCKETS.map(() => 0));
  for (const t of transitions) {
    if (!isOpen(t.from)) continue;
    const row = cells[index.get(bucketOf(t.from))!]!;
    row[index.get(bucketOf(t.to))!]! += measure === 'count' ? 1 : toPaise(t.from.principal_outstanding);
  }
  return [
    [ROLLRATES_CORNER, ...BUCKETS],
    ...BUCKETS.map((b, i) => [b, ...cells[i]!.map((v) => (measure === 'count' ? v : fromPaise(v)))]),
  ];
}
