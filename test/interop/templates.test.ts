/**
 * Every template `crego template` writes, opened by real spreadsheet software: openpyxl (which
 * refused all of them while data validations said errorStyle="error") and LibreOffice headless.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_NAMES, KINDS } from '../../src/bulk/kinds';
import { RESULT_HEADERS } from '../../src/bulk/results';
import { buildTemplate, LAST_TEMPLATE_ROW, VALIDATION_TEXT_LIMITS } from '../../src/bulk/node/template-file';
import { writeWorkbookAtomically } from '../../src/bulk/node/workbook';
import { columnLetters } from '../../src/bulk/node/result-cells';
import { libreOfficeResave, openpyxlInspect, type Inspected } from './helpers';
import { packageProblems } from './package-checks';

let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crego-interop-templates-'));
  for (const name of KIND_NAMES) {
    files[name] = join(dir, `${name}.xlsx`);
    await writeWorkbookAtomically(buildTemplate(KINDS[name]), files[name], false);
  }
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * `asWritten` false for LibreOffice's save: headless, it has no window, so it saves no frozen panes (of
 * any file; its desktop keeps them), and it shortens validations to the used rows plus 1,000.
 */
function expectTemplate(book: Inspected, name: keyof typeof KINDS, asWritten = true): void {
  const frozen = asWritten;
  const kind = KINDS[name];
  const ws = book.sheets[0];
  expect(ws.title).toBe(kind.sheetName);
  if (frozen) expect(ws.freeze).toBe('A3'); // rows 1–2 frozen
  // One validation per column, from row 3 to the last row push reads (LibreOffice, when it saves,
  // shortens each to the rows in use plus 1,000).
  const last = frozen ? String(LAST_TEMPLATE_ROW) : '\\d+';
  const want = kind.columns.map((_, i) => new RegExp(`^${columnLetters(i + 1)}3:${columnLetters(i + 1)}${last}$`));
  const got = ws.validations.map((v) => v.sqref).sort();
  expect(got).toHaveLength(want.length);
  want.forEach((re) => expect(got.filter((g) => re.test(g)), String(re)).toHaveLength(1));
  for (const v of ws.validations) {
    expect(['stop', 'warning', 'information']).toContain(v.errorStyle);
    expect(v.promptTitle!.length).toBeLessThanOrEqual(VALIDATION_TEXT_LIMITS.title);
    expect(v.errorTitle!.length).toBeLessThanOrEqual(VALIDATION_TEXT_LIMITS.title);
    expect(v.prompt!.length).toBeLessThanOrEqual(VALIDATION_TEXT_LIMITS.prompt);
    expect(v.error!.length).toBeLessThanOrEqual(VALIDATION_TEXT_LIMITS.error);
  }
  // A note on every header, user columns and result columns.
  const headers = [...kind.columns.map((c) => c.header), ...RESULT_HEADERS];
  headers.forEach((h, i) => {
    expect(ws.cells[`${columnLetters(i + 1)}2`].value).toBe(h);
    expect(ws.notes[`${columnLetters(i + 1)}2`], h).toMatch(/\w/);
  });
  expect(ws.cells[`${columnLetters(kind.columns.length + 1)}3`].value).toBe('example');
  expect(String(ws.cells.C1.value)).toContain('from row 4 down. Row 3 is an example');
}

describe('templates in openpyxl', { timeout: 60_000 }, () => {
  it.each(KIND_NAMES)('%s: opens, with its validations, notes, frozen header and print setup', async (name) => {
    expect(await packageProblems(files[name])).toEqual([]);
    const book = await openpyxlInspect(files[name]);
    expectTemplate(book, name);
    expect(book.sheets[0].print).toEqual({ orientation: 'landscape', fitToWidth: 1, fitToHeight: 0, fitToPage: true });
  });

  it.each(KIND_NAMES)('%s: says what a person needs, once, where it applies', async (name) => {
    const kind = KINDS[name];
    const ws = (await openpyxlInspect(files[name])).sheets[0];
    kind.columns.forEach((col, i) => {
      const letter = columnLetters(i + 1);
      const note = ws.notes[`${letter}2`];
      // Sentences end before the next begins, and nothing is said twice.
      expect(note, col.header).toMatch(/^(Required|Optional)\. [^]*\. API field: \w+\.$/);
      expect(note, col.header).not.toMatch(/\w\) [A-Z]|\w [A-Z][a-z]+ field:|\.\./);
      expect(note.match(/optional/gi) ?? [], col.header).toHaveLength(col.required ? 0 : 1);
      if (col.allowed) expect(note.split(col.allowed[0]).length - 1, col.header).toBe(1);
      // "Not in the future" is checked where the prompt says it, and only there.
      const rule = ws.validations.find((v) => v.sqref.startsWith(`${letter}3:`))!;
      expect(/TODAY\(\)/.test(rule.formula1 ?? ''), col.header).toBe(/not in the future/.test(col.hint));
      // Whole-column formats: dates as dates, amounts with decimals, references as text.
      const format = { date: 'yyyy-mm-dd', amount: '#,##0.00', uuid: '@', key: '@', text: '@' }[col.type as string];
      expect(ws.columnFormats[letter], col.header).toBe(format);
    });
    RESULT_HEADERS.forEach((h, j) => expect(ws.columnFormats[columnLetters(kind.columns.length + 1 + j)], h).toBe('@'));
    const reference = kind.columns.find((c) => c.field === 'ref_id');
    if (reference) expect(ws.notes[`${columnLetters(kind.columns.indexOf(reference) + 1)}2`]).toContain('the add-in makes one');
    if (name === 'topups') expect(ws.cells[`${columnLetters(kind.columns.findIndex((c) => c.field === 'remark') + 1)}3`].value).toMatch(/^Drawdown/);
  });
});

describe('templates in LibreOffice', { timeout: 240_000 }, () => {
  it('opens all three and saves them again with their validations and notes intact', async () => {
    const out = join(dir, 'lo');
    const saved = await libreOfficeResave(KIND_NAMES.map((n) => files[n]), out);
    for (const [i, name] of KIND_NAMES.entries()) expectTemplate(await openpyxlInspect(saved[i]), name, false);
  });
});
