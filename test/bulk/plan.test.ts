/**
 * The push's first step on its own, with no client and no network: which rows a push would send, which
 * it would look up first, and which it leaves alone.
 */
import { describe, expect, it } from 'vitest';
import { isoDateToExcelSerial } from '../../src/api/dates';
import { CregoError } from '../../src/api/contract';
import { KINDS, locateLayout, planRows, RESULT_HEADERS, type CellValue } from '../../src/bulk';
import { classifyChunkFailure } from '../../src/bulk/push-run';

const ACC = '860bd919-1070-43b9-9099-699235217ac0';
const TODAY = isoDateToExcelSerial('2024-03-31')!;
const HEADERS = ['Account', 'Type', 'Amount', 'Date', 'Payment mode', 'UTR', 'Remark', ...RESULT_HEADERS];

function row(utr: string, status = '', key = ''): CellValue[] {
  return [ACC, 'repayment', 100.25, '2024-01-05', 'upi', utr, null, status, status === 'posted' ? 'rec_1' : '', '', '', '', key];
}

function plan(rows: CellValue[][]) {
  const values = [HEADERS, ...rows];
  return planRows(KINDS.records, locateLayout(KINDS.records, values), values, { firstRow: 1, todaySerial: TODAY, now: () => 0 });
}

describe('planRows: the rows of a push, before any request', () => {
  it('sends new rows, looks up rows left sending, skips posted ones and refuses a repeat of a posted key', () => {
    const p = plan([
      row('810300000001'),
      row('810300000002', 'posted', '810300000002'),
      row('810300000003', 'sending', '810300000003'),
      row('810300000002'), // the posted row's UTR again
      row('81030000000x'), // not a UPI reference
      [null, null, null, null, null, null, null],
    ]);
    expect(p.toSend.map((c) => [c.row, c.key])).toEqual([[2, '810300000001']]);
    expect(p.toReconcile.map((c) => [c.row, c.key])).toEqual([[4, '810300000003']]);
    expect(p.counts).toMatchObject({ rows: 5, skipped: 1, invalid: 2, failed: 0 });
    expect(p.results[4]![0]).toBe('invalid');
    expect(p.results[4]![2]).toMatch(/^Row 5, UTR: "810300000002" repeats row 3 for the same account/);
    expect(p.results[5]![2]).toMatch(/^Row 6, UTR: "81030000000x" is not a UPI reference/);
    expect(p.results[1]).toBeNull(); // a row to send changes nothing until it is sent
  });

  it('looks up rows an earlier push left `unknown` before sending anything, and never sends them blind', () => {
    const p = plan([row('810300000004', 'unknown', '810300000004'), row('810300000005', 'failed', '810300000005')]);
    expect(p.toReconcile.map((c) => [c.row, c.key])).toEqual([[2, '810300000004']]);
    expect(p.toSend.map((c) => [c.row, c.key])).toEqual([[3, '810300000005']]);
  });

  it('counts an `unknown` row it cannot check (no key) as unknown, not failed, and keeps its status', () => {
    const p = plan([[ACC, 'repayment', 100.25, '2024-01-05', 'upi', null, null, 'unknown', '', '', '', '', '']]);
    expect(p.toReconcile).toEqual([]);
    expect(p.counts).toMatchObject({ unknown: 1, failed: 0 });
    expect(p.results[1]![0]).toBe('unknown');
    expect(p.results[1]![2]).toMatch(/^An earlier push may have sent this row but it cannot be checked/);
  });

  it('flags a posted row whose UTR no longer matches the one it was posted with, and sends nothing for it', () => {
    const p = plan([row('810300000009', 'posted', '810300000001')]);
    expect(p.toSend).toEqual([]);
    expect([...p.flagged]).toEqual([1]);
    expect(p.results[1]![2]).toMatch(/is not the UTR this row was posted with \(810300000001, Crego id rec_1\)/);
  });
});

describe('classifyChunkFailure: what a failed chunk request means for its rows', () => {
  const err = (kind: ConstructorParameters<typeof CregoError>[0]['kind'], status?: number) => new CregoError({ kind, message: `a ${kind}`, status });
  it.each([
    ['a whole-chunk 400', err('validation', 400), 'invalid'],
    ['a 409', err('conflict', 409), 'conflict'],
    ['a 429', err('rate_limited', 429), 'refused'],
    ['a 401', err('auth', 401), 'refused'],
    ['a network error', err('network'), 'unknown'],
    ['a plain Error', new Error('boom'), 'unknown'],
  ])('%s → %s', (_name, error, kind) => {
    expect(classifyChunkFailure(error, false).kind).toBe(kind);
  });
  it('a cancelled push is cancelled whatever the error', () => {
    expect(classifyChunkFailure(err('validation', 400), true).kind).toBe('cancelled');
  });
});
