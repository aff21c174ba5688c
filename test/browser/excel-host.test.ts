/**
 * Microsoft's own office.js client (the production excel-web-16.00.js of @microsoft/office-js) against the
 * fake Excel host, at the two API levels the browser tests run at: the manifest's minimum and the latest
 * the client implements. What this shows is decided by the real client (load/sync, property names, which
 * members exist) and by the host refusing what Excel refuses.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, missingMessage } from '../../scripts/test-deps.mjs';
import { API_LEVELS, officeScript, REQUEST_LIMIT_BYTES, routeExcelHost, type HostRecord } from './host/office-host';

const CHROMIUM = findChromium();
const ORIGIN = 'https://addin.test';
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error(missingMessage('chromium'));
  browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
}, 60_000);
afterAll(async () => browser?.close());

/** A page that loads office.js from the CDN URL (answered with the real client + the fake host at `level`). */
async function hostPage(level: number): Promise<{ page: Page; record: HostRecord; errors: string[] }> {
  const context = await browser.newContext();
  const script = officeScript(level);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.href.startsWith('https://appsforoffice.microsoft.com/')) return route.fulfill({ contentType: 'text/javascript', body: script });
    if (url.href === `${ORIGIN}/host.html`) {
      return route.fulfill({ contentType: 'text/html', body: '<!doctype html><script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>' });
    }
    if (url.pathname.startsWith('/__excel/')) return route.fallback();
    return route.abort();
  });
  const record = await routeExcelHost(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${ORIGIN}/host.html`);
  return { page, record, errors };
}

/** Run `body` (source of an async function of `context`) in Excel.run in the page; its result or {code, message}. */
async function run<T>(page: Page, body: string, options?: object): Promise<T | { code: string; message: string }> {
  return page.evaluate(
    async ([src, opts]) => {
      const fn = new Function('context', `return (async () => { ${src} })();`) as (c: unknown) => Promise<unknown>;
      try {
        return opts ? await (window as any).Excel.run(opts, fn) : await (window as any).Excel.run(fn);
      } catch (e) {
        const err = e as { code?: string; message?: string };
        return { code: err.code ?? 'none', message: err.message ?? String(e) };
      }
    },
    [body, options ?? null] as const,
  ) as Promise<T | { code: string; message: string }>;
}

describe.each([
  ['the manifest minimum', API_LEVELS.minimum],
  ['the latest the client implements', API_LEVELS.latest],
])('real office.js on a host at %s (ExcelApi 1.%i)', (_label, level) => {
  let page: Page;
  let record: HostRecord;
  let errors: string[];
  beforeAll(async () => {
    ({ page, record, errors } = await hostPage(level));
    await page.evaluate(() => (window as any).__workbook.type('Sheet1', 'A1', [['id', 'amount'], ['L1', 100]]));
  });

  it('batches go over /ProcessQuery: a load and a write in one sync, values read back after it', async () => {
    const before = record.requests.length;
    const out = await run<unknown>(page, `
      const r = context.workbook.worksheets.getItem('Sheet1').getRange('A1:B2');
      r.load('values, address');
      context.workbook.worksheets.getItem('Sheet1').getRange('C2').values = [['ok']];
      await context.sync();
      return { values: r.values, address: r.address };`);
    expect(out).toEqual({ values: [['id', 'amount'], ['L1', 100]], address: 'Sheet1!A1:B2' });
    expect(record.requests.length - before).toBe(1);
    expect(await page.evaluate(() => (window as any).__workbook.cell('Sheet1', 'C2').value)).toBe('ok');
  });

  it('reading a property that was not loaded fails with PropertyNotLoaded, as in Excel', async () => {
    const out = await run<unknown>(page, `
      const r = context.workbook.worksheets.getItem('Sheet1').getRange('A1');
      await context.sync();
      return r.values;`);
    expect(out).toMatchObject({ code: 'PropertyNotLoaded' });
  });

  it('the old 1904 read (preview Workbook.use1904DateSystem) never sees a 1904 workbook; DATE(1904,1,1) does', async () => {
    await page.evaluate(() => (window as any).__workbook.setDate1904(true));
    // The read as src/excel/dateSystem.ts had it before the fix (cde91a9), run through the production client.
    const old = await run<unknown>(page, `
      const workbook = context.workbook;
      const member = 'use1904DateSystem' in workbook;
      workbook.load('use1904DateSystem');
      try { await context.sync(); } catch (e) { return { member, refused: e.code, value: workbook.use1904DateSystem }; }
      return { member, refused: null, value: workbook.use1904DateSystem };`);
    // The production client has no such member; the host refuses the name; either way the old code read 1900.
    expect(old).toEqual({ member: false, refused: 'ApiNotFound', value: undefined });
    const probe = await run<unknown>(page, `
      const r = context.workbook.functions.date(1904, 1, 1);
      r.load('value');
      await context.sync();
      return r.value;`);
    expect(probe).toBe(0);
    await page.evaluate(() => (window as any).__workbook.setDate1904(false));
  });

  it('while the user edits a cell, a batch fails with InvalidOperationInCellEditMode unless sent with delayForCellEdit', async () => {
    await page.evaluate(() => (window as any).__excelHost.enterCellEdit());
    const write = `context.workbook.worksheets.getItem('Sheet1').getRange('D1').values = [['pushed']]; await context.sync(); return 'done';`;
    expect(await run<unknown>(page, write)).toMatchObject({ code: 'InvalidOperationInCellEditMode' });
    expect(await page.evaluate(() => (window as any).__workbook.cell('Sheet1', 'D1'))).toBeNull();
    // With delayForCellEdit Excel holds the batch until the edit ends.
    const delayed = run<unknown>(page, write, { delayForCellEdit: true });
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).__workbook.cell('Sheet1', 'D1'))).toBeNull();
    await page.evaluate(() => (window as any).__excelHost.exitCellEdit());
    expect(await delayed).toBe('done');
    expect(await page.evaluate(() => (window as any).__workbook.cell('Sheet1', 'D1').value)).toBe('pushed');
  });

  it('data validation texts over Excel limits are refused (title 32, message 225, list 255); at the limit they pass', async () => {
    const set = (title: string, message: string, source: string) => run<unknown>(page, `
      const dv = context.workbook.worksheets.getItem('Sheet1').getRange('F1:F10').dataValidation;
      dv.rule = { list: { inCellDropDown: true, source: ${JSON.stringify(source)} } };
      dv.errorAlert = { showAlert: true, style: 'Stop', title: ${JSON.stringify(title)}, message: ${JSON.stringify(message)} };
      await context.sync();
      return 'set';`);
    expect(await set('x'.repeat(32), 'm'.repeat(225), 'a,'.repeat(127) + 'a')).toBe('set');
    expect(await set('Payment mode: not an allowed value', 'm', 'a,b')).toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/title has 34 characters/) });
    expect(await set('t', 'm'.repeat(226), 'a,b')).toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/message has 226/) });
    expect(await set('t', 'm', 'a,'.repeat(128))).toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/list source has 256/) });
  });

  it(`members above ExcelApi 1.${level} are refused; requirement sets answer for this host`, async () => {
    const sets = await page.evaluate(() => [10, 11, 15, 18].map((v) => (window as any).Office.context.requirements.isSetSupported('ExcelApi', `1.${v}`)));
    expect(sets).toEqual([10, 11, 15, 18].map((v) => v <= level));
    // Range.getSpillingToRangeOrNullObject is ExcelApi 1.12 (from the typings' annotations).
    const spill = await run<unknown>(page, `
      const r = context.workbook.worksheets.getItem('Sheet1').getRange('A1').getSpillingToRangeOrNullObject();
      r.load('address');
      await context.sync();
      return r.isNullObject;`);
    if (level >= 12) expect(spill).toBe(true);
    else expect(spill).toMatchObject({ code: 'ApiNotFound', message: expect.stringMatching(/needs ExcelApi 1\.12/) });
    expect(errors).toEqual([]);
  });
});

describe('Excel on the web request limit', () => {
  it('a request over 5 MB is refused whole (RequestPayloadSizeLimitExceeded) and changes nothing', async () => {
    // The limit does not depend on the API level: shown once (a 5 MB body takes Chromium's interception ~10 s).
    const { page, record } = await hostPage(API_LEVELS.latest);
    const out = await run<unknown>(page, `
      const text = 'x'.repeat(100000);
      context.workbook.worksheets.getItem('Sheet1').getRange('E1:E51').values = Array.from({ length: 51 }, () => [text]);
      await context.sync();
      return 'written';`);
    expect(out).toMatchObject({ code: 'RequestPayloadSizeLimitExceeded' });
    expect(record.requests.at(-1)).toMatchObject({ refused: 'RequestPayloadSizeLimitExceeded' });
    expect(record.requests.at(-1)!.bytes).toBeGreaterThan(REQUEST_LIMIT_BYTES);
    expect(await page.evaluate(() => (window as any).__workbook.cell('Sheet1', 'E1'))).toBeNull();
  }, 60_000);
});
