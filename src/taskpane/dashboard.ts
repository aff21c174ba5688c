/**
 * Dashboard: a new sheet with the portfolio's accounts (List Loans), one spilled CREGO.SUMMARY,
 * totals by asset category and a chart; beside them the risk block (PORTFOLIO, ROLLRATES, a
 * par_30 trend and its chart); formatted in rupees and percent with the header frozen.
 */
import { lastMonthEnds } from '../api/dates';
import type { Loan } from '../api/types';
import { stamp } from '../bulk/results';
import { addChart } from '../excel/chart';
import { DATE_FORMAT, INR_FORMAT, PERCENT_FORMAT, setNumberFormat, styleHeader } from '../excel/format';
import { excelRun, type Ctx } from '../excel/run';
import { ensureSheet, freeSheetName, freezePanes } from '../excel/sheets';
import { formula, writeBlock, writeCells, writeFormulas } from '../excel/write';
import { busy, byId, messageOf, say } from './dom';
import { dashboardLayout, type DashboardAccount } from './dashboardLayout';
import { riskBlockLayout, TREND_MONTHS, type Block } from './dashboardRisk';
import { requireSession } from './session';

export const DASHBOARD_SHEET = 'Crego Dashboard';
/** The risk block starts in column Q, right of the totals and their chart. */
const RISK_COLUMN = 16;

/** Distinct accounts from List Loans (first loan's borrower and type), at most `limit`. */
async function fetchAccounts(limit: number, status: string): Promise<DashboardAccount[]> {
  const { client } = requireSession();
  const seen = new Map<string, DashboardAccount>();
  const query = status ? { status } : {};
  for await (const page of client.pages('loans.list', { query, pageSize: Math.min(100, limit) })) {
    for (const loan of page) {
      if (!seen.has(loan.account)) seen.set(loan.account, { account: loan.account, borrower: loan.borrower_name ?? '', type: loan.type ?? '' });
      if (seen.size >= limit) return [...seen.values()];
    }
  }
  return [...seen.values()];
}

/** `withRisk`: add the risk block (7 Get Summary per account of the whole book on every Refresh). */
export async function insertDashboard(limit: number, status: string, withRisk = true): Promise<{ sheet: string; accounts: number }> {
  const accounts = await fetchAccounts(limit, status);
  const layout = dashboardLayout(accounts, stamp(Date.now()));
  const sheet = await excelRun(async (ctx) => {
    const name = await freeSheetName(ctx, DASHBOARD_SHEET);
    await ensureSheet(ctx, name, { activate: true });
    await writeBlock(ctx, name, layout.title[0], layout.title[1], [[layout.title[2]]]);
    await writeBlock(ctx, name, layout.note[0], layout.note[1], [[layout.note[2]]]);
    await writeBlock(ctx, name, layout.headerRow, 0, [layout.headers]);
    styleHeader(ctx, name, layout.headerRow, 0, layout.headers.length);
    await writeBlock(ctx, name, layout.headerRow + 1, 0, layout.accountRows);
    await writeFormulas(ctx, name, layout.headerRow + 1, 3, [[formula(layout.summaryFormula)]]);
    await writeFormulas(
      ctx,
      name,
      layout.totalsRow,
      layout.totalsCol,
      layout.totals.map((r) => r.map((c) => (typeof c === 'string' && c.startsWith('=') ? formula(c) : c))),
    );
    styleHeader(ctx, name, layout.totalsRow, layout.totalsCol, layout.totals[0].length);
    for (const b of layout.moneyBlocks) setNumberFormat(ctx, name, b.row, b.col, b.rows, b.cols, INR_FORMAT);
    freezePanes(ctx, name, layout.headerRow + 1);
    await ctx.sync();
    await addChart(ctx, { sheet: name, source: layout.chart.source, title: 'Total outstanding by asset category', from: layout.chart.from, to: layout.chart.to });
    if (withRisk) await insertRiskBlock(ctx, name, layout.headerRow - 1);
    return name;
  });
  return { sheet, accounts: accounts.length };
}

/** The risk block from column Q: PORTFOLIO by category, ROLLRATES, the PAR 30 trend and its chart. */
async function insertRiskBlock(ctx: Ctx, name: string, row: number): Promise<void> {
  const risk = riskBlockLayout(row, RISK_COLUMN, lastMonthEnds(TREND_MONTHS));
  await writeCells(ctx, name, risk.cells.map((c) => ({ row: c.row, col: c.col, value: c.formula ? formula(c.value) : c.value })));
  const format = (blocks: Block[], numberFormat: string) => {
    for (const b of blocks) setNumberFormat(ctx, name, b.row, b.col, b.rows, b.cols, numberFormat);
  };
  format(risk.moneyBlocks, INR_FORMAT);
  format(risk.percentBlocks, PERCENT_FORMAT);
  format(risk.dateCells, DATE_FORMAT);
  for (const h of risk.headers) styleHeader(ctx, name, h.row, h.col, h.cols);
  await ctx.sync();
  await addChart(ctx, { sheet: name, source: risk.chart.source, title: risk.chart.title, from: risk.chart.from, to: risk.chart.to, type: 'Line' });
}

export function setupDashboard(): void {
  const button = byId<HTMLButtonElement>('dash-insert');
  button.addEventListener('click', () =>
    void busy(button, async () => {
      const status = byId('dash-status');
      const limit = Number(byId<HTMLInputElement>('dash-limit').value);
      if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
        say(status, 'At most this many accounts: enter a whole number from 1 to 5000.', 'error');
        return;
      }
      say(status, 'Listing loans…');
      try {
        const made = await insertDashboard(limit, byId<HTMLSelectElement>('dash-status-filter').value, byId<HTMLInputElement>('dash-risk').checked);
        say(status, `Inserted ${made.sheet} with ${made.accounts} accounts. Its figures fill in as CREGO.SUMMARY calculates.`, 'success');
      } catch (error) {
        say(status, messageOf(error), 'error');
      }
    }),
  );
}
