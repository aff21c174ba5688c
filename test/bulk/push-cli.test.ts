/**
 * `crego template` and `crego push` end to end: the CLI runs as a child process against the sandbox
 * over real HTTP, and every check of what exists is read from the sandbox's own listing.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CregoClient } from '../../src/api/contract';
import { KINDS, RESULT_HEADERS } from '../../src/bulk';
import { buildTemplate } from '../../src/bulk/node/template-file';
import { loadSheet } from '../../src/bulk/node/workbook';
import { openpyxlInspect } from '../interop/helpers';

/** More rows than the 10,000 up to which the write-back once used exceljs's full model (and lost less). */
const LARGE = 10_020;
import { parseDateSerial } from '../../src/bulk/cells';
import { excelSerialToIsoDate } from '../../src/api/dates';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import {
  cliEnv, clientFor, countsInSandbox, demoAccounts, exactlyOnce, readXlsx, RECORD_HEADERS, recordRows, spawnCli, todayIso, writeCsv, writeXlsx,
  type CliRun,
} from './helpers';

let sb: RunningSandbox;
let client: CregoClient;
let loans: string[];
let dir: string;

beforeAll(async () => {
  sb = await startSandbox({ accounts: 10, seed: 5, quiet: true, faults: '' });
  client = clientFor(sb);
  ({ loans } = await demoAccounts(client));
  dir = await mkdtemp(join(tmpdir(), 'crego-bulk-'));
});
afterAll(async () => {
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function lastLine(run: CliRun): string {
  return run.stdout.trim().split('\n').at(-1) ?? '';
}

/** Every run: no token anywhere in what a person sees. */
async function push(args: string[], env = cliEnv(sb), onStart?: Parameters<typeof spawnCli>[2]): Promise<CliRun> {
  const run = await spawnCli(['push', ...args], env, onStart);
  expect(run.stdout + run.stderr).not.toContain(sb.token);
  return run;
}

// Each test runs the CLI several times as child processes: on a busy shared machine that takes a while.
describe('crego template', { timeout: 120_000 }, () => {
  it('writes a stamped template with header notes, dropdowns and an example row that push never sends', async () => {
    const file = join(dir, 'fees-template.xlsx');
    const made = await spawnCli(['template', 'fees', file], {});
    expect(made.code).toBe(0);
    const ws = (await openpyxlInspect(file, 3, 14)).sheets[0];
    expect(ws.title).toBe('Fees');
    expect(ws.cells.A1.value).toBe('Crego fees template v1');
    expect(['Account', 'Fee type', 'Amount', 'Date', 'Due date', 'GST applicable', 'Reference', 'Remark', ...RESULT_HEADERS].map((_, i) => ws.cells[`${String.fromCharCode(65 + i)}2`].value))
      .toEqual(['Account', 'Fee type', 'Amount', 'Date', 'Due date', 'GST applicable', 'Reference', 'Remark', ...RESULT_HEADERS]);
    expect(ws.notes.B2).toContain('Allowed: processing_fee, late_fee');
    expect(ws.validations.find((v) => v.sqref.startsWith('B3:'))).toMatchObject({ type: 'list', formula1: '"processing_fee,late_fee,bounce_charge,documentation_fee,foreclosure_charge,other"' });
    expect(ws.validations.find((v) => v.sqref.startsWith('F3:'))).toMatchObject({ type: 'list', formula1: '"TRUE,FALSE"' });
    expect(ws.cells.I3.value).toBe('example');

    const again = await spawnCli(['template', 'fees', file], {});
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists; pass --force');

    const dry = await push(['fees', file, '--dry-run'], {});
    expect(dry.code).toBe(0);
    expect(lastLine(dry)).toBe('posted 0, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
  });
});

describe('crego push', { timeout: 180_000 }, () => {
  it('posts a workbook once, writes results beside the data without touching user cells, and skips them on a second run', async () => {
    const file = join(dir, 'repayments.xlsx');
    const headers = [...RECORD_HEADERS, 'Collector'];
    const good = recordRows(loans, 120, '8101').map((r, i) => [...r, `agent ${i % 3}`]);
    const bad = [
      [loans[0], 'repayment', '1,20,000.5x', todayIso(), 'upi', '810100000998', null, 'agent 9'],
      [loans[0], 'refund', 100, todayIso(), 'upi', '810100000999', null, null],
    ];
    const rows = [headers, ...good.slice(0, 60), bad[0], [], ...good.slice(60), bad[1]];
    await writeXlsx(file, rows);
    const original = await readXlsx(file);

    sb.resetStats();
    const first = await push(['records', file, '--chunk', '25']);
    expect(first.code).toBe(1);
    expect(lastLine(first)).toBe('posted 120, failed 0, invalid 2, skipped 0, pending 0, rejected 0');
    expect(first.stdout).toContain('Row 62, Amount: "1,20,000.5x" is not a number; type digits with an optional decimal point, e.g. 120000.50');
    expect(first.stdout).toContain('Row 124, Type: "refund" is not allowed; use one of repayment, receipt');
    expect(sb.stats().byEndpoint['records.bulk_create']).toBe(5);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '8101'), good.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });

    const after = await readXlsx(file);
    expect(after[0].slice(8, 14)).toEqual([...RESULT_HEADERS]);
    after.forEach((row, i) => expect(row.slice(0, 8), `row ${i + 1}`).toEqual((original[i] ?? []).slice(0, 8).concat(Array(Math.max(0, 8 - (original[i] ?? []).length)).fill(null))));
    expect(after[1][8]).toBe('posted');
    expect(after[1][9]).toMatch(/^[0-9a-f-]{36}$/);
    expect(after[61][8]).toBe('invalid');
    expect(after[62].slice(8).every((v) => v === null)).toBe(true); // the blank row stays blank
    expect(existsSync(`${file}.bak`)).toBe(true);
    expect(existsSync(`${file}.crego-journal.jsonl`)).toBe(false);
    const log = (await readFile(`${file}.crego-log.csv`, 'utf8')).trim().split('\n');
    expect(log[0]).toBe('When,Environment,Sheet,Kind,Batch id,Dry run,Posted,Failed,Invalid,Skipped,Cancelled,Pending,Rejected,Settled,Unknown');
    expect(log[1]).toMatch(/,sandbox,.*repayments\.xlsx › Records,records,B\d{8}T\d{6}-[0-9a-f]{6},no,120,0,2,0,no,0,0,,0$/);

    sb.resetStats();
    const second = await push(['records', file, '--chunk', '25']);
    expect(lastLine(second)).toBe('posted 0, failed 0, invalid 2, skipped 120, pending 0, rejected 0');
    expect(sb.stats().byEndpoint['records.bulk_create'] ?? 0).toBe(0);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '8101'), good.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('survives 5xx, 429, connection resets and lost replies: never a duplicate, every row once after re-runs', async () => {
    const file = join(dir, 'faults.csv');
    const good = recordRows(loans, 300, '8102');
    await writeCsv(file, [RECORD_HEADERS, ...good]);
    const keys = good.map((r) => String(r[5]));
    // Six faults in ten requests: the client's retries absorb most, some chunks still end failed or unknown.
    const spec = (seed: number) => `5xx=0.15,429=0.1,reset=0.15,lost=0.2,retry_after=0,seed=${seed}`;
    sb.setFaults(spec(9));
    sb.resetStats();
    let last: CliRun | null = null;
    const summaries: string[] = [];
    for (let run = 1; run <= 6; run++) {
      last = await push(['records', file, '--chunk', '25', '--concurrency', '3']);
      summaries.push(lastLine(last));
      if (run === 1) expect(sb.stats().byEndpoint['records.bulk_create']).toBeGreaterThan(12); // faults did happen
      sb.setFaults({});
      const counts = await countsInSandbox(client, 'records', loans, '8102');
      expect(exactlyOnce(counts, keys).repeated, `run ${run}`).toEqual([]);
      expect(exactlyOnce(counts, keys).extra).toEqual([]);
      if (last.code === 0) break;
      sb.setFaults(spec(9 + run));
    }
    sb.setFaults({});
    expect(last!.code, summaries.join(' / ')).toBe(0);
    expect(lastLine(last!)).toMatch(/^posted \d+, failed 0, invalid 0, skipped \d+, pending 0, rejected 0$/);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '8102'), keys)).toEqual({ missing: [], repeated: [], extra: [] });
    const csv = (await readFile(file, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(`${RECORD_HEADERS.join(',')},${RESULT_HEADERS.join(',')}`);
    expect(csv.slice(1).every((l) => l.split(',')[7] === 'posted')).toBe(true);
  });

  it('a push killed after a write-ahead is reconciled by the next push: nothing lost, nothing twice', async () => {
    const file = join(dir, 'killed.xlsx');
    const good = recordRows(loans, 100, '8103');
    await writeXlsx(file, [RECORD_HEADERS, ...good]);
    const before = await readFile(file);
    const journal = `${file}.crego-journal.jsonl`;
    sb.setFaults('latency=150');
    const killed = await push(['records', file, '--chunk', '10', '--concurrency', '1'], cliEnv(sb), (child) => {
      // Kill (SIGKILL: no clean-up at all) once the third chunk's write-ahead is on disk, i.e. while it is in flight.
      const timer = setInterval(async () => {
        const text = await readFile(journal, 'utf8').catch(() => '');
        if (text.split('\n').filter((l) => l.includes('"phase":"write-ahead"')).length >= 3) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 10);
      child.on('close', () => clearInterval(timer));
    });
    sb.setFaults({});
    expect(killed.code).toBeNull();
    expect(await readFile(file)).toEqual(before); // the workbook is only written at the end
    expect(existsSync(journal)).toBe(true);
    const midway = await countsInSandbox(client, 'records', loans, '8103');
    expect(midway.size).toBeGreaterThanOrEqual(20);
    expect(midway.size).toBeLessThan(100);

    sb.resetStats();
    const resumed = await push(['records', file, '--chunk', '10']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/Resuming: \d+ row\(s\) from an interrupted push/);
    const [, posted, skipped] = /^posted (\d+), failed 0, invalid 0, skipped (\d+), pending 0, rejected 0$/.exec(lastLine(resumed)) ?? [];
    expect(Number(posted) + Number(skipped)).toBe(100);
    expect(Number(skipped)).toBeGreaterThanOrEqual(20);
    expect(sb.stats().byEndpoint['records.list']).toBeGreaterThanOrEqual(10); // the in-flight chunk was looked up first
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '8103'), good.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
    expect(existsSync(journal)).toBe(false);
    const after = await readXlsx(file);
    expect(after.slice(1).every((r) => r[7] === 'posted')).toBe(true);
  });

  it('keeps every user cell of a workbook exactly: formulas (shared too), dates, leading-zero ids, links, other sheets', async () => {
    const file = join(dir, 'round-trip.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Records');
    ws.addRow([...RECORD_HEADERS, 'Branch', 'Twice', 'Collected on', 'Source']);
    const rows = recordRows(loans, 4, '8110');
    rows.forEach((r, i) => {
      const row = ws.addRow([...r, `00${i}7`, null, new Date(Date.UTC(2023, 0, 5 + i)), { text: 'bank file', hyperlink: 'https://example.com/b' }]);
      row.getCell(10).numFmt = 'dd-mmm-yyyy';
    });
    ws.getCell('I2').value = { formula: 'C2*2', result: Number(rows[0][2]) * 2, shareType: 'shared', ref: 'I2:I5' } as ExcelJS.CellValue;
    for (let r = 3; r <= 5; r++) ws.getCell(`I${r}`).value = { sharedFormula: 'I2', result: Number(rows[r - 2][2]) * 2 } as ExcelJS.CellValue;
    wb.addWorksheet('Totals').getCell('A1').value = { formula: 'SUM(Records!C2:C5)', result: 1 } as ExcelJS.CellValue;
    await wb.xlsx.writeFile(file);
    const cells = async (f: string) => {
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(f);
      const sheet = book.getWorksheet('Records')!;
      const out: unknown[] = [];
      for (let r = 1; r <= 5; r++) for (let c = 1; c <= 11; c++) out.push([sheet.getCell(r, c).value, sheet.getCell(r, c).numFmt ?? null]);
      return { out, totals: book.getWorksheet('Totals')!.getCell('A1').value };
    };
    const before = await cells(file);

    const run = await push(['records', file]);
    expect(lastLine(run)).toBe('posted 4, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
    const after = await cells(file);
    expect(after).toEqual(before);
    const [status, id] = (await readXlsx(file))[1].slice(11, 13);
    expect(status).toBe('posted');
    expect(String(id)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a workbook over 10,000 rows keeps everything of the user\'s: other sheets, values, dates, styles, notes, dropdowns, frozen header', async () => {
    const file = join(dir, 'large.xlsx');
    const good = recordRows(loans, LARGE, '8106');
    const wb = buildTemplate(KINDS.records); // stamp row 1, headers row 2 (notes, dropdowns), example row 3
    const notes = wb.addWorksheet('Read me');
    notes.getCell('A1').value = 'Collections for November';
    notes.getCell('A1').font = { bold: true };
    const ws = wb.getWorksheet('Records')!;
    good.forEach((r, i) => {
      const row = ws.getRow(4 + i);
      [r[0], r[1], r[2], r[3], r[4], r[5], null, null, r[6]].forEach((v, c) => (row.getCell(c + 1).value = v as ExcelJS.CellValue));
    });
    // A date cell, a styled cell and a note of the user's, right of the result columns: all must survive.
    ws.getCell('Q5').value = new Date(Date.UTC(2023, 2, 15));
    ws.getCell('Q5').numFmt = 'yyyy-mm-dd';
    ws.getCell('A4').font = { italic: true };
    ws.getCell('Q4').note = 'checked by Ops';
    await wb.xlsx.writeFile(file);
    const before = await openpyxlInspect(file, 5, 17);

    const run = await push(['records', file, '--chunk', '1000']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('streaming mode');
    expect(lastLine(run)).toBe(`posted ${good.length}, failed 0, invalid 0, skipped 0, pending 0, rejected 0`);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '8106'), good.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });

    const after = await openpyxlInspect(file, 5, 17);
    expect(after.sheets.map((w) => w.title)).toEqual(['Records', 'Read me']);
    expect(after.sheets[1]).toEqual(before.sheets[1]);
    const [b, a] = [before.sheets[0], after.sheets[0]];
    expect(a.validations).toEqual(b.validations); // kept, once each
    expect(a.notes).toEqual(b.notes);
    expect(a.freeze).toBe('A3');
    expect(a.cells.A4.italic).toBe(true);
    expect(a.cells.Q5).toEqual({ value: 'date:2023-03-15', format: 'yyyy-mm-dd', bold: false, italic: false });
    expect(a.cells.D4.format).toBe('yyyy-mm-dd');
    expect(a.cells.J3.value).toBe('example');
    expect([a.cells.J4.value, a.cells.J5.value]).toEqual(['posted', 'posted']);
    const back = await loadSheet(file);
    const last = back.values[good.length + 2];
    expect([last[5], last[9]]).toEqual([good.at(-1)![5], 'posted']);
  }, 300_000);

  it('a CSV keeps its bytes: byte-order mark, CRLF, unicode, quotes, leading zeros; an ANSI CSV is refused, not mangled', async () => {
    const file = join(dir, 'excel-utf8.csv');
    const rows = recordRows(loans, 3, '8107').map((r, i) => [...r.slice(0, 6), `ré ₹ "${i}", नमस्ते`, `00${i}7`]);
    const lines = [[...RECORD_HEADERS, 'Branch'], ...rows].map((r) => r.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(','));
    const original = `\uFEFF${lines.join('\r\n')}\r\n`; // what Excel's "CSV UTF-8" writes
    await writeFile(file, original);
    const run = await push(['records', file]);
    expect(lastLine(run)).toBe('posted 3, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
    const after = await readFile(file, 'utf8');
    expect(after.startsWith('\uFEFF')).toBe(true);
    expect(after.endsWith('\r\n')).toBe(true);
    const afterLines = after.slice(1).split('\r\n');
    original.slice(1).split('\r\n').forEach((line, i) => {
      if (line) expect(afterLines[i].startsWith(`${line},`), `line ${i + 1}`).toBe(true); // the user's text, then the result columns
    });

    const ansi = join(dir, 'excel-ansi.csv');
    await writeFile(ansi, Buffer.from(`${[...RECORD_HEADERS].join(',')}\r\n${recordRows(loans, 1, '8108')[0].slice(0, 6).join(',')},caf\xe9\r\n`, 'latin1'));
    const before = await readFile(ansi);
    sb.resetStats();
    const refused = await push(['records', ansi]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('excel-ansi.csv is not UTF-8 text; in Excel save it as "CSV UTF-8 (Comma delimited)" (or as .xlsx) and push again');
    expect(sb.stats().requests).toBe(0);
    expect(await readFile(ansi)).toEqual(before);
  });

  it('results that cannot be written into the file are kept and written by the next push, nothing sent twice', async () => {
    const file = join(dir, 'locked.xlsx');
    const good = recordRows(loans, 30, '8109');
    await writeXlsx(file, [RECORD_HEADERS, ...good]);
    const before = await readFile(file);
    await mkdir(`${file}.bak`); // the backup cannot be made, so the file cannot be replaced (like a file Excel holds open)
    const blocked = await push(['records', file, '--chunk', '10']);
    expect(blocked.code).toBe(2);
    expect(blocked.stdout.trim()).toBe('posted 30, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
    expect(blocked.stderr).toContain(`crego push: the results could not be written into ${file} (`);
    expect(blocked.stderr).toContain(`Nothing is lost: they are kept in ${file}.crego-journal.jsonl. Close the file if Excel has it open, then run the same push again`);
    expect(await readFile(file)).toEqual(before);
    expect((await readFile(`${file}.crego-log.csv`, 'utf8')).trim().split('\n')[1]).toMatch(/,records,B[0-9T-]+-[0-9a-f]{6},no,30,0,0,0,no,0,0,,0$/);

    await rm(`${file}.bak`, { recursive: true });
    sb.resetStats();
    const again = await push(['records', file, '--chunk', '10']);
    expect(again.code).toBe(0);
    expect(lastLine(again)).toBe('posted 0, failed 0, invalid 0, skipped 30, pending 0, rejected 0');
    expect(sb.stats().byEndpoint['records.bulk_create'] ?? 0).toBe(0);
    expect((await readXlsx(file)).slice(1).every((r) => r[7] === 'posted')).toBe(true);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '8109'), good.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('a large workbook that counts dates from 1904 (old Mac option) reads its dates as Excel shows them', async () => {
    const file = join(dir, 'mac-1904.xlsx');
    const wb = new ExcelJS.Workbook();
    wb.properties.date1904 = true;
    const ws = wb.addWorksheet('Records');
    ws.addRow(RECORD_HEADERS);
    recordRows(loans, LARGE, '8111').forEach((r, i) => {
      const row = ws.addRow([...r.slice(0, 3), new Date(Date.UTC(2025, 5, 10 + (i % 3))), ...r.slice(4)]);
      row.getCell(4).numFmt = 'yyyy-mm-dd';
    });
    await wb.xlsx.writeFile(file);
    const sheet = await loadSheet(file);
    const dates = sheet.values.slice(1, 4).map((r) => { const d = parseDateSerial(r[3]); return d.ok ? excelSerialToIsoDate(d.value) : d.problem; });
    expect(dates).toEqual(['2025-06-10', '2025-06-11', '2025-06-12']); // read as 1900 serials they were 2021-06-09…
  });

  it('dry run: validates and reports every row, sends and writes nothing', async () => {
    const file = join(dir, 'dry.csv');
    const rows = recordRows(loans, 5, '8104');
    rows[2][3] = '31/12/2024';
    await writeCsv(file, [RECORD_HEADERS, ...rows]);
    const before = await readFile(file, 'utf8');
    sb.resetStats();
    const run = await push(['records', file, '--dry-run'], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Row 4, Date: "31/12/2024" is ambiguous (day/month or month/day?); use a date cell or type it as YYYY-MM-DD, e.g. 2024-01-05');
    expect(run.stdout).toContain('Dry run: 4 row(s) would be posted; nothing was sent or written');
    expect(lastLine(run)).toBe('posted 0, failed 0, invalid 1, skipped 0, pending 0, rejected 0');
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(sb.stats().requests).toBe(0);
  });

  it('usage and configuration errors exit 2 with a message that says what to do', async () => {
    const file = join(dir, 'usage.csv');
    await writeCsv(file, [RECORD_HEADERS, ...recordRows(loans, 1, '8105')]);
    const noToken = await push(['records', file], { CREGO_BASE_URL: sb.url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('set CREGO_TOKEN, or CREGO_USERNAME and CREGO_PASSWORD, in the environment (the token is never taken as a flag)');
    expect((await push(['records', file, '--chunk', '5000'])).stderr).toContain('--chunk must be a whole number from 1 to 1000');
    expect((await push(['loans', file])).stderr).toContain("unknown sheet kind 'loans'");
    expect((await push(['records', join(dir, 'nope.xlsx')])).stderr).toContain('nope.xlsx does not exist');
    const wrongKind = await push(['topups', file]);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toContain('This is not a topups sheet: no header row with Tenure days in the first 10 rows');
    // A refused token stops the push before any row (push-guards.test.ts has the whole story).
    const badToken = await push(['records', file], { ...cliEnv(sb), CREGO_TOKEN: 'wrong-token' });
    expect(badToken.code).toBe(2);
    expect(badToken.stdout).toBe('');
  });
});
