/**
 * On Microsoft's office.js client against the fake Excel host (test/browser/host/): the pane's self-test, run
 * in Chromium as a user would (Activity → Run self-test); a Validate of 5,000 bad cells held to Excel on the
 * web's 5 MB request limit; and the custom functions driven as Excel drives them (office-double.js keeps their
 * double): cancellation, formula value preview, streaming setResult, text given to a `number` parameter.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, missingMessage } from '../../scripts/test-deps.mjs';
import { buildAddin } from '../../src/server/build/build';
import { startServer, type RunningServer } from '../../src/server/index';
import { API_LEVELS, officeScript, REQUEST_LIMIT_BYTES, openPaneWith, type HostRecord } from './host/office-host';

const REPO = resolve(__dirname, '../..');
const CHROMIUM = findChromium();
const LEVEL = process.env.CREGO_TEST_EXCEL_API === 'minimum' ? API_LEVELS.minimum : API_LEVELS.latest;
const OFFICE_JS = officeScript(LEVEL);
/** What reached the fake host's /ProcessQuery from each page (sizes, refusals). */
const hostRecords = new WeakMap<Page, HostRecord>();
const SHOTS = join(REPO, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');

let server: RunningServer;
let slowServer: RunningServer;
let browser: Browser;
let buildDir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!CHROMIUM) throw new Error(missingMessage('chromium'));
  buildDir = mkdtempSync(join(tmpdir(), 'crego-selftest-'));
  await buildAddin({ repoRoot: REPO, outDir: join(buildDir, 'dist') });
  server = await startServer({ port: 0, host: '127.0.0.1', repoRoot: REPO, distDir: join(buildDir, 'dist'), sandbox: { seed: 5, accounts: 12 } });
  slowServer = await startServer({ port: 0, host: '127.0.0.1', repoRoot: REPO, distDir: join(buildDir, 'dist'), sandbox: { seed: 6, accounts: 6, latencyMs: 2000 } });
  browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await slowServer?.close();
  await server?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

async function openPane(origin: string, level = LEVEL): Promise<Page> {
  const officeJs = level === LEVEL ? OFFICE_JS : officeScript(level);
  const { page: p, record } = await openPaneWith(browser, origin, { officeJs, realHost: true, pageErrors });
  if (record) hostRecords.set(p, record);
  return p;
}

async function signIn(p: Page, token: string): Promise<void> {
  await p.getByLabel('Paste a token').check();
  await p.getByLabel('Bearer token').fill(token);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForSelector('#whoami:not([hidden])', { timeout: 20_000 });
}

const hook =
  (p: Page) =>
  <T>(fn: string, ...args: unknown[]): Promise<T> =>
    p.evaluate(([f, a]) => (window as any).__workbook[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;
const sent = (p: Page) => p.evaluate(() => (window as any).CregoRuntime.status().cache.sent as number);

async function sandboxGet<T>(via: RunningServer, path: string): Promise<T> {
  const res = await fetch(`${via.apiTarget}${path}`, { headers: { Authorization: `Bearer ${via.devToken}` } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Activity → Run self-test, as a user does; each check's line and the report once it has finished. */
async function runSelfTestIn(page: Page): Promise<{ items: { check?: string; ok?: string; text: string | null }[]; report: string }> {
  await page.getByRole('tab', { name: 'Activity' }).click();
  await page.getByRole('button', { name: 'Run self-test' }).click();
  await page.waitForFunction(() => /passed|failed/.test(document.querySelector('#selftest-status')?.textContent ?? ''), undefined, { timeout: 120_000 });
  const items = await page.locator('#selftest-list li').evaluateAll((xs) => xs.map((x) => ({ check: (x as HTMLElement).dataset.check, ok: (x as HTMLElement).dataset.ok, text: x.textContent })));
  return { items, report: (await page.locator('#selftest-report').textContent()) ?? '' };
}

describe('Self-test in the task pane', () => {
  // At the manifest's minimum (the oldest Excel the add-in takes) and the latest level the bundled client has.
  it.each([API_LEVELS.minimum, API_LEVELS.latest])('at ExcelApi 1.%i: runs every check, each passing with its time, and its report holds no token and no account data', async (level) => {
    const page = await openPane(server.url, level);
    await signIn(page, server.devToken!);
    // The user is on a sheet of their own, not the first: the self-test leaves them there.
    await page.evaluate(() => (window as any).Excel.run(async (ctx: any) => { ctx.workbook.worksheets.add('Loans book').activate(); await ctx.sync(); }));
    const before = await hook(page)<string[]>('sheetNames');
    const active = await hook(page)<string>('activeSheet');
    expect(active).toBe('Loans book');
    const { items, report } = await runSelfTestIn(page);
    expect(items.map((i) => i.check)).toEqual([
      'Requirement sets', 'Date system', 'Scratch sheet', 'Template with dropdowns', 'Text cells keep what was written', 'Validation mark and its removal',
      'Protect and unprotect', 'CREGO formula round trip', 'Dates in and out', 'LIVE tick', 'Ribbon Refresh', 'Refresh', 'Scratch sheets removed',
    ]);
    expect(items.filter((i) => i.ok !== 'true'), JSON.stringify(items, null, 1)).toEqual([]);
    expect(await page.locator('#selftest-status').textContent()).toBe('Every check passed.');
    // The scratch sheets are gone; the workbook is as it was.
    expect(await hook(page)<string[]>('sheetNames')).toEqual(before);
    expect(await hook(page)<string>('activeSheet')).toBe(active);

    expect(report).toMatch(/^Crego for Excel self-test\n/);
    expect(report).toContain('Result: 13 of 13 checks passed');
    expect(report).toMatch(/CREGO\.EMI\(100000,12,12\) = [\d.]+ from the sandbox API; blank cells as its optional arguments give the same/);
    expect(report).toMatch(/\[PASS\] Refresh \(\d+ ms\): Active sheet: \d+ request\(s\) sent again; Selection: [1-9]/);
    expect(report).toContain('\nPane opened: visible at start\n');
    expect(report).toMatch(/\[PASS\] Ribbon Refresh \(\d+ ms\): Refresh data associated when functions\.js loaded/);
    expect(report).toMatch(/\[PASS\] Requirement sets \(\d+ ms\): ExcelApi 1\.\d+, SharedRuntime 1\.1 yes, date results as dates \(CustomFunctionsRuntime 1\.4\) yes/);
    // Date text and Excel dates read alike, in the workbook's system, and a date result shows as a date.
    expect(report).toContain('[PASS] Dates in and out');
    expect(report).toMatch(/15-Feb-2026 is 46068 in this workbook \(1900 date system\) and shows as 15-Feb-2026\n/);
    expect(report).toMatch(/\[PASS\] Date system \(\d+ ms\): 1900 date system/);
    expect(report).toMatch(/\[PASS\] CREGO formula round trip \(\d+ ms\): CREGO\.EMI\(100000,12,12\) = [\d.]+/);
    expect(report).not.toContain(server.devToken!);
    const loans = await sandboxGet<{ results: { account: string }[] }>(server, '/v1/lms/loans/?page_size=50');
    for (const l of loans.results) expect(report).not.toContain(l.account);

    await page.getByRole('button', { name: 'Copy report' }).click();
    await page.waitForFunction(() => /Report (copied|selected)/.test(document.querySelector('#selftest-status')?.textContent ?? ''));
    mkdirSync(SHOTS, { recursive: true });
    if (level === API_LEVELS.latest) await page.locator('#panel-activity').screenshot({ path: join(SHOTS, 'selftest-500.png') });
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('in a 1904 workbook on an Excel without CustomFunctionsRuntime 1.4: dates read and answered in 1904, shown as bare serials, every check passing', async () => {
    const { page } = await openPaneWith(browser, server.url, { officeJs: OFFICE_JS, realHost: true, pageErrors, hostApi: { CustomFunctionsRuntime: '1.3' } });
    await hook(page)('setDate1904', true);
    await signIn(page, server.devToken!);
    const { items, report } = await runSelfTestIn(page);
    expect(items.filter((i) => i.ok !== 'true'), JSON.stringify(items, null, 1)).toEqual([]);
    expect(report).toMatch(/\[PASS\] Requirement sets \(\d+ ms\): .*date results as dates \(CustomFunctionsRuntime 1\.4\) no/);
    expect(report).toMatch(/\[PASS\] Date system \(\d+ ms\): 1904 date system/);
    // 46068 - 1462: the day Excel's own DATE(2026,2,15) gives in this workbook, from text and from date cells alike.
    expect(report).toMatch(/15-Feb-2026 is 44606 in this workbook \(1904 date system\) and shows as the number 44606 \(this Excel predates CustomFunctionsRuntime 1\.4/);
  }, 180_000);

  it('fails "Dates in and out", naming both serials, when the functions count dates in another system than the workbook', async () => {
    const page = await openPane(server.url);
    await signIn(page, server.devToken!);
    // The pane handed 1900 when it opened; the workbook now counts from 1904 and the hand-over is lost,
    // as with the preview-only read of finding 1: the functions keep answering 1900 serials.
    await hook(page)('setDate1904', true);
    await page.evaluate(() => { (window as any).CregoRuntime.setDateSystem = () => false; });
    const { items, report } = await runSelfTestIn(page);
    expect(items.filter((i) => i.ok !== 'true').map((i) => i.check)).toEqual(['Dates in and out']);
    expect(report).toContain('[FAIL] Dates in and out');
    expect(report).toMatch(/answered a first due date of 46068; Excel's DATE\(2026,2,15\) here is 44606/);
    expect(await page.locator('#selftest-status').textContent()).toBe('1 check(s) failed: copy the report into your support ticket.');
  }, 180_000);
});

describe('custom functions driven as Excel drives them', () => {
  let page: Page;
  let account: string;
  const at = <T = unknown>(name: string, ...args: unknown[]) => hook(page)<T>(name, ...args);
  beforeAll(async () => {
    page = await openPane(server.url);
    await signIn(page, server.devToken!);
    const loans = await sandboxGet<{ results: { account: string }[] }>(server, '/v1/lms/loans/?page_size=5&status=active');
    account = loans.results[0].account;
  }, 60_000);

  it('text given to a number parameter: numeric text and date text are read as numbers, other text is #VALUE! without a call', async () => {
    await at('type', 'Sheet1', 'A1', [['=CREGO.EMI(100000,12,12)', '=CREGO.EMI("100000","12","12")']]);
    await page.evaluate(() => (window as any).__workbook.settled());
    const [[typed, asText]] = await hook(page)<unknown[][]>('values', 'Sheet1', 'A1:B1');
    expect(typeof typed).toBe('number');
    expect(asText).toBe(typed);
    const before = await sent(page);
    await at('type', 'Sheet1', 'C1', [['=CREGO.EMI("lots",12,12)']]);
    await page.evaluate(() => (window as any).__workbook.settled());
    expect(await at('cell', 'Sheet1', 'C1')).toMatchObject({ value: '#VALUE!', error: null });
    expect(await sent(page)).toBe(before);
    // Date text in a date parameter (type any: the add-in reads the text itself): the same schedule as the date's serial.
    await at('type', 'Sheet1', 'A3', [['=CREGO.SCHEDULE(100000,12,3,"2026-02-01")']]);
    await at('type', 'Sheet1', 'H3', [['=CREGO.SCHEDULE(100000,12,3,46054)']]);
    await page.evaluate(() => (window as any).__workbook.settled());
    expect(await hook(page)('values', 'Sheet1', 'A3:F6')).toEqual(await hook(page)('values', 'Sheet1', 'H3:M6'));
  });

  it('formula value preview (isInValuePreview) sends no request; Enter does', async () => {
    const formula = `=CREGO.SUMMARY("${account}","total_outstanding")`;
    const before = await sent(page);
    const preview = await hook(page)<{ value?: unknown; error?: { message?: string } }>('preview', 'Sheet1', 'D1', formula);
    expect(await sent(page)).toBe(before);
    expect(await at('cell', 'Sheet1', 'D1')).toBeNull();
    expect(preview.value ?? preview.error).toBeDefined();
    await at('type', 'Sheet1', 'D1', [[formula]]);
    await page.evaluate(() => (window as any).__workbook.settled());
    const owed = (await sandboxGet<{ total_outstanding: number }>(server, `/v1/lms/accounts/${account}/summary/`)).total_outstanding;
    expect(await at('cell', 'Sheet1', 'D1')).toMatchObject({ value: owed, error: null });
    expect(await sent(page)).toBeGreaterThan(before);
  }, 30_000);

  it('LIVE streams through setResult into its cell; deleting the cell cancels it and stops the loop', async () => {
    await at('type', 'Sheet1', 'E1', [[`=CREGO.LIVE("${account}","dpd",30)`]]);
    await page.waitForFunction(() => typeof (window as any).__workbook.cell('Sheet1', 'E1').value === 'number' && (window as any).__workbook.cell('Sheet1', 'E1').value !== 0, undefined, { timeout: 15_000 })
      .catch(() => undefined);
    const dpd = (await sandboxGet<{ dpd: number }>(server, `/v1/lms/accounts/${account}/summary/`)).dpd;
    await page.waitForFunction((want) => (window as any).__workbook.cell('Sheet1', 'E1').value === want, dpd, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as any).CregoRuntime.status().liveCells)).toBe(1);
    const cancelled = await at<number>('cancellations');
    await at('type', 'Sheet1', 'E1', [['']]);
    expect(await at<number>('cancellations')).toBe(cancelled + 1);
    await page.waitForFunction(() => (window as any).CregoRuntime.status().liveCells === 0, undefined, { timeout: 5000 });
  }, 40_000);

  it('editing a cell while its call is on the wire cancels it: the late answer never lands', async () => {
    const slow = await openPane(slowServer.url);
    await signIn(slow, slowServer.devToken!);
    const loans = await sandboxGet<{ results: { account: string }[] }>(slowServer, '/v1/lms/loans/?page_size=5&status=active');
    const s = hook(slow);
    // Typed, and not waited for: the call is on its way to the 2 s sandbox when the user types over the cell.
    await slow.evaluate((f) => { void (window as any).__workbook.type('Sheet1', 'A1', [[f]]); }, `=CREGO.SUMMARY("${loans.results[0].account}","total_outstanding")`);
    await slow.waitForTimeout(300);
    expect(await s<number>('cancellations')).toBe(0);
    await s('type', 'Sheet1', 'A1', [['typed over']]);
    expect(await s<number>('cancellations')).toBe(1);
    await slow.waitForTimeout(3000);
    await slow.evaluate(() => (window as any).__workbook.settled());
    expect(await s('cell', 'Sheet1', 'A1')).toMatchObject({ value: 'typed over', formula: null });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});

describe('a large Validate through Microsoft\'s client, held to Excel on the web\'s 5 MB request limit', () => {
  it('Validate of 5,000 bad date cells marks every one, in requests that all stay under 5 MB', async () => {
    const big = await openPane(server.url);
    const at = hook(big);
    const loans = await sandboxGet<{ results: { account: string }[] }>(server, '/v1/lms/loans/?page_size=5&status=active');
    await big.getByRole('tab', { name: 'Bulk' }).click();
    await big.getByRole('button', { name: 'Insert template' }).click();
    await big.waitForFunction(() => document.querySelector('#bulk-status')?.textContent?.startsWith('Inserted'));
    const rows = Array.from({ length: 5000 }, (_, i) => [loans.results[i % 5].account, 'repayment', 100 + i, 'not a date', 'upi', `88${String(i).padStart(10, '0')}`, '', '', 'bulk']);
    // Below the example row (row 3), as a user types them.
    await at('type', 'Records', 'A4', rows);
    const record = hostRecords.get(big)!;
    const from = record.requests.length;
    await big.getByRole('button', { name: 'Validate' }).click();
    await big.waitForFunction(() => /ready to post|Excel/.test(document.querySelector('#bulk-status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await big.locator('#bulk-status').textContent()).toBe('0 ready to post, 5000 invalid, 0 already posted.');
    for (const address of ['D4', 'D2503', 'D5003']) expect((await at<{ fill: string }>('cell', 'Records', address)).fill).toBe('#FDE7E9');
    const sent = record.requests.slice(from);
    expect(sent.filter((r) => r.refused)).toEqual([]);
    expect(Math.max(...sent.map((r) => r.bytes))).toBeLessThan(REQUEST_LIMIT_BYTES);
  }, 400_000);
});
