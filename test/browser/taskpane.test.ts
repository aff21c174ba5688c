/**
 * The task pane in headless Chromium (Debian's /usr/bin/chromium through playwright-core), loaded
 * from the project's HTTPS server with the embedded sandbox behind /api. The pane talks to Excel through
 * Microsoft's own office.js client (@microsoft/office-js's excel-web-16.00.js), whose batches reach the fake
 * Excel host of test/browser/host/ (the sheet model of office-double.js behind /ProcessQuery, refusing what
 * Excel refuses), at the manifest's minimum ExcelApi. functions.js, the pane module, the client and the bulk
 * engine are the real build.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochToExcelSerial, isoDateToExcelSerial } from '../../src/api/dates';
import { buildAddin } from '../../src/server/build/build';
import { startServer, type RunningServer } from '../../src/server/index';
import { API_LEVELS, officeScript, openPaneWith, routeExcelHost } from './host/office-host';
import { rejectedByShare } from '../../src/sandbox/index';
import { findChromium, missingMessage } from '../../scripts/test-deps.mjs';

const REPO = resolve(__dirname, '../..');
const CHROMIUM = findChromium();
// Every run saves its screenshots under test-results/ (git-ignored); UPDATE_SCREENSHOTS=1 refreshes the
// README's copies in docs/screenshots instead, so a plain `npm test` leaves the work tree clean.
const SHOTS = join(REPO, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');
/**
 * The ExcelApi level of the host every scenario runs against: the manifest's minimum, the strictest (a
 * member newer than the oldest Excel the manifest admits is refused). The scenarios whose Excel calls depend
 * on the host's sets (template, marks, date system, Refresh) run at the latest level the client has too.
 */
const LEVEL = API_LEVELS.minimum;
const OFFICE_JS = officeScript(LEVEL);
/**
 * Notes (Worksheet.notes) arrived in ExcelApi 1.18; Microsoft's client here (@microsoft/office-js 1.1.110, the
 * newest on npm) stops at 1.15, so no host of these tests has them and the pane must not write any. What the
 * notes say is checked in test/excel/excel.test.ts.
 */
const hasNotes = (level: number) => level >= 18;
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server: RunningServer;
/** A second add-in server whose upstream (the same sandbox) is labelled production. */
let prodServer: RunningServer;
/** A third server whose own sandbox answers slowly, so a push can be cancelled while a chunk is in flight. */
let slowServer: RunningServer;
let browser: Browser;
let page: Page;
let buildDir: string;
const pageErrors: string[] = [];
/** Today's date in India, as a person types it. */
const today = new Date(Date.now() + 5.5 * 3600_000).toISOString().slice(0, 10);

/** The sandbox itself (behind the server's proxy), for checks made outside the pane. */
async function sandboxGet<T>(path: string, via: RunningServer = server): Promise<T> {
  const res = await fetch(`${via.apiTarget}${path}`, { headers: { Authorization: `Bearer ${via.devToken}` } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Call the Office double's test hooks (window.__workbook) in a page. */
const workbookOf =
  (p: () => Page) =>
  <T>(fn: string, ...args: unknown[]): Promise<T> =>
    p().evaluate(([f, a]) => (window as any).__workbook[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;
const wb = workbookOf(() => page);

/** Connect a pane with a pasted bearer token and wait for "who and where". */
async function signInWithToken(p: Page, token: string): Promise<void> {
  await p.getByLabel('Paste a token').check();
  await p.getByLabel('Bearer token').fill(token);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForSelector('#whoami:not([hidden])', { timeout: 20_000 });
}

async function tab(name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
}

async function shoot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [500, 320]) {
    await page.setViewportSize({ width, height: 900 });
    // Usable at this width: nothing sticks out sideways (no horizontal scrolling).
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${width}px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 500, height: 900 });
}

beforeAll(async () => {
  if (!CHROMIUM) throw new Error(missingMessage('chromium'));
  buildDir = mkdtempSync(join(tmpdir(), 'crego-pane-'));
  await buildAddin({ repoRoot: REPO, outDir: join(buildDir, 'dist') });
  server = await startServer({ port: 0, host: '127.0.0.1', repoRoot: REPO, distDir: join(buildDir, 'dist'), sandbox: { seed: 7, accounts: 40 } });
  browser = await chromium.launch({ executablePath: CHROMIUM!, args: LAUNCH_ARGS });
  page = await openPane(server.url);
}, 180_000);

/** A fresh browser context (fresh in-memory workbook) showing the pane served at `origin`, on the real client + fake host. */
async function openPane(origin: string, level: number = LEVEL): Promise<Page> {
  const officeJs = level === LEVEL ? OFFICE_JS : officeScript(level);
  return (await openPaneWith(browser, origin, { officeJs, realHost: true, pageErrors })).page;
}

afterAll(async () => {
  await browser?.close();
  await prodServer?.close();
  await slowServer?.close();
  await server?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

describe('task pane in Chromium over the sandbox', () => {
  it('loads with the shared runtime: functions registered, ribbon action associated, no page errors', async () => {
    const registered = await wb<string[]>('registered');
    const metadata = JSON.parse(readFileSync(join(buildDir, 'dist/functions.json'), 'utf8')) as { functions: { id: string }[] };
    expect(registered).toEqual(metadata.functions.map((f) => f.id).sort());
    expect(await wb<string[]>('actions')).toContain('refreshAll');
    expect(pageErrors).toEqual([]);
  });

  it('is served under a CSP without inline script, and the page has none', async () => {
    const res = await page.request.get(`${server.url}/taskpane.html`);
    const csp = res.headers()['content-security-policy'] ?? '';
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
    expect(scriptSrc).toMatch(/^script-src 'self'/);
    expect(scriptSrc).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    // The classic scripts come first (office.js, then functions.js), the pane module after them.
    const order = ['appsforoffice.microsoft.com', 'functions.js', 'type="module"'].map((s) => html.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]))).toBe(true);
  });

  it('connects with a pasted token, shows who and where, checks the connection', async () => {
    await expect(page.locator('#env').inputValue()).resolves.toBe('sandbox');
    await expect(page.locator('#base-url').inputValue()).resolves.toBe('/api');
    await signInWithToken(page, server.devToken!);
    expect(await page.locator('#who-env').textContent()).toBe('Sandbox');
    expect(await page.locator('#who-api').textContent()).toBe(`${server.url}/api`);
    expect(await page.locator('#connect-status').textContent()).toMatch(/^Connected to Sandbox as /);
    expect(await wb<string[]>('storageKeys')).toContain('crego.token');
    await page.getByRole('button', { name: 'Check connection' }).click();
    await page.waitForFunction(() => !document.querySelector('#probe-summary')?.textContent?.startsWith('Checking'));
    const items = await page.locator('#probe-list li').count();
    expect(items).toBeGreaterThan(5);
    expect(await page.locator('#probe-list li[data-key="accounts.summary"]').getAttribute('data-ok')).toBe('true');
    await shoot('connect');
  });

  it('shows the red PRODUCTION banner whenever Production is selected', async () => {
    expect(await page.locator('#prod-banner').isHidden()).toBe(true);
    await page.locator('#env').selectOption('production');
    expect(await page.locator('#prod-banner').isVisible()).toBe(true);
    await shoot('production-banner');
    await page.locator('#env').selectOption('sandbox');
    expect(await page.locator('#prod-banner').isHidden()).toBe(true);
  });

  it('builds a formula from the function list and inserts it at the selection', async () => {
    await wb('select', 'Sheet1', 'B2');
    await wb('type', 'Sheet1', 'A2', [['ignored']]);
    await tab('Formulas');
    await page.locator('#fn').selectOption('SUMMARY');
    // "Use the selected cells" keeps the sheet: the formula often goes on another sheet than the ids.
    await wb('select', 'Sheet1', 'A2:A4');
    await page.getByRole('button', { name: 'Use the selected cells' }).first().click();
    await expect.poll(() => page.getByLabel('accountId').inputValue()).toBe('Sheet1!A2:A4');
    await wb('select', 'Sheet1', 'B2');
    await page.getByLabel('accountId').fill('A2');
    await page.locator('#fn-fields label[data-field="total_outstanding"] input').check();
    await page.locator('#fn-fields label[data-field="dpd"] input').check();
    expect(await page.locator('#fn-preview').textContent()).toBe('=CREGO.SUMMARY(A2,{"total_outstanding","dpd"})');
    await page.getByRole('button', { name: 'Insert at selection' }).click();
    await page.waitForFunction(() => document.querySelector('#fn-status')?.textContent?.startsWith('Inserted'));
    expect((await wb<{ formula: string }>('cell', 'Sheet1', 'B2')).formula).toBe('=CREGO.SUMMARY(A2,{"total_outstanding","dpd"})');
    await shoot('formulas');

    // Round trip: select the cell again, reopen the builder on its formula, change a field, insert over it.
    await page.locator('#fn').selectOption('EMI');
    await wb('select', 'Sheet1', 'B2');
    await page.getByRole('button', { name: "Edit the selected cell's formula" }).click();
    await page.waitForFunction(() => document.querySelector('#fn-status')?.textContent?.startsWith('Loaded'));
    expect(await page.locator('#fn').inputValue()).toBe('SUMMARY');
    expect(await page.getByLabel('accountId').inputValue()).toBe('A2');
    expect(await page.locator('#fn-fields input:checked').evaluateAll((xs) => xs.map((x) => (x as HTMLInputElement).value))).toEqual(['total_outstanding', 'dpd']);
    await page.locator('#fn-fields label[data-field="dpd"] input').uncheck();
    await page.getByRole('button', { name: 'Insert at selection' }).click();
    await page.waitForFunction(() => document.querySelector('#fn-status')?.textContent?.startsWith('Inserted'));
    expect((await wb<{ formula: string }>('cell', 'Sheet1', 'B2')).formula).toBe('=CREGO.SUMMARY(A2,"total_outstanding")');
  });

  let accounts: string[] = [];
  /** Well-formed, so it passes validation, but not in the sandbox: the API refuses that item. */
  const UNKNOWN_ACCOUNT = '00000000-0000-4000-8000-000000000000';
  it('inserts a Records template as a formatted table with dropdowns', async () => {
    const loans = await sandboxGet<{ results: { account: string; status: string }[] }>('/v1/lms/loans/?page_size=50&status=active');
    accounts = [...new Set(loans.results.map((l) => l.account))].slice(0, 3);
    expect(accounts).toHaveLength(3);
    await tab('Bulk');
    await page.locator('#bulk-kind').selectOption('records');
    await page.getByRole('button', { name: 'Insert template' }).click();
    await page.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Inserted'));
    expect(await wb<string[]>('sheetNames')).toContain('Records');
    expect(await wb('activeSheet')).toBe('Records');
    const [table] = await wb<{ name: string; sheet: string; address: string; style: string }[]>('tables');
    expect(table).toMatchObject({ name: 'CregoRecords', sheet: 'Records', style: 'TableStyleMedium2' });
    const header = (await wb<unknown[][]>('values', 'Records', 'A2:O2'))[0];
    expect(header.slice(0, 5)).toEqual(['Account', 'Type', 'Amount', 'Date', 'Payment mode']);
    expect(header).toContain('Status');
    expect(await wb('frozen', 'Records')).toEqual({ rows: 2, cols: 0 });
    const dropdowns = await wb<{ address: string; source: string }[]>('validations', 'Records');
    expect(dropdowns).toContainEqual({ address: 'E3:E1002', source: 'neft,rtgs,imps,upi,nach,cheque,cash' });
    expect((await wb<{ numberFormat: string }>('cell', 'Records', 'C3')).numberFormat).toBe('₹ #,##,##0.00');
    // Each header explains its column in a note where Excel has notes; on a host without them there is none.
    expect((await wb<{ note: string | null }>('cell', 'Records', 'F2')).note).toEqual(hasNotes(LEVEL) ? expect.stringMatching(/^Bank reference/) : null);
    expect(await page.locator('#bulk-sheet').inputValue()).toBe('Records');
  });

  it('validates typed rows: invalid cells highlighted (with notes where Excel has them), each problem one click from its cell', async () => {
    await wb('type', 'Records', 'A4', [
      [accounts[0], 'repayment', 1500.5, today, 'neft', 'HDFCN52024010501', '', '', 'first payment'],
      [accounts[1], 'repayment', '12x', today, 'neft', 'HDFCN52024010502', '', '', 'typo in amount'],
      [accounts[2], 'receipt', 200, '2999-01-01', 'upi', '123456789012', '', '', 'date in the future'],
      [UNKNOWN_ACCOUNT, 'repayment', 300, today, 'imps', '123456789013', '', '', 'unknown account'],
    ]);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.waitForFunction(() => /ready to post/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await page.locator('#bulk-status').textContent()).toBe('2 ready to post, 2 invalid, 0 already posted.');
    const problems = await page.locator('#bulk-problems li').allTextContents();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^C5: Row 5, Amount: /);
    expect(problems[1]).toMatch(/^D6: Row 6, Date: /);
    const amountCell = await wb<{ fill: string; note: string | null }>('cell', 'Records', 'C5');
    expect(amountCell.fill).toBe('#FDE7E9');
    expect(amountCell.note).toEqual(hasNotes(LEVEL) ? expect.stringMatching(/Row 5, Amount/) : null);
    await page.locator('#bulk-problems button[data-address="D6"]').click();
    await page.waitForFunction(() => (window as any).__workbook.selection().r0 === 5);
    expect(await wb('selection')).toEqual({ sheet: 'Records', r0: 5, c0: 3, rows: 1, cols: 1 });
    await shoot('bulk-validate');
  });

  it('pushes: statuses written row by row, the log appended, a failed row retried after the fix', async () => {
    await wb('type', 'Records', 'C5', [[1200]]);
    await wb('type', 'Records', 'D6', [[today]]);
    await page.getByRole('button', { name: 'Push', exact: true }).click();
    await page.waitForFunction(() => /^(Stopped|Cancelled|posted)/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await page.locator('#bulk-status').textContent()).toBe('posted 3, failed 1, invalid 0, skipped 0, pending 0, rejected 0.');
    const status = async (row: number) => (await wb<unknown[][]>('values', 'Records', `J${row}:K${row}`))[0];
    expect((await status(4))[0]).toBe('posted');
    expect(String((await status(4))[1])).not.toBe('');
    expect((await status(7))[0]).toBe('failed');
    expect(await page.locator('#bulk-retry').isVisible()).toBe(true);
    expect(await page.locator('#bulk-progress').getAttribute('value')).toBe('4');
    await shoot('bulk-push');

    await wb('type', 'Records', 'A7', [[accounts[0]]]);
    await page.getByRole('button', { name: 'Retry failed' }).click();
    await page.waitForFunction(() => /^posted 1,/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await page.locator('#bulk-status').textContent()).toBe('posted 1, failed 0, invalid 0, skipped 3, pending 0, rejected 0.');
    expect((await status(7))[0]).toBe('posted');
    expect(await page.locator('#bulk-retry').isHidden()).toBe(true);

    // The sandbox's own listing: each pushed UTR exists exactly once.
    for (const [account, utr] of [[accounts[0], 'HDFCN52024010501'], [accounts[1], 'HDFCN52024010502'], [accounts[2], '123456789012'], [accounts[0], '123456789013']]) {
      const listed = await sandboxGet<{ count: number }>(`/v1/lms/records/?account=${account}&utr=${utr}`);
      expect(listed.count, `${account} ${utr}`).toBe(1);
    }
    const log = await wb<unknown[][]>('used', 'Crego Log');
    expect(log[0].slice(0, 5)).toEqual(['When', 'Environment', 'Sheet', 'Kind', 'Batch id']);
    expect(log.slice(1).map((r) => [r[1], r[2], r[3], r[6], r[7]])).toEqual([
      ['sandbox', 'Records', 'records', 3, 1],
      ['sandbox', 'Records', 'records', 1, 0],
    ]);

    // A row that fails validation gets its Status and Message in the sheet too, as the CLI writes them.
    await wb('type', 'Records', 'A8', [[accounts[1], 'repayment', '12x', today, 'neft', 'HDFCN52024010508', '', '', 'typo']]);
    await page.getByRole('button', { name: 'Push', exact: true }).click();
    await page.waitForFunction(() => /^posted 0,/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await page.locator('#bulk-status').textContent()).toBe('posted 0, failed 0, invalid 1, skipped 4, pending 0, rejected 0.');
    const invalid = (await wb<unknown[][]>('values', 'Records', 'J8:L8'))[0];
    expect(invalid[0]).toBe('invalid');
    expect(invalid[2]).toBe('Row 8, Amount: "12x" is not a number; type digits with an optional decimal point, e.g. 120000.50');
  });

  it('pushes a 600-row sheet in several chunks: every row posted with its own Crego id', async () => {
    await tab('Bulk');
    await page.getByRole('button', { name: 'Insert template' }).click();
    await page.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.includes('Records (2)'));
    expect(await page.locator('#bulk-sheet').inputValue()).toBe('Records (2)');
    const rows = Array.from({ length: 600 }, (_, i) => [accounts[i % 3], 'repayment', 10 + (i % 50), today, 'upi', String(880000000000 + i), '', '', `bulk ${i}`]);
    await wb('type', 'Records (2)', 'A4', rows);
    await page.getByRole('button', { name: 'Push', exact: true }).click();
    await page.waitForFunction(() => /^(Stopped|Cancelled|posted)/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.locator('#bulk-status').textContent()).toBe('posted 600, failed 0, invalid 0, skipped 0, pending 0, rejected 0.');
    const results = await wb<unknown[][]>('values', 'Records (2)', 'J4:K603');
    expect(results.every((r) => r[0] === 'posted')).toBe(true);
    expect(new Set(results.map((r) => r[1])).size).toBe(600);
    const log = await wb<unknown[][]>('used', 'Crego Log');
    expect(log[log.length - 1].slice(2, 4)).toEqual(['Records (2)', 'records']);
  }, 90_000);

  it('pushes a plain sheet (no template): its result columns are text, so a Key like 004321 stays as it was sent', async () => {
    await tab('Bulk');
    await page.evaluate(() => (window as any).Excel.run(async (ctx: any) => { ctx.workbook.worksheets.add('Cheques'); await ctx.sync(); }));
    await wb('type', 'Cheques', 'A1', [
      ['Account', 'Type', 'Amount', 'Date', 'Payment mode', 'UTR', 'Remark'],
      [accounts[1], 'repayment', 75, today, 'cheque', "'004321", 'cheque, typed as text'],
    ]);
    await page.locator('#bulk-sheet').focus();
    await page.waitForFunction(() => [...document.querySelectorAll('#bulk-sheet option')].some((o) => o.textContent === 'Cheques'));
    await page.locator('#bulk-sheet').selectOption('Cheques');
    await page.locator('#bulk-kind').selectOption('records');
    expect(await page.locator('#bulk-status').textContent()).toBe('posted 600, failed 0, invalid 0, skipped 0, pending 0, rejected 0.');
    await page.getByRole('button', { name: 'Push', exact: true }).click();
    // The click answers at once: the last push's summary must not stand, as this one's, while Excel answers.
    expect(await page.locator('#bulk-status').textContent()).not.toMatch(/^posted 600/);
    await page.waitForFunction(() => /^(Stopped|Cancelled|posted)/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await page.locator('#bulk-status').textContent()).toBe('posted 1, failed 0, invalid 0, skipped 0, pending 0, rejected 0.');
    // In Excel a string written into a General cell is read like typing: '004321' would become the number 4321.
    expect(await wb('cell', 'Cheques', 'M2')).toMatchObject({ value: '004321', numberFormat: '@' });
    expect((await wb<{ numberFormat: string }>('cell', 'Cheques', 'H2')).numberFormat).toBe('@');
  });

  it('builds the portfolio dashboard: accounts, one spilled SUMMARY, totals by category, a chart', async () => {
    await tab('Dashboard');
    await page.getByLabel('At most this many accounts').fill('12');
    // The risk block (whole-book PORTFOLIO/ROLLRATES at 7 dates) is test/browser/risk.test.ts's.
    await page.getByLabel(/Risk block/).uncheck();
    await page.getByRole('button', { name: 'Insert dashboard' }).click();
    await page.waitForFunction(() => document.querySelector('#dash-status')?.textContent?.startsWith('Inserted'));
    expect(await wb('activeSheet')).toBe('Crego Dashboard');
    const summary = await wb<{ formula: string }>('cell', 'Crego Dashboard', 'D5');
    expect(summary.formula).toBe('=CREGO.SUMMARY(A5:A16,D4:H4)');
    // Reopened in the builder, its fields stay the header cells they come from.
    await tab('Formulas');
    await wb('select', 'Crego Dashboard', 'D5');
    await page.getByRole('button', { name: "Edit the selected cell's formula" }).click();
    await page.waitForFunction(() => document.querySelector('#fn-status')?.textContent?.startsWith('Loaded'));
    expect(await page.locator('#fn-preview').textContent()).toBe('=CREGO.SUMMARY(A5:A16,D4:H4)');
    await tab('Dashboard');
    await page.evaluate(() => (window as any).__workbook.settled());
    await page.waitForFunction(() => typeof (window as any).__workbook.cell('Crego Dashboard', 'E16')?.value === 'number');
    const block = await wb<unknown[][]>('values', 'Crego Dashboard', 'A5:H16');
    const ids = block.map((r) => r[0] as string);
    const first = await sandboxGet<Record<string, unknown>>(`/v1/lms/accounts/${ids[0]}/summary/`);
    expect(block[0][3]).toBeCloseTo(first.principal_outstanding as number, 2);
    expect(block[0][7]).toBe(first.asset_category);
    const totals = await wb<unknown[][]>('values', 'Crego Dashboard', 'J4:M10');
    expect(totals[0]).toEqual(['Asset category', 'Total outstanding', 'Principal outstanding', 'Accounts']);
    expect(totals.slice(1, 6).map((r) => r[0])).toEqual(['Regular', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA']);
    expect(totals[6][3]).toBe(12);
    const sumOfTotal = block.reduce((s, r) => s + (r[4] as number), 0);
    expect(totals[6][1]).toBeCloseTo(sumOfTotal, 2);
    expect(await wb('charts')).toEqual([
      { name: 'Chart 1', type: 'ColumnClustered', source: "'Crego Dashboard'!J4:K9", title: 'Total outstanding by asset category', position: ['J12', 'O28'] },
    ]);
    await shoot('dashboard');
  });

  it('refreshes with a data-as-of stamp, from the pane and from the ribbon, and lists activity', async () => {
    await tab('Refresh');
    const before = await wb<number>('calcRuns');
    await page.getByRole('button', { name: 'Workbook' }).click();
    await page.waitForFunction(() => /refreshed/.test(document.querySelector('#refresh-status')?.textContent ?? ''));
    expect(await page.locator('#asof').textContent()).toMatch(/^Data as of \d\d:\d\d IST \(workbook\)$/);
    expect(await wb<number>('calcRuns')).toBeGreaterThan(before);
    // Only the sheets whose formulas call CREGO are recalculated, never every open workbook.
    const calculated = (await wb<string[]>('log')).filter((l) => l.startsWith('calculate'));
    expect(calculated).not.toContain('calculate application');
    expect(calculated).toContain('calculate sheet Crego Dashboard');
    expect(calculated).not.toContain('calculate sheet Crego Log');
    await wb('runAction', 'refreshAll');
    // Pause live updates: the shared functions runtime's LIVE loop stops, and resumes on untick.
    const livePaused = () => page.evaluate(() => (globalThis as any).CregoRuntime.status().livePaused as boolean);
    await page.getByLabel(/Pause live updates/i).check();
    expect(await livePaused()).toBe(true);
    await page.getByLabel(/Pause live updates/i).uncheck();
    expect(await livePaused()).toBe(false);
    await shoot('refresh');
    await tab('Activity');
    await page.waitForFunction(() => document.querySelectorAll('#activity-list li').length >= 4);
    const items = await page.locator('#activity-list li').allTextContents();
    expect(items[0]).toMatch(/^Refreshed workbook/);
    expect(items.some((t) => t.startsWith('Push of Records (records): posted 3, failed 1'))).toBe(true);
    await shoot('activity');
  });

  it('keeps working while the user types in a cell: every batch waits for the edit to end instead of failing', async () => {
    await tab('Refresh');
    const earlier = (await wb<unknown[]>('runOptions')).length; // the tests' own Excel.run calls come before
    const refusedBefore = await page.evaluate(() => (window as any).__excelHost.refusals.length as number);
    await wb('setCellEdit', true);
    await page.getByRole('button', { name: 'Sheet', exact: true }).click();
    // Excel holds the pane's batch while the cell is being edited (delayForCellEdit) instead of failing it.
    await page.waitForFunction(() => (window as any).__excelHost.held > 0);
    expect(await page.locator('#refresh-status').textContent()).toBe('Refreshing active sheet…');
    await wb('setCellEdit', false);
    await page.waitForFunction(() => /refreshed|Excel/.test(document.querySelector('#refresh-status')?.textContent ?? ''));
    expect(await page.locator('#refresh-status').textContent()).toMatch(/^Active sheet refreshed/);
    expect(await page.evaluate((n) => (window as any).__excelHost.refusals.slice(n), refusedBefore)).toEqual([]);
    const options = (await wb<({ delayForCellEdit?: boolean } | null)[]>('runOptions')).slice(earlier);
    expect(options.length).toBeGreaterThan(0);
    expect(options.filter((o) => !o?.delayForCellEdit)).toEqual([]);
  });

  it('reconnects by itself when reopened: the saved token and settings come back from OfficeRuntime.storage', async () => {
    // Before closing: the token is in no cell of any sheet of the workbook.
    for (const name of await wb<string[]>('sheetNames')) {
      expect(JSON.stringify(await wb('used', name)), name).not.toContain(server.devToken!);
    }
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#whoami:not([hidden])');
    expect(await page.locator('#connect-status').textContent()).toMatch(/^Connected to Sandbox as /);
    expect(await page.locator('#env-chip').textContent()).toBe('Sandbox');
    expect(await page.locator('#token').inputValue()).toBe('');
  });

  it('signs out: the token leaves storage', async () => {
    await tab('Connect');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForFunction(() => document.querySelector('#connect-status')?.textContent?.startsWith('Signed out'));
    expect(await wb<string[]>('storageKeys')).not.toContain('crego.token');
    expect(await page.locator('#whoami').isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});

describe('task pane against an API labelled production', () => {
  let prod: Page;
  const at = workbookOf(() => prod);

  it('preselects Production with the red banner, and posts only after PRODUCTION is typed', async () => {
    prodServer = await startServer({ port: 0, host: '127.0.0.1', repoRoot: REPO, distDir: join(buildDir, 'dist'), crego: { baseUrl: server.apiTarget, environment: 'production' } });
    prod = await openPane(prodServer.url);
    expect(await prod.locator('#env').inputValue()).toBe('production');
    expect(await prod.locator('#base-url').inputValue()).toBe('/api');
    expect(await prod.locator('#prod-banner').isVisible()).toBe(true);
    // Username and password this time: a wrong password is refused with a message, the right one signs in.
    await prod.getByLabel('Username', { exact: true }).fill('demo');
    await prod.getByLabel('Password', { exact: true }).fill('wrong');
    await prod.getByRole('button', { name: 'Sign in' }).click();
    await prod.waitForFunction(() => document.querySelector('#connect-status')?.getAttribute('data-tone') === 'error');
    expect(await prod.locator('#connect-status').textContent()).toMatch(/Sign-in failed: check the username and password/);
    await prod.getByLabel('Password', { exact: true }).fill('demo');
    // The user is typing in a cell: the sign-in's recalculation waits in Excel, and the password must not wait with it.
    await at('setCellEdit', true);
    await prod.getByRole('button', { name: 'Sign in' }).click();
    await prod.waitForSelector('#whoami:not([hidden])');
    await prod.waitForFunction(() => (window as any).__excelHost.held > 0);
    expect(await prod.locator('#connect-status').textContent()).toMatch(/Recalculating CREGO formulas…$/);
    expect(await prod.locator('#password').inputValue()).toBe('');
    await at('setCellEdit', false);
    await prod.waitForFunction(() => /recalculated/.test(document.querySelector('#connect-status')?.textContent ?? ''));
    expect(await prod.locator('#who-user').textContent()).toBe('demo');
    expect(await prod.locator('#env-chip').getAttribute('data-env')).toBe('production');

    const loans = await sandboxGet<{ results: { account: string }[] }>('/v1/lms/loans/?page_size=20&status=active');
    const account = loans.results[5].account;
    await prod.getByRole('tab', { name: 'Bulk' }).click();
    await prod.getByRole('button', { name: 'Insert template' }).click();
    await prod.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Inserted'));
    await at('type', 'Records', 'A4', [[account, 'repayment', 999, today, 'upi', '555555555555', '', '', 'prod test']]);

    // Cancel: nothing is sent.
    await prod.getByRole('button', { name: 'Push', exact: true }).click();
    await prod.waitForSelector('#prod-confirm:not([hidden])');
    expect(await prod.locator('#prod-confirm-text').textContent()).toBe('Post 1 row from Records to PRODUCTION. This creates real entries on live loans.');
    await prod.locator('#prod-confirm-cancel').click();
    await prod.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Push to Production cancelled'));
    expect((await sandboxGet<{ count: number }>(`/v1/lms/records/?account=${account}&utr=555555555555`)).count).toBe(0);

    // Confirm: the button stays disabled until the word is typed exactly.
    await prod.getByRole('button', { name: 'Push', exact: true }).click();
    await prod.waitForSelector('#prod-confirm:not([hidden])');
    await prod.getByLabel('Type PRODUCTION to confirm').fill('production');
    expect(await prod.locator('#prod-confirm-go').isDisabled()).toBe(true);
    await prod.getByLabel('Type PRODUCTION to confirm').fill('PRODUCTION');
    expect(await prod.locator('#prod-confirm-go').isEnabled()).toBe(true);
    for (const width of [500, 320]) {
      await prod.setViewportSize({ width, height: 900 });
      await prod.screenshot({ path: join(SHOTS, `production-confirm-${width}.png`), fullPage: true });
    }
    await prod.locator('#prod-confirm-go').click();
    await prod.waitForFunction(() => /^posted/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await prod.locator('#bulk-status').textContent()).toBe('posted 1, failed 0, invalid 0, skipped 0, pending 0, rejected 0.');
    expect((await sandboxGet<{ count: number }>(`/v1/lms/records/?account=${account}&utr=555555555555`)).count).toBe(1);
    expect((await at<unknown[][]>('used', 'Crego Log'))[1][1]).toBe('production');
  });

  it('the PRODUCTION confirmation works from the keyboard alone: a modal dialog that keeps and returns focus', async () => {
    const loans = await sandboxGet<{ results: { account: string }[] }>('/v1/lms/loans/?page_size=20&status=active');
    const account = loans.results[6].account;
    const sent = async () => (await sandboxGet<{ count: number }>(`/v1/lms/records/?account=${account}&utr=555555555556`)).count;
    await at('type', 'Records', 'A5', [[account, 'repayment', 998, today, 'upi', '555555555556', '', '', 'keyboard test']]);
    const focused = () => prod.evaluate(() => document.activeElement?.id ?? '');
    const dialog = prod.getByRole('dialog', { name: 'Confirm push to Production' });

    await prod.locator('#bulk-push').focus();
    await prod.keyboard.press('Enter');
    await dialog.waitFor({ timeout: 5000 });
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    expect(await focused()).toBe('prod-confirm-input');
    // Tab and Shift+Tab stay inside (Post is disabled until the word is right, so it is skipped).
    await prod.keyboard.press('Tab');
    expect(await focused()).toBe('prod-confirm-cancel');
    await prod.keyboard.press('Tab');
    expect(await focused()).toBe('prod-confirm-input');
    await prod.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('prod-confirm-cancel');
    await prod.keyboard.press('Shift+Tab');
    await prod.keyboard.type('PRODUCTION');
    await prod.keyboard.press('Tab');
    expect(await focused()).toBe('prod-confirm-go');
    await prod.keyboard.press('Tab');
    await prod.keyboard.press('Tab');
    expect(await focused()).toBe('prod-confirm-input');
    // Escape cancels, even with the word typed: nothing sent, focus back on Push.
    await prod.keyboard.press('Escape');
    await prod.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Push to Production cancelled'), undefined, { timeout: 5000 });
    expect(await dialog.isVisible()).toBe(false);
    await prod.waitForFunction(() => document.activeElement?.id === 'bulk-push', undefined, { timeout: 5000 });
    expect(await sent()).toBe(0);

    // Enter with the word not yet right does nothing; once it is right, Enter posts.
    await prod.keyboard.press('Enter');
    await dialog.waitFor({ timeout: 5000 });
    expect(await focused()).toBe('prod-confirm-input');
    await prod.keyboard.type('PRODUCTIO');
    await prod.keyboard.press('Enter');
    expect(await dialog.isVisible()).toBe(true);
    expect(await sent()).toBe(0);
    await prod.keyboard.type('N');
    await prod.keyboard.press('Enter');
    await prod.waitForFunction(() => /^posted/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 10_000 });
    expect(await prod.locator('#bulk-status').textContent()).toBe('posted 1, failed 0, invalid 0, skipped 1, pending 0, rejected 0.');
    await prod.waitForFunction(() => document.activeElement?.id === 'bulk-push', undefined, { timeout: 5000 });
    expect(await sent()).toBe(1);
  });

  it('signing in recalculates the formulas that asked for it (no dev token behind this server)', async () => {
    const loans = await sandboxGet<{ results: { account: string }[] }>('/v1/lms/loans/?page_size=5&status=active');
    const account = loans.results[0].account;
    await prod.getByRole('tab', { name: 'Connect' }).click();
    await prod.getByRole('button', { name: 'Sign out' }).click();
    await prod.waitForFunction(() => document.querySelector('#connect-status')?.textContent?.startsWith('Signed out'));
    await at('type', 'Sheet1', 'F2', [[`=CREGO.SUMMARY("${account}","total_outstanding")`]]);
    await prod.evaluate(() => (window as any).__workbook.settled());
    expect(await at('cell', 'Sheet1', 'F2')).toMatchObject({ value: '#N/A', error: 'Sign in to Crego in the task pane' });
    await prod.getByLabel('Username', { exact: true }).fill('demo');
    await prod.getByLabel('Password', { exact: true }).fill('demo');
    await prod.getByRole('button', { name: 'Sign in' }).click();
    await prod.waitForFunction(() => /recalculated/.test(document.querySelector('#connect-status')?.textContent ?? ''));
    await prod.evaluate(() => (window as any).__workbook.settled());
    const owed = (await sandboxGet<{ total_outstanding: number }>(`/v1/lms/accounts/${account}/summary/`)).total_outstanding;
    expect(await at('cell', 'Sheet1', 'F2')).toMatchObject({ value: owed, error: null });
  });

  it('moves between sections with the arrow keys, focus visible on the selected tab', async () => {
    await prod.getByRole('tab', { name: 'Connect' }).focus();
    await prod.keyboard.press('ArrowRight');
    expect(await prod.evaluate(() => document.activeElement?.id)).toBe('tab-formulas');
    expect(await prod.locator('#panel-formulas').isVisible()).toBe(true);
    const outline = await prod.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await prod.keyboard.press('End');
    expect(await prod.evaluate(() => document.activeElement?.id)).toBe('tab-activity');
    expect(pageErrors).toEqual([]);
  });

  it('at 320 px the section tabs stay on one row, the rest in a ⋯ menu (as Office panes do); at 500 px all show', async () => {
    const rows = () =>
      prod.evaluate(() => {
        const visible = [...document.querySelectorAll<HTMLElement>('[role="tab"]')].filter((t) => !t.hidden);
        return { tops: [...new Set(visible.map((t) => Math.round(t.getBoundingClientRect().top)))], shown: visible.map((t) => t.textContent) };
      });
    await prod.getByRole('tab', { name: 'Connect' }).click();
    await prod.setViewportSize({ width: 320, height: 900 });
    await prod.waitForFunction(() => !document.getElementById('tab-more')!.hidden);
    const narrow = await rows();
    expect(narrow.tops).toHaveLength(1); // one row
    expect(narrow.shown.length).toBeLessThan(6);
    expect(await prod.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    // The hidden sections are one click away; choosing one selects its tab and shows its panel.
    await prod.getByRole('button', { name: 'More sections' }).click();
    const menuItems = await prod.getByRole('menuitem').allTextContents();
    expect(menuItems).toContain('Activity');
    expect(menuItems.length + narrow.shown.length).toBe(6);
    await prod.getByRole('menuitem', { name: 'Activity' }).click();
    expect(await prod.locator('#panel-activity').isVisible()).toBe(true);
    expect(await prod.getByRole('tab', { name: 'Activity' }).getAttribute('aria-selected')).toBe('true');
    expect((await rows()).tops).toHaveLength(1);
    await prod.setViewportSize({ width: 500, height: 900 });
    await prod.waitForFunction(() => document.getElementById('tab-more')!.hidden);
    expect((await rows()).shown).toEqual(['Connect', 'Formulas', 'Refresh', 'Bulk', 'Dashboard', 'Activity']);
    expect(pageErrors).toEqual([]);
  });
});

describe.each([API_LEVELS.minimum, API_LEVELS.latest])('a workbook of the user, in an Excel with ExcelApi 1.%i: own fills and the 1904 date system', (level) => {
  let own: Page;
  const at = workbookOf(() => own);
  /** Click Validate and wait for its summary (the status is emptied first, so a repeat is seen finishing). */
  async function validate(): Promise<string> {
    await own.evaluate(() => { document.querySelector('#bulk-status')!.textContent = ''; });
    await own.getByRole('button', { name: 'Validate' }).click();
    await own.waitForFunction(() => /ready to post/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    return (await own.locator('#bulk-status').textContent()) ?? '';
  }
  const fill = async (address: string) => (await at<{ fill: string }>('cell', 'Records', address)).fill;

  it('Validate twice: a cell the user coloured yellow keeps its colour; a mark over one gives it back when fixed', async () => {
    own = await openPane(server.url, level);
    const loans = await sandboxGet<{ results: { account: string }[] }>('/v1/lms/loans/?page_size=20&status=active');
    await own.getByRole('tab', { name: 'Bulk' }).click();
    await own.getByRole('button', { name: 'Insert template' }).click();
    await own.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Inserted'));
    await at('type', 'Records', 'A3', [
      [loans.results[0].account, 'repayment', 100, today, 'upi', '777777777771', '', '', 'fine'],
      [loans.results[1].account, 'repayment', '12x', today, 'upi', '777777777772', '', '', 'typo'],
    ]);
    await at('type', 'Records', 'J3', [['', '', '']]); // typed over the example row: its Status and Message cleared, as it asks
    await at('setFill', 'Records', 'I3', '#FFFF00'); // the user's own highlight on a valid row
    await at('setFill', 'Records', 'C4', '#FFFF00'); // and on the cell that turns out invalid
    for (let round = 0; round < 2; round++) {
      expect(await validate()).toBe('1 ready to post, 1 invalid, 0 already posted.');
      expect(await fill('I3')).toBe('#FFFF00');
      expect(await fill('C4')).toBe('#FDE7E9');
    }
    await at('type', 'Records', 'C4', [[200]]);
    expect(await validate()).toBe('2 ready to post, 0 invalid, 0 already posted.');
    expect(await fill('C4')).toBe('#FFFF00');
    expect(await fill('I3')).toBe('#FFFF00');
  });

  it('reads date cells of a 1904-system workbook as the dates Excel shows, and shows CREGO dates the same way', async () => {
    await at('setDate1904', true);
    const today1900 = isoDateToExcelSerial(today)!;
    // Row 3: today as a 1904 workbook stores it. Row 4: today's 1900 serial, which in 1904 is four years ahead.
    await at('type', 'Records', 'D3', [[today1900 - 1462], [today1900]]);
    expect(await validate()).toBe('1 ready to post, 1 invalid, 0 already posted.');
    expect(await own.locator('#bulk-problems li').allTextContents()).toEqual([expect.stringMatching(/^D4: Row 4, Date: .*future/)]);

    // CREGO formulas show their dates in the same system, so a date cell reads as the date Crego sent.
    const loans = await sandboxGet<{ results: { account: string }[] }>('/v1/lms/loans/?page_size=5&status=active');
    const account = loans.results[0].account;
    const owed = await sandboxGet<{ next_due_date: number }>(`/v1/lms/emis/outstanding/?account=${account}`);
    const next1900 = epochToExcelSerial(owed.next_due_date);
    // The pane read the date system when it opened (1900 then); the option changed since, so Refresh
    // (here the ribbon's) reads it again and hands it to the functions: no cell asks Excel itself.
    await at('runAction', 'refreshAll');
    await at('type', 'Records', 'Q3', [[`=CREGO.OUTSTANDING("${account}","next_due_date")`]]);
    await own.evaluate(() => (window as any).__workbook.settled());
    expect(await at('cell', 'Records', 'Q3')).toMatchObject({ value: next1900 - 1462, error: null });
    // The option changed in Excel Options: Refresh reads it again and the cell follows.
    await at('setDate1904', false);
    await at('runAction', 'refreshAll');
    await own.evaluate(() => (window as any).__workbook.settled());
    expect(await at('cell', 'Records', 'Q3')).toMatchObject({ value: next1900, error: null });
    expect(pageErrors).toEqual([]);
  });

  it('where Excel will not say which date system the workbook uses, Validate refuses date cells and says why; text dates pass', async () => {
    await at('setDate1904', 'refuse');
    await own.evaluate(() => { document.querySelector('#bulk-status')!.textContent = ''; });
    await own.getByRole('button', { name: 'Validate' }).click();
    await own.waitForFunction(() => /date system|1904/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await own.locator('#bulk-status').textContent()).toMatch(/^Row 3, column Date \(D3\): Excel did not say whether this workbook counts dates from 1900 or 1904.*YYYY-MM-DD/);
    await at('type', 'Records', 'D3', [[today], [today]]);
    expect(await validate()).toBe('2 ready to post, 0 invalid, 0 already posted.');
    await at('setDate1904', false);
  });
});

describe('key columns typed far below the template', () => {
  it('a UTR or account typed far below the template rows keeps its leading zeros (Text to the last row)', async () => {
    const fresh = await openPane(server.url);
    const here = workbookOf(() => fresh);
    await fresh.getByRole('tab', { name: 'Bulk' }).click();
    await fresh.getByRole('button', { name: 'Insert template' }).click();
    await fresh.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Inserted'));
    await here('type', 'Records', 'A1500', [['000777']]);
    await here('type', 'Records', 'F1500', [['000123']]);
    await here('type', 'Records', 'C1500', [['0100']]); // an amount column is not Text: Excel makes it a number
    expect(await here('cell', 'Records', 'A1500')).toMatchObject({ value: '000777', numberFormat: '@' });
    expect(await here('cell', 'Records', 'F1500')).toMatchObject({ value: '000123', numberFormat: '@' });
    expect(await here('cell', 'Records', 'C1500')).toMatchObject({ value: 100 });
    await fresh.context().close();
  });
});

describe('where the pane runs: outside Excel, an old Excel, a hidden shared runtime', () => {
  /**
   * A page of the pane whose office.js is `officeJs` (default: Microsoft's client + the fake host at the
   * manifest's minimum), with `init` run before any script.
   */
  async function rawPane(opts: { officeJs?: string; init?: string } = {}): Promise<{ p: Page; requests: string[] }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 500, height: 900 } });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.href.startsWith('https://appsforoffice.microsoft.com/')) return route.fulfill({ contentType: 'text/javascript', body: opts.officeJs ?? OFFICE_JS });
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
      return route.abort();
    });
    await routeExcelHost(context);
    const p = await context.newPage();
    if (opts.init) await p.addInitScript(opts.init);
    const requests: string[] = [];
    p.on('request', (r) => requests.push(new URL(r.url()).pathname));
    p.on('pageerror', (e) => pageErrors.push(e.message));
    await p.goto(`${server.url}/taskpane.html`, { waitUntil: 'commit' });
    await p.waitForSelector('body[data-ready]', { state: 'attached' });
    return { p, requests };
  }

  it('in a plain browser it says it must be opened in Excel, and which Excel, instead of failing on the first click', async () => {
    // What office.js answers outside Office: ready, with no host.
    const outside = 'window.Office = { onReady: (cb) => Promise.resolve({ host: null, platform: null }).then((i) => (cb && cb(i), i)), context: {} };';
    const { p } = await rawPane({ officeJs: outside });
    await p.waitForSelector('body[data-ready="outside-excel"]', { state: 'attached' });
    const alert = p.locator('#host-problem');
    expect(await alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toMatch(/^Crego for Excel runs inside Excel: open it there with Home › Open Crego \(Excel for Microsoft 365 .*Excel 2021 or later, or Excel on the web\)/);
    expect(await p.locator('#bulk-insert').isDisabled()).toBe(true);
    expect(await p.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);
    // functions.js cannot register without Excel (CustomFunctions is not defined); the pane itself adds no error.
    expect(pageErrors.filter((e) => !/CustomFunctions is not defined/.test(e))).toEqual([]);
    pageErrors.length = 0;
    await p.context().close();
  });

  it('in an Excel without the API sets it needs it names the sets and the versions that have them', async () => {
    const { p } = await rawPane({ officeJs: officeScript(8) });
    await p.waitForSelector('body[data-ready="outside-excel"]');
    expect(await p.locator('#host-problem').textContent()).toMatch(/^This Excel is too old for Crego for Excel \(it lacks ExcelApi 1\.9\): use Excel for Microsoft 365/);
    await p.context().close();
  });

  it('loaded hidden by a calculating cell, it sends no request, reads nothing from Excel and unlocks nothing until the user opens it', async () => {
    const { p, requests } = await rawPane({ init: "Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });" });
    const here = workbookOf(() => p);
    await p.waitForSelector('body[data-ready="hidden"]');
    // A push lock left by a pane that closed mid-push: only an opened pane may lift it.
    await p.evaluate(() => (window as any).Excel.run(async (ctx: any) => ctx.workbook.settings.add('crego.pushLock', 'Records')));
    const runsBefore = (await here<unknown[]>('runOptions')).length;
    await p.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    expect(requests.filter((r) => r.startsWith('/api') || r === '/config.json')).toEqual([]);
    expect((await here<unknown[]>('runOptions')).length).toBe(runsBefore);
    expect(await here<string[]>('actions')).toContain('refreshAll'); // the ribbon still works
    await here('showPane');
    await p.waitForSelector('body[data-ready="true"]');
    expect(await p.evaluate(() => document.body.dataset.shownBy)).toBe('Office visibility event');
    expect(requests).toContain('/config.json');
    expect((await here<unknown[]>('runOptions')).length).toBeGreaterThan(runsBefore);
    await p.context().close();
  });
});

describe('a push while a chunk is in flight (a sandbox that answers in 3 s)', () => {
  beforeAll(async () => {
    slowServer = await startServer({ port: 0, host: '127.0.0.1', repoRoot: REPO, distDir: join(buildDir, 'dist'), sandbox: { seed: 11, accounts: 20, latencyMs: 3000 } });
  });

  /**
   * A fresh workbook signed in to the slow server, three Records rows typed (accounts `first`…, amounts
   * from `amount`, UTRs `utr` + 0..2), Push pressed, and the rows marked `sending` (write-ahead: before
   * the request's answer can arrive).
   */
  async function pushInFlight(first: number, amount: number, utr: string) {
    const slow = await openPane(slowServer.url);
    const at = workbookOf(() => slow);
    const sandbox = <T>(path: string) => sandboxGet<T>(path, slowServer);
    await signInWithToken(slow, slowServer.devToken!);
    const loans = await sandbox<{ results: { account: string }[] }>('/v1/lms/loans/?page_size=20&status=active');
    const rows = loans.results.slice(first, first + 3).map((l, i) => [l.account, 'repayment', amount + i, today, 'upi', `${utr}${i}`, '', '', 'in flight']);
    await slow.getByRole('tab', { name: 'Bulk' }).click();
    await slow.getByRole('button', { name: 'Insert template' }).click();
    await slow.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Inserted'));
    await at('type', 'Records', 'A4', rows);
    await slow.getByRole('button', { name: 'Push', exact: true }).click();
    await slow.waitForFunction(() => (window as any).__workbook.values('Records', 'J4:J6').every((r: unknown[]) => r[0] === 'sending'));
    return { slow, at, sandbox, rows };
  }

  it('Cancel leaves the rows `unknown` (not failed); the next push finds them in Crego instead of posting them twice', async () => {
    const { slow, at, sandbox, rows } = await pushInFlight(0, 100, '77777777777');
    await slow.getByRole('button', { name: 'Cancel' }).click();
    await slow.waitForFunction(() => /^(Cancelled|posted)/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 20_000 });
    expect(await slow.locator('#bulk-status').textContent()).toBe('Cancelled. posted 0, failed 0, invalid 0, skipped 0, pending 0, rejected 0, unknown 3 (may be in Crego: the next push checks them first).');
    expect((await at<unknown[][]>('values', 'Records', 'J4:J6')).map((r) => r[0])).toEqual(['unknown', 'unknown', 'unknown']);

    await slow.getByRole('button', { name: 'Push', exact: true }).click();
    // Retry failed is still shown from the cancelled push: it must not start a second push of the same rows.
    await slow.waitForFunction(() => /^Pushing/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    await slow.getByRole('button', { name: 'Retry failed' }).click();
    await slow.waitForFunction(() => /already running/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await slow.locator('#bulk-status').textContent()).toBe('A push of Records is already running: wait for it to finish, or Cancel it.');
    await slow.waitForFunction(() => /^posted/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await slow.locator('#bulk-status').textContent()).toBe('posted 3, failed 0, invalid 0, skipped 0, pending 0, rejected 0.');
    expect((await at<unknown[][]>('values', 'Records', 'J4:J6')).map((r) => r[0])).toEqual(['posted', 'posted', 'posted']);
    for (const [i, row] of rows.entries()) {
      const listed = await sandbox<{ count: number }>(`/v1/lms/records/?account=${row[0]}&utr=77777777777${i}`);
      expect(listed.count).toBe(1);
    }
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('locks the sheet meanwhile, so no sort or edit moves a row away from its outcome', async () => {
    const { slow, at, sandbox, rows } = await pushInFlight(3, 300, '66666666666');
    expect(await slow.locator('#bulk-status').textContent()).toContain('Records is locked until the push ends');
    expect(await at('protection', 'Records')).toMatchObject({ allowSort: false, allowInsertRows: false, allowDeleteRows: false, allowAutoFilter: true });
    // The lock's record names the sheet, this machine's pane as its holder, and when it last had news.
    expect(JSON.parse(await at<string>('setting', 'crego.pushLock'))).toMatchObject({ sheet: 'Records', holder: expect.any(String), alive: expect.any(Number) });
    // A person sorts by amount, largest first, and retypes an amount while the answer is on its way: Excel refuses both.
    await expect(at('sortRows', 'Records', 'A4:O6', 2, true)).rejects.toThrow(/protected/);
    await expect(at('type', 'Records', 'C4', [[999]])).rejects.toThrow(/protected/);
    await slow.getByRole('button', { name: 'Validate' }).click();
    await slow.waitForFunction(() => /is running/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    expect(await slow.locator('#bulk-status').textContent()).toBe('A push of Records is running: Validate it once the push ends.');

    await slow.waitForFunction(() => /^(Stopped|Cancelled|posted)/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await slow.locator('#bulk-status').textContent()).toBe('posted 3, failed 0, invalid 0, skipped 0, pending 0, rejected 0.');
    expect(await at('protection', 'Records')).toBeNull();
    expect(await at('setting', 'crego.pushLock')).toBeNull();
    // Each outcome is beside its own row: the Crego id written next to a UTR is the record Crego holds for it.
    const idOfRow = async (utr: string) => {
      const block = await at<unknown[][]>('values', 'Records', 'A4:K6');
      return block.find((r) => r[5] === utr)![10];
    };
    for (const [i, row] of rows.entries()) {
      const listed = await sandbox<{ results: { id: string }[] }>(`/v1/lms/records/?account=${row[0]}&utr=66666666666${i}`);
      expect(await idOfRow(`66666666666${i}`)).toBe(listed.results[0]!.id);
    }
    // Unlocked: the same sort now works, and the outcomes move with their rows.
    await at('sortRows', 'Records', 'A4:O6', 2, true);
    expect((await at<unknown[][]>('values', 'Records', 'C4:C6')).map((r) => r[0])).toEqual([302, 301, 300]);
    for (const [i, row] of rows.entries()) {
      const listed = await sandbox<{ results: { id: string }[] }>(`/v1/lms/records/?account=${row[0]}&utr=66666666666${i}`);
      expect(await idOfRow(`66666666666${i}`)).toBe(listed.results[0]!.id);
    }

    // A pane closed mid-push leaves its lock recorded: the next push lifts it first, then locks and unlocks as usual.
    await at('protect', 'Records');
    await at('setSetting', 'crego.pushLock', 'Records');
    await slow.getByRole('button', { name: 'Push', exact: true }).click();
    await slow.waitForFunction(() => /^(Stopped|Cancelled|posted|Nothing)/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await slow.locator('#bulk-status').textContent()).toBe('posted 0, failed 0, invalid 0, skipped 3, pending 0, rejected 0.');
    expect(await at('protection', 'Records')).toBeNull();
    expect(await at('setting', 'crego.pushLock')).toBeNull();

    // A co-author's push holds the lock (another holder, news 20 s ago): it stays, and this Push waits for it.
    const coAuthorLock = (quietMs: number) => JSON.stringify({ sheet: 'Records', holder: 'a-co-author', alive: Date.now() - quietMs });
    await at('protect', 'Records');
    await at('setSetting', 'crego.pushLock', coAuthorLock(20_000));
    await slow.getByRole('button', { name: 'Push', exact: true }).click();
    await slow.waitForFunction(() => /another Excel/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await slow.locator('#bulk-status').textContent()).toMatch(/^Records is locked by a push running in another Excel \(a co-author, or this workbook open elsewhere\); its last news came 2\d s ago\./);
    expect(await at('protection', 'Records')).not.toBeNull();
    expect(JSON.parse(await at<string>('setting', 'crego.pushLock')).holder).toBe('a-co-author');
    // Two minutes without news: that push is taken for dead, and the next Push lifts its lock first.
    await at('setSetting', 'crego.pushLock', coAuthorLock(121_000));
    await slow.getByRole('button', { name: 'Push', exact: true }).click();
    await slow.waitForFunction(() => /^(Stopped|Cancelled|posted|Nothing)/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await slow.locator('#bulk-status').textContent()).toBe('posted 0, failed 0, invalid 0, skipped 3, pending 0, rejected 0.');
    expect(await at('protection', 'Records')).toBeNull();
    expect(await at('setting', 'crego.pushLock')).toBeNull();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

describe('payments applied after the call: Check statuses (a sandbox whose queue settles records 2 s later, half rejected)', () => {
  let settleServer: RunningServer;
  beforeAll(async () => {
    settleServer = await startServer({ port: 0, host: '127.0.0.1', repoRoot: REPO, distDir: join(buildDir, 'dist'), sandbox: { seed: 13, accounts: 20, settleAfter: 2, rejectShare: 0.5 } });
  });
  afterAll(() => settleServer?.close());

  it('a push leaves rows pending; "Check statuses" settles each as Crego did, and the log records each settlement', async () => {
    const p = await openPane(settleServer.url);
    const at = workbookOf(() => p);
    const sandbox = <T>(path: string) => sandboxGet<T>(path, settleServer);
    await signInWithToken(p, settleServer.devToken!);
    const loans = await sandbox<{ results: { account: string }[] }>('/v1/lms/loans/?page_size=20&status=active');
    const utrs = Array.from({ length: 6 }, (_, i) => `55555555550${i}`);
    const rejected = utrs.filter((u) => rejectedByShare(u, 0.5));
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.length).toBeLessThan(utrs.length);
    const rows = utrs.map((u, i) => [loans.results[i].account, 'repayment', 500 + i, today, 'upi', u, '', '', 'queued']);
    await p.getByRole('tab', { name: 'Bulk' }).click();
    await p.getByRole('button', { name: 'Insert template' }).click();
    await p.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Inserted'));
    await at('type', 'Records', 'A4', rows);
    await p.getByRole('button', { name: 'Push', exact: true }).click();
    await p.waitForFunction(() => /^(Stopped|Cancelled|posted)/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await p.locator('#bulk-status').textContent()).toBe('posted 0, failed 0, invalid 0, skipped 0, pending 6, rejected 0.');
    expect((await at<unknown[][]>('values', 'Records', 'J4:J9')).map((r) => r[0])).toEqual(utrs.map(() => 'pending'));

    // Crego's queue applies each record 2 s after it was created: wait until its own listing has none waiting.
    const listed = async () =>
      (await Promise.all(utrs.map((u) => sandbox<{ results: { utr: string; status: string }[] }>(`/v1/lms/records/?utr=${u}`)))).flatMap((page) => page.results);
    for (let i = 0; i < 100 && (await listed()).some((r) => r.status === 'requested'); i++) await new Promise((r) => setTimeout(r, 200));
    const final = new Map((await listed()).map((r) => [r.utr, r.status]));
    expect(final.size).toBe(utrs.length);

    await p.getByRole('button', { name: 'Check statuses' }).click();
    await p.waitForFunction(() => /^Checked/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await p.locator('#bulk-status').textContent()).toBe(`Checked 6 pending row(s): ${utrs.length - rejected.length} posted, ${rejected.length} rejected, 0 still pending.`);
    const cells = await at<unknown[][]>('values', 'Records', 'J4:L9');
    utrs.forEach((u, i) => {
      expect(cells[i][0], u).toBe(final.get(u) === 'processed' ? 'posted' : 'rejected');
      if (cells[i][0] === 'rejected') expect(String(cells[i][2])).toMatch(/^Rejected by Crego after accepting it: Rejected by the payment queue/);
    });
    const problems = await p.locator('#bulk-problems li').allTextContents();
    expect(problems).toHaveLength(rejected.length);
    const log = await at<unknown[][]>('used', 'Crego Log');
    const settled = String(log[log.length - 1][log[0].indexOf('Settled')]);
    for (const u of utrs) expect(settled).toMatch(new RegExp(`row \\d+ \\(${u}\\) ${final.get(u) === 'processed' ? 'posted' : 'rejected'}`));

    // Nothing pending is left: a second check says so and sends nothing.
    await p.getByRole('button', { name: 'Check statuses' }).click();
    await p.waitForFunction(() => /^No pending rows/.test(document.querySelector('#bulk-status')?.textContent ?? ''));
    for (const u of utrs) expect((await sandbox<{ count: number }>(`/v1/lms/records/?utr=${u}`)).count).toBe(1);
    expect(pageErrors).toEqual([]);
    await p.context().close();
  }, 120_000);
});
