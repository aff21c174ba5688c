/**
 * Workbooks that real spreadsheet software filled and saved, pushed to the sandbox by `crego push`
 * (a child process, real HTTP): a records, a fees and a topups template, each filled by openpyxl
 * (with a note, a bold cell, a merge and a second sheet of the user's) and saved once by openpyxl
 * and once more by LibreOffice. After the push both programs open the result with everything of the
 * user's as it was, one validation per range, and the result columns readable; a second push sends nothing.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CregoClient } from '../../src/api/contract';
import { KIND_NAMES, KINDS, type KindName } from '../../src/bulk/kinds';
import { buildTemplate } from '../../src/bulk/node/template-file';
import { writeWorkbookAtomically } from '../../src/bulk/node/workbook';
import { columnLetters } from '../../src/bulk/node/result-cells';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { cliEnv, clientFor, countsInSandbox, demoAccounts, exactlyOnce, spawnCli, todayIso } from '../bulk/helpers';
import { libreOfficeResave, openpyxlFill, openpyxlInspect, type Inspected } from './helpers';
import { packageProblems } from './package-checks';

let sb: RunningSandbox;
let client: CregoClient;
let accounts: { loans: string[]; lines: string[] };
let dir: string;
/** kind → writer → file */
const files: Record<string, Record<'openpyxl' | 'libreoffice', string>> = {};
const keys: Record<string, string[]> = {};

const date = () => `date:${todayIso()}`;

/** Three rows of `kind` for the demo accounts, keys starting with `prefix`. */
function rows(kind: KindName, prefix: string): unknown[][] {
  return [0, 1, 2].map((i) => {
    const key = `${prefix}${String(i + 1).padStart(12 - prefix.length, '0')}`;
    if (kind === 'records') return [accounts.loans[i], 'repayment', 1500.5 + i, date(), 'upi', key, null, null, `EMI ${i + 1}`];
    if (kind === 'fees') return [accounts.loans[i], 'late_fee', 500 + i, date(), null, true, key, `late ${i + 1}`];
    return [accounts.lines[i % accounts.lines.length], 25000 + i, date(), 30, `INV/24/${i + 1}`, key, `Drawdown for INV/24/${i + 1}`];
  });
}

beforeAll(async () => {
  sb = await startSandbox({ accounts: 12, seed: 11, quiet: true, faults: '' });
  client = clientFor(sb);
  accounts = await demoAccounts(client);
  dir = await mkdtemp(join(tmpdir(), 'crego-interop-push-'));
  await mkdir(join(dir, 'lo'));
  const staged = join(dir, 'lo-in');
  await mkdir(staged);
  for (const [n, kind] of KIND_NAMES.entries()) {
    const template = join(dir, `${kind}-template.xlsx`);
    await writeWorkbookAtomically(buildTemplate(KINDS[kind]), template, false);
    files[kind] = { openpyxl: join(dir, `${kind}.xlsx`), libreoffice: join(dir, 'lo', `${kind}.xlsx`) };
    const keyAt = KINDS[kind].columns.findIndex((c) => c.field === KINDS[kind].keyField);
    // Filled by openpyxl; the LibreOffice one is filled the same way (its own keys), then saved again by LibreOffice.
    for (const [writer, out, prefix] of [['openpyxl', files[kind].openpyxl, `9${n}1`], ['libreoffice', join(staged, `${kind}.xlsx`), `9${n}2`]] as const) {
      const data = rows(kind, prefix);
      keys[`${kind}/${writer}`] = data.map((r) => String(r[keyAt]));
      await openpyxlFill(template, out, {
        rows: { 4: data[0], 5: data[1], 6: data[2] },
        notes: { A4: 'Checked by Ops' },
        bold: ['B5'],
        cells: { T1: 'Batch of the 5th' },
        merges: ['T1:U1'],
        sheets: { Summary: { A1: 'Rows', B1: `=COUNTA('${KINDS[kind].sheetName}'!A4:A100)` } },
      });
    }
  }
  await libreOfficeResave(KIND_NAMES.map((k) => join(staged, `${k}.xlsx`)), join(dir, 'lo'));
}, 300_000);

afterAll(async () => {
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function resultColumn(kind: KindName): number {
  return KINDS[kind].columns.length + 1;
}

/** Everything of the user's in one sheet: cells outside the result columns, notes, validations, merges. */
function usersPart(book: Inspected, kind: KindName) {
  const first = resultColumn(kind);
  const inResults = (coord: string) => {
    const col = coord.replace(/\d+$/, '');
    const n = [...col].reduce((a, ch) => a * 26 + ch.charCodeAt(0) - 64, 0);
    return n >= first && n < first + 6 && Number(coord.replace(/^[A-Z]+/, '')) > 3;
  };
  return book.sheets.map((s) => ({
    title: s.title,
    cells: Object.fromEntries(Object.entries(s.cells).filter(([c]) => !inResults(c))),
    notes: s.notes,
    validations: s.validations,
    merged: s.merged,
  }));
}

describe.each(KIND_NAMES)('%s workbooks from other software', (kind) => {
  it.each(['openpyxl', 'libreoffice'] as const)('saved by %s: pushed once, everything of the user\'s kept, a second push sends nothing', async (writer) => {
    const file = files[kind][writer];
    const before = await openpyxlInspect(file, 8, 22);
    const first = await spawnCli(['push', kind, file], cliEnv(sb));
    expect(first.stdout.trim().split('\n').at(-1), first.stderr).toBe('posted 3, failed 0, invalid 0, skipped 0, pending 0, rejected 0');
    expect(first.code).toBe(0);

    // The file as openpyxl reads it now: the user's part unchanged, results beside it.
    expect(await packageProblems(file)).toEqual([]);
    const after = await openpyxlInspect(file, 8, 22);
    expect(usersPart(after, kind)).toEqual(usersPart(before, kind));
    const sheet = after.sheets[0];
    const status = columnLetters(resultColumn(kind));
    expect([4, 5, 6].map((r) => sheet.cells[`${status}${r}`]?.value)).toEqual(['posted', 'posted', 'posted']);
    expect(sheet.cells[`${status}3`].value).toBe('example');
    expect(String(sheet.cells[`${columnLetters(resultColumn(kind) + 1)}4`].value)).toMatch(/^[0-9a-f-]{36}$/); // Crego id
    const ranges = sheet.validations.map((v) => v.sqref);
    expect(new Set(ranges).size).toBe(ranges.length); // one validation per range
    expect(sheet.validations).toHaveLength(KINDS[kind].columns.length);
    expect(after.sheets[0].notes.A4).toContain('Checked by Ops');
    expect(after.sheets[0].cells.B5.bold).toBe(true);
    expect(after.sheets[0].merged).toContain('T1:U1');
    expect(after.sheets.map((s) => s.title)).toEqual([KINDS[kind].sheetName, 'Summary']);

    // In Crego exactly once; a second push sends nothing.
    expect(exactlyOnce(await countsInSandbox(client, kind, kind === 'topups' ? accounts.lines : accounts.loans, keys[`${kind}/${writer}`][0].slice(0, 3)), keys[`${kind}/${writer}`]))
      .toEqual({ missing: [], repeated: [], extra: [] });
    sb.resetStats();
    const second = await spawnCli(['push', kind, file], cliEnv(sb));
    expect(second.stdout.trim().split('\n').at(-1)).toBe('posted 0, failed 0, invalid 0, skipped 3, pending 0, rejected 0');
    expect(sb.stats().byEndpoint[KINDS[kind].bulkEndpoint] ?? 0).toBe(0);
  }, 120_000);
});

describe('pushed workbooks in LibreOffice', () => {
  it('opens every pushed workbook and saves it with the results readable', async () => {
    const out = join(dir, 'lo-out');
    await mkdir(out);
    const pushed = KIND_NAMES.flatMap((k) => [files[k].openpyxl]);
    const saved = await libreOfficeResave(pushed, out);
    for (const [i, kind] of KIND_NAMES.entries()) {
      const sheet = (await openpyxlInspect(saved[i], 8, 22)).sheets[0];
      expect(sheet.cells[`${columnLetters(resultColumn(kind))}4`]?.value, kind).toBe('posted');
      expect(sheet.notes.A4).toContain('Checked by Ops');
    }
  }, 200_000);
});
