/**
 * CREGO.LOAN's card and the dashboard's risk block in Chromium, on the built add-in served with the
 * embedded sandbox, on Microsoft's office.js client against the fake Excel host (test/browser/host/) at the
 * manifest's minimum ExcelApi: the real functions.js registers in the custom-functions double of
 * office-double.js, which keeps an entity result as Excel does (the cell shows its text, `=A2.dpd` reads a
 * field) and can play a host without CustomFunctionsRuntime 1.4. Expected values come from the sandbox itself.
 * It also renders the README's picture of the card and the risk block from what the cells hold.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMonthEnds } from '../../src/api/dates';
import { roundMoney } from '../../src/api/money';
import { CATALOG, toFieldValueTable } from '../../src/functions/catalog';
import { buildAddin } from '../../src/server/build/build';
import { startServer, type RunningServer } from '../../src/server/index';
import { findChromium, missingMessage } from '../../scripts/test-deps.mjs';
import { API_LEVELS, officeScript, openPaneWith } from './host/office-host';
import { renderPreview } from './risk-preview';

const REPO = resolve(__dirname, '../..');
const CHROMIUM = findChromium();
const OFFICE_JS = officeScript(API_LEVELS.minimum);
const SHOTS = join(REPO, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHEET = 'Crego Dashboard';

let server: RunningServer;
let browser: Browser;
let buildDir: string;
const pageErrors: string[] = [];

async function sandboxGet<T>(path: string): Promise<T> {
  const res = await fetch(`${server.apiTarget}${path}`, { headers: { Authorization: `Bearer ${server.devToken}` } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** A fresh workbook with the pane; `hostApi` plays an older Excel (the double's window.__hostApi). */
async function openPane(hostApi?: Record<string, string>): Promise<Page> {
  return (await openPaneWith(browser, server.url, { officeJs: OFFICE_JS, realHost: true, pageErrors, hostApi })).page;
}

const wb =
  (p: Page) =>
  <T>(fn: string, ...args: unknown[]): Promise<T> =>
    p.evaluate(([f, a]) => (window as any).__workbook[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

/** Type rows at an address and wait for the recalculation they start. */
async function typeAndSettle(p: Page, address: string, rows: unknown[][]): Promise<void> {
  await wb(p)('type', 'Sheet1', address, rows);
  await p.evaluate(() => (window as any).__workbook.settled());
}

beforeAll(async () => {
  if (!CHROMIUM) throw new Error(missingMessage('chromium'));
  buildDir = mkdtempSync(join(tmpdir(), 'crego-risk-'));
  await buildAddin({ repoRoot: REPO, outDir: join(buildDir, 'dist') });
  server = await startServer({ port: 0, host: '127.0.0.1', repoRoot: REPO, distDir: join(buildDir, 'dist'), sandbox: { seed: 7, accounts: 150 } });
  browser = await chromium.launch({ executablePath: CHROMIUM!, args: LAUNCH_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

interface Loan {
  account: string;
  type: string;
  status: string;
  borrower_name: string;
}

let card: any;
let riskValues: unknown[][];

describe('CREGO.LOAN in the custom-functions double', () => {
  it('is a card whose fields dot notation reaches: =A2.dpd, =A2.principal_outstanding, =A2.maturity_date', async () => {
    const page = await openPane();
    const loans = (await sandboxGet<{ results: Loan[] }>('/v1/lms/loans/?type=term_loan&status=active&page_size=5')).results;
    const loan = loans[0]!;
    await typeAndSettle(page, 'A2', [[`=CREGO.LOAN("${loan.account}")`, '=A2.dpd', '=A2.principal_outstanding', '=A2.maturity_date', '=A2.asset_category', '=A2.no_such_field']]);
    const summary = await sandboxGet<Record<string, number | string>>(`/v1/lms/accounts/${loan.account}/summary/`);
    const a2 = await wb(page)<{ value: unknown; entity: any }>('cell', 'Sheet1', 'A2');
    expect(a2.value).toBe(loan.borrower_name);
    expect(a2.entity.layouts.card.sections.map((s: any) => s.title)).toEqual(['Dues', 'Paid', 'Risk', 'Terms']);
    const [row] = await wb(page)<unknown[][]>('values', 'Sheet1', 'B2:F2');
    const listed = (await sandboxGet<{ results: Record<string, number>[] }>(`/v1/lms/loans/?account=${loan.account}`)).results[0]!;
    expect(row).toEqual([summary.dpd, roundMoney(summary.principal_outstanding as number), a2.entity.properties.maturity_date.basicValue, summary.asset_category, '#FIELD!']);
    // The maturity date is the loan's, as a date serial shown dd-mmm-yyyy.
    expect(a2.entity.properties.maturity_date.numberFormat).toBe('dd-mmm-yyyy');
    expect(a2.entity.properties.maturity_date.basicValue).toBe(Math.floor((listed.maturity_date! + 19_800) / 86_400) + 25_569);
    expect(pageErrors).toEqual([]);
    card = a2.entity;
    await page.context().close();
  });

  it('on a host without entity values (no CustomFunctionsRuntime 1.4) spills the 23-row field/value table', async () => {
    // Custom functions up to 1.3: no data types (Excel 2021/2024 perpetual, LTSC).
    const page = await openPane({ CustomFunctionsRuntime: '1.3' });
    const account = (await sandboxGet<{ results: Loan[] }>('/v1/lms/loans/?page_size=1')).results[0]!.account;
    await typeAndSettle(page, 'A2', [[`=CREGO.LOAN("${account}")`]]);
    const table = await wb(page)<unknown[][]>('values', 'Sheet1', 'A2:B25');
    const summary = await sandboxGet<Record<string, unknown>>(`/v1/lms/accounts/${account}/summary/`);
    expect(table.slice(0, 23)).toEqual(toFieldValueTable(CATALOG.SUMMARY!, summary, 1900));
    expect(table[23]).toEqual(['', '']);
    expect((await wb(page)<{ entity: unknown }>('cell', 'Sheet1', 'A2')).entity).toBeNull();
    await page.context().close();
  });
});

describe('dates in cells', () => {
  /** Column letter of the header `name` in a spill's first row, read from A1:Z1 of `row`. */
  const columnOf = async (page: Page, row: number, name: string) => {
    const [header] = await wb(page)<unknown[][]>('values', 'Sheet1', `A${row}:Z${row}`);
    const index = header!.indexOf(name);
    expect(index, `${name} in ${String(header)}`).toBeGreaterThanOrEqual(0);
    return String.fromCharCode(65 + index);
  };

  it('EMIS shows due dates as dates (a DoubleCellValue in dd-mmm-yyyy), and a due date fed to RECORDS, typed as YYYY-MM-DD or as a serial names the same day', async () => {
    const page = await openPane();
    const account = (await sandboxGet<{ results: Loan[] }>('/v1/lms/loans/?type=term_loan&status=active&page_size=1')).results[0]!.account;
    await typeAndSettle(page, 'A1', [[`=CREGO.EMIS("${account}")`]]);
    const due = `${await columnOf(page, 1, 'due_date')}2`;
    const dueCell = await wb(page)<{ value: unknown; valueFormat: string | null }>('cell', 'Sheet1', due);
    expect(typeof dueCell.value).toBe('number');
    expect(dueCell.valueFormat).toBe('dd-mmm-yyyy');
    const serial = dueCell.value as number;
    const iso = new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);

    await typeAndSettle(page, 'A100', [[`=CREGO.RECORDS("${account}",${due})`]]);
    await typeAndSettle(page, 'A300', [[`=CREGO.RECORDS("${account}","${iso}")`]]);
    await typeAndSettle(page, 'A500', [[`=CREGO.RECORDS("${account}",${serial})`]]);
    const [byReference, byText, bySerial] = await Promise.all(['A100:Z299', 'A300:Z499', 'A500:Z699'].map((range) => wb(page)<unknown[][]>('values', 'Sheet1', range)));
    expect(byReference[0]![0]).toBe('date');
    expect(byText).toEqual(byReference);
    expect(bySerial).toEqual(byReference);
    // Every record kept is on or after that day.
    const dates = byReference.slice(1).map((row) => row[0]).filter((v) => v !== '');
    expect(dates.every((d) => typeof d === 'number' && d >= serial)).toBe(true);
    expect(dates.length).toBeGreaterThan(0);
    expect((await wb(page)<{ valueFormat: string | null }>('cell', 'Sheet1', 'A101')).valueFormat).toBe('dd-mmm-yyyy');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('on a host without data types (CustomFunctionsRuntime 1.3) the dates are bare serials', async () => {
    const page = await openPane({ CustomFunctionsRuntime: '1.3' });
    const account = (await sandboxGet<{ results: Loan[] }>('/v1/lms/loans/?type=term_loan&status=active&page_size=1')).results[0]!.account;
    await typeAndSettle(page, 'A1', [[`=CREGO.EMIS("${account}")`]]);
    const dueCell = await wb(page)<{ value: unknown; valueFormat: string | null }>('cell', 'Sheet1', `${await columnOf(page, 1, 'due_date')}2`);
    expect(typeof dueCell.value).toBe('number');
    expect(dueCell.valueFormat).toBeNull();
    await page.context().close();
  });
});

describe('the dashboard risk block', () => {
  it('is PORTFOLIO by asset category, ROLLRATES between the last two month-ends and a par_30 chart, all formulas that Refresh recalculates', async () => {
    const page = await openPane();
    // The pane lists the accounts itself: sign in with the server's dev token.
    await page.getByLabel('Paste a token').check();
    await page.getByLabel('Bearer token').fill(server.devToken!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('#whoami:not([hidden])', { timeout: 20_000 });
    await page.getByRole('tab', { name: 'Dashboard' }).click();
    await page.getByLabel('At most this many accounts').fill('150');
    await page.getByRole('button', { name: 'Insert dashboard' }).click();
    await page.waitForFunction(() => !/^Listing/.test(document.querySelector('#dash-status')?.textContent ?? 'Listing'), undefined, { timeout: 60_000 });
    expect(await page.locator('#dash-status').textContent()).toMatch(/^Inserted/);
    await page.evaluate(() => (window as any).__workbook.settled());
    const cell = (address: string) => wb(page)<{ value: unknown; formula: string | null; numberFormat: string }>('cell', SHEET, address);
    const [from, to] = lastMonthEnds(2);

    expect((await cell('Q4')).formula).toBe('=CREGO.PORTFOLIO(,"asset_category")');
    expect((await cell('Q12')).formula).toBe('=CREGO.ROLLRATES(T11,V11)');
    expect([(await cell('T11')).value, (await cell('V11')).value]).toEqual([from, to]);

    // PORTFOLIO by category: every account owing principal today, once.
    const byCategory = await wb(page)<unknown[][]>('values', SHEET, 'Q4:Z9');
    expect(byCategory[0]).toEqual(['group', 'accounts', 'principal_outstanding', 'total_outstanding', 'overdue_outstanding', 'par_1', 'par_30', 'par_60', 'par_90', 'npa_share']);
    const loans = (await sandboxGet<{ results: Loan[] }>('/v1/lms/loans/?page_size=500')).results;
    const todays = await Promise.all(loans.map((l) => sandboxGet<Record<string, number>>(`/v1/lms/accounts/${l.account}/summary/`)));
    const open = todays.filter((s) => s.principal_outstanding > 0);
    const rows = byCategory.slice(1).filter((r) => r[0] !== '');
    expect(rows.reduce((n, r) => n + (r[1] as number), 0)).toBe(open.length);
    expect((await cell('V5')).numberFormat).toBe('0.00%');

    // Roll rates: the population is every account owing principal at the earlier month-end.
    const rolls = await wb(page)<unknown[][]>('values', SHEET, 'Q12:W18');
    expect(rolls[0]).toEqual(['from \\ to', 'Current', '1-30', '31-60', '61-90', '90+', 'Closed']);
    const atFrom = await Promise.all(loans.map((l) => sandboxGet<Record<string, number>>(`/v1/lms/accounts/${l.account}/summary/?as_of_date=${Date.parse(`${from}T23:59:59+05:30`) / 1000}`)));
    const matrixTotal = rolls.slice(1).reduce((n, r) => n + (r.slice(1) as number[]).reduce((a, b) => a + b, 0), 0);
    expect(matrixTotal).toBe(atFrom.filter((s) => s.principal_outstanding > 0).length);

    // The trend: six month-ends, each par_30 read from that month-end's PORTFOLIO.
    const trend = await wb(page)<unknown[][]>('values', SHEET, 'Q22:R27');
    expect(trend.map((r) => r[0])).toEqual(lastMonthEnds(6));
    for (const [, par30] of trend) expect(typeof par30).toBe('number');
    const feeds = await wb(page)<unknown[][]>('values', SHEET, 'Q45:Z56');
    expect(trend.map((r) => r[1])).toEqual([1, 3, 5, 7, 9, 11].map((i) => feeds[i]![6]));
    const charts = await wb(page)<{ type: string; source: string; title: string }[]>('charts');
    expect(charts.find((c) => c.type === 'Line')).toMatchObject({ source: `'${SHEET}'!Q21:R27`, title: 'PAR 30 at month-end' });

    // Refresh recalculates the block (the formulas ask again after the cache is dropped).
    const runs = await wb(page)<number>('calcRuns');
    await page.getByRole('tab', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: 'Workbook' }).click();
    await page.waitForFunction(() => /refreshed/.test(document.querySelector('#refresh-status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    await page.evaluate(() => (window as any).__workbook.settled());
    expect(await wb(page)<number>('calcRuns')).toBeGreaterThan(runs);
    expect(await wb(page)<unknown[][]>('values', SHEET, 'Q4:Z9')).toEqual(byCategory);
    riskValues = await wb(page)<unknown[][]>('values', SHEET, 'Q3:Z27');
    expect(pageErrors).toEqual([]);
    await page.context().close();
   }, 180_000);

  it('renders the README picture: the loan card and the risk block as the cells hold them', async () => {
    const context = await browser.newContext({ viewport: { width: 1760, height: 760 } });
    const page = await context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(renderPreview(card, riskValues));
    mkdirSync(SHOTS, { recursive: true });
    // Everything on screen: no part of the card or the block is cut off.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1760);
    expect(await page.locator('.card h3').textContent()).toBe(card.text);
    expect(await page.locator('.card .section').count()).toBe(4);
    await page.screenshot({ path: join(SHOTS, 'loan-card-and-risk.png'), fullPage: true });
    await context.close();
  });
});
