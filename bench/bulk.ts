/**
 * Bulk sheets benchmark: a 50,000-row records sheet over the sandbox's demo accounts.
 * - validation: the engine's dry run over the plain values (target < 1.5 s);
 * - push: the engine through `records.bulk_create` against the sandbox with 20 ms added latency,
 *   next to a row-by-row baseline (`records.create` per row, same concurrency) on a 2,000-row sample
 *   in the same run (target ≥ 50× the baseline's rows/s);
 * - the CLI end to end (`crego push records FILE.xlsx`) as a child process: wall time and peak RSS
 *   read from /usr/bin/time -v (target < 400 MB);
 * - bounded reading: peak RSS on a zip bomb, a 1,048,576-row CSV and a 200,000-row .xlsx push (`bounded`).
 * Human lines go to stderr; the figures are returned for `npm run bench -- --json`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { epochToIsoDate } from '../src/api/dates';
import { createNodeClient } from '../src/api/node';
import type { Loan } from '../src/api/types';
import { KINDS, pushSheet } from '../src/bulk';
import { mapLimited } from '../src/bulk/pool';
import { startSandbox } from '../src/sandbox/index';

export const name = 'bulk';

const ROWS = 50_000;
const BASELINE_ROWS = 2_000;
const LATENCY_MS = 20;
const CONCURRENCY = 4;
const CHUNK = 200;
const HEADERS = ['Account', 'Type', 'Amount', 'Date', 'Payment mode', 'UTR', 'Remark'];

function rows(accounts: string[], n: number, prefix: string): unknown[][] {
  const date = epochToIsoDate(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => [
    accounts[i % accounts.length], 'repayment', 500 + (i % 997) + 0.5, date, 'upi', `${prefix}${String(i).padStart(11, '0')}`, `bench ${i}`,
  ]);
}

function say(line: string): void {
  process.stderr.write(`[bulk] ${line}\n`);
}

async function runCli(file: string, env: Record<string, string>, extra: string[] = []): Promise<{ code: number | null; ms: number; peakRssMb: number | null; tail: string }> {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const cli = [process.execPath, fileURLToPath(new URL('../bin/crego.mjs', import.meta.url)), 'push', 'records', file, '--chunk', String(CHUNK), '--concurrency', String(CONCURRENCY), ...extra];
  const [cmd, ...args] = timeBin ? [timeBin, '-v', ...cli] : cli;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      const lines = (out.trim() || err.split('\n').filter((l) => l.startsWith('crego push:')).join('\n')).trim().split('\n');
      resolve({ code, ms: performance.now() - started, peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : null, tail: lines.at(-1) ?? '' });
    });
  });
}

/**
 * Bounded reading (issue 12): peak RSS of the CLI on a 1 MiB zip bomb (1 GiB of zeros), on a
 * 1,048,576-row CSV (streamed and refused at the row cap) and on a real push of a 200,000-row .xlsx
 * (read, validate, post, write back). Targets: flat on the CSV, under 600 MB on the xlsx.
 */
export async function boundedReading(dir: string, accounts: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const bomb = join(dir, 'bomb.xlsx');
  const zip = new yazl.ZipFile();
  const GiB = 1 << 30;
  const chunk = Buffer.alloc(1 << 20);
  zip.addReadStream(Readable.from((function* () { for (let i = 0; i < GiB / chunk.length; i++) yield chunk; })()), 'xl/worksheets/sheet1.xml');
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(bomb));
  const bombRun = await runCli(bomb, {}, ['--dry-run']);
  say(`zip bomb (${((await stat(bomb)).size / 2 ** 20).toFixed(1)} MiB, 1 GiB unpacked): refused in ${(bombRun.ms / 1000).toFixed(2)} s, peak RSS ${bombRun.peakRssMb} MB · ${bombRun.tail}`);

  const csv = join(dir, 'million.csv');
  const out = createWriteStream(csv);
  const date = epochToIsoDate(Date.now() / 1000);
  out.write(`${HEADERS.join(',')}\n`);
  for (let i = 0; i < 1_048_575; i++) {
    if (!out.write(`${accounts[i % accounts.length]},repayment,${500 + (i % 997)}.5,${date},upi,${String(7e11 + i)},bench ${i}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const csvRun = await runCli(csv, {}, ['--dry-run']);
  say(`1,048,576-row CSV (${((await stat(csv)).size / 2 ** 20).toFixed(0)} MiB): refused at the row cap in ${(csvRun.ms / 1000).toFixed(2)} s, peak RSS ${csvRun.peakRssMb} MB · ${csvRun.tail}`);

  const big = join(dir, 'records-200k.xlsx');
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: big, useSharedStrings: false, useStyles: false });
  const ws = writer.addWorksheet('Records');
  ws.addRow(HEADERS).commit();
  for (const r of rows(accounts, 200_000, '6')) ws.addRow(r).commit();
  ws.commit();
  await writer.commit();
  const bigRun = await runCli(big, env);
  say(`200,000-row .xlsx pushed (read, validate, post, write back): ${(bigRun.ms / 1000).toFixed(1)} s, peak RSS ${bigRun.peakRssMb} MB (target < 600 MB) · ${bigRun.tail}`);
  return {
    zipBomb: { compressedMiB: +((await stat(bomb)).size / 2 ** 20).toFixed(2), unpackedMiB: 1024, seconds: +(bombRun.ms / 1000).toFixed(2), peakRssMb: bombRun.peakRssMb, exit: bombRun.code },
    millionRowCsv: { rows: 1_048_576, seconds: +(csvRun.ms / 1000).toFixed(2), peakRssMb: csvRun.peakRssMb, exit: csvRun.code },
    xlsx200k: { rows: 200_000, seconds: +(bigRun.ms / 1000).toFixed(1), peakRssMb: bigRun.peakRssMb, exit: bigRun.code, targetPeakRssMb: 600, met: bigRun.peakRssMb === null ? null : bigRun.peakRssMb < 600 },
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const sb = await startSandbox({ accounts: 500, seed: 1, quiet: true, latencyMs: LATENCY_MS });
  const dir = await mkdtemp(join(tmpdir(), 'crego-bench-bulk-'));
  try {
    const client = createNodeClient({ baseUrl: sb.url, token: sb.token, environment: 'sandbox', concurrency: CONCURRENCY + 2 });
    const loans = await client.listAll('loans.list', { pageSize: 500 });
    const accounts = [...new Set(loans.filter((l) => l.type === 'term_loan').map((l) => l.account))];
    say(`sandbox with ${accounts.length} term-loan accounts, ${LATENCY_MS} ms added latency`);

    // ── validation ───────────────────────────────────────────────────────────────────────────
    const values = [HEADERS, ...rows(accounts, ROWS, '1')];
    await pushSheet({ kind: KINDS.records, values: values.slice(0, 2000), dryRun: true }); // warm the JIT
    let t = performance.now();
    const dry = await pushSheet({ kind: KINDS.records, values, dryRun: true });
    const validationMs = performance.now() - t;
    if (dry.counts.ready !== ROWS) throw new Error(`bench sheet should be all valid, got ${JSON.stringify(dry.counts)}`);
    say(`validation of ${ROWS} rows: ${validationMs.toFixed(0)} ms (target < 1500 ms)`);

    // ── push through the bulk endpoint ───────────────────────────────────────────────────────
    sb.resetStats();
    t = performance.now();
    const pushed = await pushSheet({ kind: KINDS.records, values, client, chunkSize: CHUNK, concurrency: CONCURRENCY });
    const pushMs = performance.now() - t;
    if (pushed.counts.posted !== ROWS) throw new Error(`bulk push posted ${pushed.counts.posted} of ${ROWS}`);
    const bulkRequests = sb.stats().requests;
    const bulkRowsPerSecond = ROWS / (pushMs / 1000);
    say(`bulk push: ${ROWS} rows in ${(pushMs / 1000).toFixed(2)} s = ${bulkRowsPerSecond.toFixed(0)} rows/s, ${bulkRequests} requests (chunk ${CHUNK}, ${CONCURRENCY} in flight)`);

    // ── baseline: Create Record per row, same concurrency ───────────────────────────────────
    const sample = rows(accounts, BASELINE_ROWS, '2');
    const { checkRow } = await import('../src/bulk/validate');
    const { locateLayout } = await import('../src/bulk/sheet');
    const layout = locateLayout(KINDS.records, [HEADERS]);
    const items = sample.map((r, i) => checkRow(KINDS.records, layout, r, i + 2).item!);
    sb.resetStats();
    t = performance.now();
    await mapLimited(items, CONCURRENCY, (item) => client.call('records.create', { body: item, idempotencyKey: `bench-${item.utr}` }));
    const baselineMs = performance.now() - t;
    const baselineRowsPerSecond = BASELINE_ROWS / (baselineMs / 1000);
    const baselineRequests = sb.stats().requests;
    const speedup = bulkRowsPerSecond / baselineRowsPerSecond;
    say(`row-by-row baseline: ${BASELINE_ROWS} rows in ${(baselineMs / 1000).toFixed(2)} s = ${baselineRowsPerSecond.toFixed(0)} rows/s, ${baselineRequests} requests`);
    say(`bulk is ${speedup.toFixed(1)}× the baseline's rows/s (target ≥ 50×)`);

    // ── the CLI end to end on a 50,000-row workbook ─────────────────────────────────────────
    const file = join(dir, 'records-50k.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Records');
    ws.addRow(HEADERS);
    for (const r of rows(accounts, ROWS, '3')) ws.addRow(r);
    await wb.xlsx.writeFile(file);
    sb.resetStats();
    const cli = await runCli(file, { CREGO_BASE_URL: sb.url, CREGO_TOKEN: sb.token, CREGO_ENVIRONMENT: 'sandbox' });
    if (cli.code !== 0) throw new Error(`crego push exited ${cli.code}: ${cli.tail}`);
    const cliRequests = sb.stats().requests;
    say(`CLI push of a ${ROWS}-row .xlsx (read, validate, post, write back): ${(cli.ms / 1000).toFixed(2)} s, ${cliRequests} requests, peak RSS ${cli.peakRssMb ?? 'n/a'} MB (target < 400 MB) · ${cli.tail}`);

    const bounded = await boundedReading(dir, accounts, { CREGO_BASE_URL: sb.url, CREGO_TOKEN: sb.token, CREGO_ENVIRONMENT: 'sandbox' });

    return {
      bounded,
      rows: ROWS,
      latencyMs: LATENCY_MS,
      concurrency: CONCURRENCY,
      chunkSize: CHUNK,
      validationMs: Math.round(validationMs),
      bulk: { seconds: +(pushMs / 1000).toFixed(2), rowsPerSecond: Math.round(bulkRowsPerSecond), requests: bulkRequests },
      baseline: { rows: BASELINE_ROWS, seconds: +(baselineMs / 1000).toFixed(2), rowsPerSecond: Math.round(baselineRowsPerSecond), requests: baselineRequests },
      speedup: +speedup.toFixed(1),
      cli: { seconds: +(cli.ms / 1000).toFixed(2), rowsPerSecond: Math.round(ROWS / (cli.ms / 1000)), requests: cliRequests, peakRssMb: cli.peakRssMb },
      targets: { validationMs: 1500, speedup: 50, peakRssMb: 400 },
      met: {
        validation: validationMs < 1500,
        speedup: speedup >= 50,
        peakRss: cli.peakRssMb === null ? null : cli.peakRssMb < 400,
      },
    };
  } finally {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  }
}
