/**
 * Microsoft's office.js in the browser tests, with only Excel's host faked.
 *
 * The page asks for office.js from the CDN; the test answers with the offline copy of the CDN's files in
 * @microsoft/office-js (its production `excel-web-16.00.js`: the real Excel/OfficeExtension client), then
 * office-double.js (the sheet model, and the host side of the Office namespace: onReady, requirement sets,
 * ribbon actions, OfficeRuntime.storage, the CustomFunctions registry), then the fake host
 * (host/excel-host.js). The seam is the client's own `ClientRequestContext.defaultRequestUrlAndHeaders`,
 * set only here: every `Excel.run` then makes a `RequestContext` whose batches the real client serialises
 * and POSTs to `{origin}/__excel/ProcessQuery`, which this route hands to the fake host. Production code
 * is unchanged and keeps loading office.js from the CDN.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { excelApiSets, latestExcelApi } from './api-sets';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');
const require = createRequire(import.meta.url);

/** Excel on the web refuses a request over 5 MB (resource limits); taken as 5,000,000 bytes, the stricter reading. */
export const REQUEST_LIMIT_BYTES = 5_000_000;
export const HOST_PATH = '/__excel';

/**
 * The manifest's minimum ExcelApi: its `<Set Name="ExcelApi" MinVersion>` when it declares one; otherwise
 * what its SharedRuntime 1.1 requirement implies. SharedRuntime 1.1 starts at Excel on Windows Version 2002
 * (Build 12527.20092) and Mac 16.35; ExcelApi 1.11 arrives on Windows only at Build 12527.20470, so the
 * oldest host the manifest admits has ExcelApi 1.10 (Microsoft's requirement-set tables).
 */
export function manifestMinimumExcelApi(): number {
  const xml = readFileSync(join(REPO, 'manifest.xml'), 'utf8');
  const declared = /<Set\s+Name="ExcelApi"\s+MinVersion="1\.(\d+)"/.exec(xml);
  if (declared) return Number(declared[1]);
  if (/<Set\s+Name="SharedRuntime"\s+MinVersion="1\.1"/.test(xml)) return 10;
  throw new Error('manifest.xml: no ExcelApi or SharedRuntime 1.1 requirement to derive the minimum host from');
}

const officeJsDir = dirname(require.resolve('@microsoft/office-js/dist/office.js'));
const CLIENT = readFileSync(join(officeJsDir, 'excel-web-16.00.js'), 'utf8');

/**
 * The highest ExcelApi set whose every member the bundled client implements. @microsoft/office-js lags the
 * CDN (1.1.110 stops at ExcelApi 1.15: no Worksheet.notes), and a host above what its client knows would
 * only test the client's absence, so the latest level the tests run at is this one.
 */
export function clientExcelApi(): number {
  const debug = readFileSync(join(officeJsDir, 'excel-web-16.00.debug.js'), 'utf8');
  const found = new Set<string>();
  for (const m of debug.matchAll(/(\w+)\.prototype\.(\w+) = function|defineProperty\((\w+)\.prototype, "(\w+)"/g)) {
    found.add(`${m[1] ?? m[3]}.${m[2] ?? m[4]}`);
  }
  const sets = excelApiSets();
  let level = 1;
  for (let v = 1; v <= latestExcelApi(sets); v++) {
    const members = Object.entries(sets).flatMap(([cls, ms]) => Object.entries(ms).filter(([, i]) => i.read === v).map(([name]) => `${cls}.${name}`));
    const missing = members.filter((k) => !found.has(k)).length;
    if (members.length && missing / members.length > 0.05) break;
    level = v;
  }
  return level;
}

/** The two hosts the browser tests run on: the manifest's minimum and the latest the real client implements. */
export const API_LEVELS = { minimum: manifestMinimumExcelApi(), latest: Math.min(latestExcelApi(), clientExcelApi()) } as const;
const DOUBLE = readFileSync(join(REPO, 'test/browser/office-double.js'), 'utf8');
const HOST = readFileSync(join(REPO, 'test/browser/host/excel-host.js'), 'utf8');
const SETS = JSON.stringify(excelApiSets());

/** What the page gets for https://appsforoffice.microsoft.com/lib/1/hosted/office.js. */
export function officeScript(excelApi: number): string {
  const config = `window.__excelHostConfig = { excelApi: ${excelApi}, apiSets: ${SETS} };`;
  const seam = `OfficeExtension.ClientRequestContext.defaultRequestUrlAndHeaders = { url: location.origin + '${HOST_PATH}', headers: {} };`;
  return [CLIENT, config, DOUBLE, HOST, seam].join('\n;\n');
}

export interface HostRecord {
  /** Every request that reached /ProcessQuery: its size and whether it was refused before execution. */
  requests: { bytes: number; refused?: string }[];
}

/** Answer /ProcessQuery for every page of `context` with the fake host of that page. */
export async function routeExcelHost(context: BrowserContext, record: HostRecord = { requests: [] }): Promise<HostRecord> {
  await context.route(`**${HOST_PATH}/ProcessQuery**`, async (route: Route) => {
    const request = route.request();
    const body = request.postDataBuffer() ?? Buffer.alloc(0);
    if (body.length > REQUEST_LIMIT_BYTES) {
      record.requests.push({ bytes: body.length, refused: 'RequestPayloadSizeLimitExceeded' });
      return route.fulfill({
        status: 413,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'RequestPayloadSizeLimitExceeded', message: `The request payload (${body.length} bytes) exceeds Excel on the web's 5 MB limit.` } }),
      });
    }
    record.requests.push({ bytes: body.length });
    const flags = Number(new URL(request.url()).searchParams.get('flags') ?? 0);
    const page: Page = request.frame().page();
    let answer: unknown;
    try {
      answer = await page.evaluate(([text, f]) => (window as any).__excelHost.process(JSON.parse(text), f), [body.toString('utf8'), flags] as const);
    } catch (error) {
      // The page reloaded or closed while its batch ran: nobody is left to answer, as when Excel closes a pane.
      if (page.isClosed() || /Execution context was destroyed|Target closed|has been closed/.test(String(error))) return route.abort().catch(() => undefined);
      throw error;
    }
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) }).catch(() => undefined);
  });
  return record;
}

export interface PaneOptions {
  /** What the page gets for office.js: officeScript(level), or the double alone. */
  officeJs: string;
  /** Answer /ProcessQuery with the fake host (with officeScript); false for the double alone. */
  realHost: boolean;
  /** Page errors and console errors (CSP violations among them) are pushed here. */
  pageErrors: string[];
  /** Requirement sets the host declares apart from its ExcelApi level (the double's window.__hostApi), e.g. an Excel without CustomFunctionsRuntime 1.4. */
  hostApi?: Record<string, string>;
}

/**
 * A fresh browser context (a fresh in-memory workbook) showing the pane served at `origin`. Nothing leaves
 * loopback: the Office CDN URL is answered by `officeJs`, anything else external is refused.
 */
export async function openPaneWith(browser: Browser, origin: string, o: PaneOptions): Promise<{ page: Page; record: HostRecord | null }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 500, height: 900 } });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.href.startsWith('https://appsforoffice.microsoft.com/')) return route.fulfill({ contentType: 'text/javascript', body: o.officeJs });
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
    return route.abort();
  });
  if (o.hostApi) await context.addInitScript((api) => Object.assign(window, { __hostApi: api }), o.hostApi);
  const record = o.realHost ? await routeExcelHost(context) : null;
  const page = await context.newPage();
  page.on('pageerror', (e) => o.pageErrors.push(e.message));
  // CSP violations are console errors; expected HTTP errors (404 for an unknown account) are not ours to flag.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) o.pageErrors.push(m.text());
  });
  await page.goto(`${origin}/taskpane.html`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, record };
}
