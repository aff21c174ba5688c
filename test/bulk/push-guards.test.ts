/**
 * What stops `crego push` before a row is sent, and what it then leaves behind: another push of the
 * same file (the lock), a refused token, a damaged file, a sheet with two columns of one name; and a
 * dry run, which writes nothing at all. The CLI runs as a child process against the sandbox.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CregoClient } from '../../src/api/contract';
import { lockPath } from '../../src/bulk/node/lock';
import { fileErrorInWords, loadSheet } from '../../src/bulk/node/workbook';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { openpyxlFill } from '../interop/helpers';
import { cliEnv, clientFor, countsInSandbox, demoAccounts, exactlyOnce, RECORD_HEADERS, recordRows, spawnCli, writeCsv, writeXlsx } from './helpers';

let sb: RunningSandbox;
let client: CregoClient;
let loans: string[];
let dir: string;

beforeAll(async () => {
  sb = await startSandbox({ accounts: 10, seed: 7, quiet: true, faults: '', latencyMs: 150 });
  client = clientFor(sb);
  ({ loans } = await demoAccounts(client));
  dir = await mkdtemp(join(tmpdir(), 'crego-push-guards-'));
});
afterAll(async () => {
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lastLine = (out: string) => out.trim().split('\n').at(-1) ?? '';

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('one push per file at a time', () => {
  it('a second push of the same file names the push that holds it and exits 2; the first finishes alone, every row once', async () => {
    // A sandbox slow enough (1.5 s an answer, 20 chunks one at a time) that the first push still runs
    // however long the second takes to start on a busy machine.
    const slow = await startSandbox({ accounts: 10, seed: 7, quiet: true, faults: '', latencyMs: 1500 });
    const file = join(dir, 'busy.csv');
    const rows = recordRows(loans, 40, '7201');
    await writeCsv(file, [RECORD_HEADERS, ...rows]);
    let firstPid = 0;
    const first = spawnCli(['push', 'records', file, '--chunk', '2', '--concurrency', '1'], cliEnv(slow), (c) => (firstPid = c.pid!));
    await until(() => existsSync(`${file}.crego-journal.jsonl`)); // the first has begun sending
    const second = await spawnCli(['push', 'records', file], cliEnv(slow));
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`busy.csv is being pushed by another crego push (process ${firstPid}, started `);
    expect(second.stderr).toContain('Wait for it to finish, then push again.');
    expect(second.stderr).not.toContain('Usage:');
    const done = await first;
    expect(lastLine(done.stdout)).toBe('posted 40, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
    expect(existsSync(lockPath(file))).toBe(false);
    expect(existsSync(`${file}.crego-journal.jsonl`)).toBe(false);
    expect(exactlyOnce(await countsInSandbox(clientFor(slow), 'records', loans, '7201'), rows.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
    await slow.close();
  }, 240_000);

  it('takes over a lock whose process is gone, and says so', async () => {
    const file = join(dir, 'stale.csv');
    await writeCsv(file, [RECORD_HEADERS, ...recordRows(loans, 2, '7202')]);
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.on('close', r));
    await writeFile(lockPath(file), JSON.stringify({ pid: gone.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const run = await spawnCli(['push', 'records', file], cliEnv(sb));
    expect(run.stderr).toContain(`Took over the lock of stale.csv left by process ${gone.pid} (started 2026-01-01T00:00:00.000Z), which is no longer running.`);
    expect(lastLine(run.stdout)).toBe('posted 2, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
    expect(existsSync(lockPath(file))).toBe(false);
  }, 120_000);
});

describe('stopped before any row', () => {
  it('a refused token: the cause, exit 2, no row marked failed and the file unchanged', async () => {
    const file = join(dir, 'token.xlsx');
    await writeXlsx(file, [RECORD_HEADERS, ...recordRows(loans, 3, '7203')]);
    const before = await readFile(file);
    const run = await spawnCli(['push', 'records', file], { ...cliEnv(sb), CREGO_TOKEN: 'wrong-token' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('refused the credentials');
    expect(run.stderr).toContain('Nothing was sent and');
    expect(run.stderr).not.toMatch(/task pane|refresh/i);
    expect(run.stdout).toBe('');
    expect(await readFile(file)).toEqual(before);
    expect(existsSync(`${file}.crego-log.csv`)).toBe(false);
  }, 120_000);

  it('a damaged workbook and a full disk are said in plain words, without the usage text', async () => {
    const file = join(dir, 'cut.xlsx');
    await writeXlsx(file, [RECORD_HEADERS, ...recordRows(loans, 50, '7204')]);
    const whole = await readFile(file);
    await writeFile(file, whole.subarray(0, Math.floor(whole.length / 2))); // a download cut short
    const run = await spawnCli(['push', 'records', file], cliEnv(sb));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cut\.xlsx (is damaged or not a complete Excel workbook|is not an Excel workbook)/);
    expect(run.stderr).toContain('save it again as .xlsx');
    expect(run.stderr).not.toContain('Usage:');
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC' });
    expect(fileErrorInWords(full, '/data/book.xlsx', 'write').message).toBe('Cannot write book.xlsx: the disk is full; free some space and run the same push again');
  }, 120_000);

  it('two columns of one name: refused naming both, nothing sent', async () => {
    const file = join(dir, 'twice.csv');
    await writeCsv(file, [[...RECORD_HEADERS, 'UTR'], ...recordRows(loans, 2, '7205').map((r) => [...r, 'other'])]);
    sb.resetStats();
    const run = await spawnCli(['push', 'records', file], cliEnv(sb));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Columns F and H (row 1) are both UTR; rename or delete one of them');
    expect(sb.stats().byEndpoint['records.bulk_create'] ?? 0).toBe(0);
  }, 120_000);
});

describe('dry run', () => {
  it('writes nothing at all: no log, no journal, no lock, the file unchanged', async () => {
    const file = join(dir, 'dry.xlsx');
    await writeXlsx(file, [RECORD_HEADERS, ...recordRows(loans, 3, '7206')]);
    const before = await readFile(file);
    const run = await spawnCli(['push', 'records', file, '--dry-run'], {});
    expect(run.stdout).toContain('Dry run: 3 row(s) would be posted; nothing was sent or written');
    expect(await readFile(file)).toEqual(before);
    for (const extra of ['.crego-log.csv', '.crego-journal.jsonl', '.crego-lock', '.bak']) expect(existsSync(`${file}${extra}`), extra).toBe(false);
  }, 120_000);
});

describe('workbooks written by openpyxl or pandas', () => {
  it('reads a sheet by its own name (not Sheet1), with or without --sheet, and a 10,020-row write-back keeps every sheet name', async () => {
    const source = join(dir, 'pandas-source.xlsx');
    await writeXlsx(source, [['placeholder']], 'Sheet1');
    const file = join(dir, 'pandas.xlsx');
    const rows = recordRows(loans, 10_020, '7207');
    await openpyxlFill(source, file, {
      rename: 'Repayments',
      rows: Object.fromEntries([RECORD_HEADERS, ...rows].map((r, i) => [i + 1, r])),
      sheets: { Summary: { A1: 'Total', B1: '=SUM(Repayments!C2:C10021)' } },
    });
    const dry = await spawnCli(['push', 'records', file, '--sheet', 'Repayments', '--dry-run'], {});
    expect(lastLine(dry.stdout)).toBe('posted 0, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
    expect(dry.stdout).toContain('Dry run: 10020 row(s) would be posted');
    const run = await spawnCli(['push', 'records', file, '--chunk', '1000', '--concurrency', '4'], cliEnv(sb));
    expect(lastLine(run.stdout)).toBe('posted 10020, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
    const { openpyxlInspect } = await import('../interop/helpers');
    const book = await openpyxlInspect(file, 2, 12);
    expect(book.sheets.map((s) => s.title)).toEqual(['Repayments', 'Summary']);
    expect(book.sheets[1].cells.B1.value).toBe('=SUM(Repayments!C2:C10021)');
    const last = (await loadSheet(file, 'Repayments')).values[10020];
    expect([last[5], last[7]]).toEqual([rows.at(-1)![5], 'posted']);
  }, 300_000);
});
