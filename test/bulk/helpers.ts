/**
 * Shared helpers of the bulk end-to-end tests: a real sandbox on a loopback port, its demo accounts,
 * sheets built as plain values, xlsx/csv files, the CLI run as a child process, and counts read
 * back from the sandbox's own listings.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { epochToIsoDate } from '../../src/api/dates';
import { createNodeClient } from '../../src/api/node';
import type { CregoClient } from '../../src/api/contract';
import type { PagedKey } from '../../src/api/endpoints';
import type { Loan } from '../../src/api/types';
import type { KindName } from '../../src/bulk';
import type { RunningSandbox } from '../../src/sandbox/index';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RECORD_HEADERS = ['Account', 'Type', 'Amount', 'Date', 'Payment mode', 'UTR', 'Remark'];

export function clientFor(sb: RunningSandbox, retries = 3): CregoClient {
  return createNodeClient({ baseUrl: sb.url, token: sb.token, environment: 'sandbox', cacheTtlMs: 0, retry: { retries, baseDelayMs: 5, maxDelayMs: 20 } });
}

export async function demoAccounts(client: CregoClient): Promise<{ loans: string[]; lines: string[] }> {
  const loans = await client.listAll('loans.list', { pageSize: 500 });
  return {
    loans: [...new Set(loans.filter((l) => l.type === 'term_loan').map((l) => l.account))],
    lines: [...new Set(loans.filter((l) => l.type === 'credit_line').map((l) => l.account))],
  };
}

/** Today in India: a payment date the sandbox accepts for every demo account. */
export function todayIso(): string {
  return epochToIsoDate(Date.now() / 1000);
}

/** `n` valid repayment rows spread over the accounts, UTRs `<prefix>000001`… (12-digit UPI references). */
export function recordRows(accounts: string[], n: number, prefix: string): unknown[][] {
  const date = todayIso();
  return Array.from({ length: n }, (_, i) => [
    accounts[i % accounts.length], 'repayment', 100 + (i % 50) + 0.25, date, 'upi', `${prefix}${String(i + 1).padStart(12 - prefix.length, '0')}`, `row ${i + 1}`,
  ]);
}

export async function writeXlsx(file: string, rows: unknown[][], sheetName = 'Records'): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  for (const r of rows) ws.addRow(r);
  await wb.xlsx.writeFile(file);
}

export async function readXlsx(file: string, sheetName?: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = sheetName ? wb.getWorksheet(sheetName)! : wb.worksheets[0];
  const out: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    out[n - 1] = Array.from({ length: ws.columnCount }, (_, c) => row.getCell(c + 1).value ?? null);
  });
  return out;
}

export async function writeCsv(file: string, rows: unknown[][]): Promise<void> {
  const field = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  await writeFile(file, rows.map((r) => r.map(field).join(',')).join('\n') + '\n');
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Start `crego push …` as a child process; `onStart` gets the child (e.g. to kill it halfway). */
export function spawnCli(args: string[], env: Record<string, string>, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'crego.mjs'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    onStart?.(child);
  });
}

export function cliEnv(sb: RunningSandbox): Record<string, string> {
  return { CREGO_BASE_URL: sb.url, CREGO_TOKEN: sb.token, CREGO_ENVIRONMENT: 'sandbox' };
}

const LIST: Record<KindName, { endpoint: PagedKey; key: string }> = {
  records: { endpoint: 'records.list', key: 'utr' },
  fees: { endpoint: 'fees.list', key: 'ref_id' },
  topups: { endpoint: 'topups.list', key: 'ref_id' },
};

/**
 * How many objects the sandbox's own listing holds per key, over the given accounts, counting only
 * keys that start with `prefix` (each test uses its own prefix).
 */
export async function countsInSandbox(client: CregoClient, kind: KindName, accounts: string[], prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const account of accounts) {
    const rows = await client.listAll(LIST[kind].endpoint, { query: { account }, pageSize: 500, cache: 'bypass' });
    for (const r of rows as readonly object[] as ReadonlyArray<Record<string, unknown>>) {
      const key = String(r[LIST[kind].key] ?? '');
      if (key.startsWith(prefix)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** Asserting helper: every expected key exactly once, and nothing else with the prefix. */
export function exactlyOnce(counts: Map<string, number>, expected: string[]): { missing: string[]; repeated: string[]; extra: string[] } {
  const want = new Set(expected);
  return {
    missing: expected.filter((k) => !counts.has(k)),
    repeated: [...counts].filter(([, n]) => n > 1).map(([k]) => k),
    extra: [...counts.keys()].filter((k) => !want.has(k)),
  };
}

/** Lay a push's result cells over the sheet, as a host does after a push. */
export function applyResults(values: unknown[][], report: { results: ReadonlyArray<readonly unknown[] | null>; layout: { resultColumn: number } }): unknown[][] {
  return values.map((row, i) => {
    const r = report.results[i];
    if (!r) return row;
    const out = [...row];
    r.forEach((v, j) => (out[report.layout.resultColumn + j] = v));
    return out;
  });
}
