/**
 * The push engine against the real sandbox over HTTP: per-row results from the bulk answer,
 * duplicates reported as already there, write-ahead before every send, reconciliation of rows whose
 * answer was lost, cancel, and generated keys for fees/topups. Every test checks the sandbox's own
 * listing: each valid row exists exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CregoClient } from '../../src/api/contract';
import { KINDS, pushSheet, RESULT_HEADERS, type PushProgress, type ResultUpdate } from '../../src/bulk';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { clientFor, countsInSandbox, demoAccounts, exactlyOnce, RECORD_HEADERS, recordRows, todayIso } from './helpers';

let sb: RunningSandbox;
let client: CregoClient;
let loans: string[];
let lines: string[];

beforeAll(async () => {
  sb = await startSandbox({ accounts: 12, seed: 11, quiet: true, faults: '' });
  client = clientFor(sb);
  ({ loans, lines } = await demoAccounts(client));
});
afterAll(async () => sb?.close());

/** Lay result values over the sheet, as a host would after a push. */
function apply(values: unknown[][], results: Array<unknown[] | null>, at: number): unknown[][] {
  return values.map((row, i) => {
    const r = results[i];
    if (!r) return row;
    const out = [...row];
    r.forEach((v, j) => (out[at + j] = v));
    return out;
  });
}

describe('push engine over HTTP', () => {
  it('posts valid rows in chunks, maps each result to its row, writes ahead before sending, reports progress', async () => {
    const rows = recordRows(loans, 45, '7001');
    rows.splice(10, 0, [loans[0], 'repayment', 'ten', todayIso(), 'upi', '700100000999', null]);
    const values = [RECORD_HEADERS, ...rows];
    const updates: ResultUpdate[] = [];
    const progress: PushProgress[] = [];
    sb.resetStats();
    const report = await pushSheet({
      kind: KINDS.records, values, client, chunkSize: 10, concurrency: 2,
      persist: async (u) => void updates.push(structuredClone(u)),
      onProgress: (p) => progress.push(p),
    });
    expect(report.counts).toMatchObject({ posted: 45, failed: 0, invalid: 1, skipped: 0 });
    expect(report.requests.bulk).toBe(5);
    expect(sb.stats().byEndpoint['records.bulk_create']).toBe(5);
    // Each chunk's write-ahead came before its answer, and marked exactly the rows that were then answered.
    const aheads = updates.filter((u) => u.phase === 'write-ahead');
    expect(aheads).toHaveLength(5);
    for (const a of aheads) {
      expect(a.rows.every((r) => r.values[0] === 'sending' && r.values[4] === report.batchId)).toBe(true);
      const answer = updates.findIndex((u) => u.phase === 'answer' && u.rows.some((r) => r.index === a.rows[0].index));
      expect(answer).toBeGreaterThan(updates.indexOf(a));
    }
    expect(progress.at(-1)).toMatchObject({ done: 45, total: 45, posted: 45 });
    expect(report.results[0]).toEqual([...RESULT_HEADERS]);
    expect(report.results[11]?.[0]).toBe('invalid');
    const posted = report.results.slice(1).filter((r) => r?.[0] === 'posted');
    expect(new Set(posted.map((r) => r![1])).size).toBe(45);
    const counts = await countsInSandbox(client, 'records', loans, '7001');
    expect(exactlyOnce(counts, rows.filter((r) => r[2] !== 'ten').map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('counts a row Crego already has as posted (already there), with its existing id, and creates nothing', async () => {
    const [row] = recordRows(loans, 1, '7002');
    const first = await pushSheet({ kind: KINDS.records, values: [RECORD_HEADERS, row], client });
    const firstId = first.results[1]![1];
    // The same payment in a new sheet (no result columns): Crego refuses the UTR as a duplicate.
    const again = await pushSheet({ kind: KINDS.records, values: [RECORD_HEADERS, row], client });
    expect(again.counts).toMatchObject({ posted: 1, alreadyThere: 1, failed: 0 });
    expect(again.results[1]![1]).toBe(firstId);
    expect(again.results[1]![2]).toBe(`Already in Crego: a record with UTR ${row[5]} exists on this account (${firstId}); not created again`);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '7002'), [String(row[5])]).repeated).toEqual([]);
  });

  it("shows Crego's refusal of a row in words, against that row only", async () => {
    const rows = recordRows(loans, 3, '7003');
    rows[1][0] = '00000000-0000-4000-8000-000000000000';
    const report = await pushSheet({ kind: KINDS.records, values: [RECORD_HEADERS, ...rows], client });
    expect(report.counts).toMatchObject({ posted: 2, failed: 1 });
    expect(report.results[2]![0]).toBe('failed');
    expect(report.results[2]![2]).toBe("Refused by Crego: Account: No account with id '00000000-0000-4000-8000-000000000000'.");
  });

  it('reconciles rows whose answers were lost: found by UTR on the next push, never posted twice', async () => {
    const rows = recordRows(loans, 30, '7004');
    const values = [RECORD_HEADERS, ...rows];
    const noRetry = clientFor(sb, 0);
    // Every request does its work but the reply never arrives (lookups included).
    sb.setFaults('lost=1');
    const blind = await pushSheet({ kind: KINDS.records, values, client: noRetry, chunkSize: 10, concurrency: 1 });
    sb.setFaults({});
    // Nothing is called failed: every row may be in Crego (they all are), so each is `unknown`, never "Not posted".
    expect(blind.counts).toMatchObject({ posted: 0, failed: 0, unknown: 30 });
    expect(blind.results.slice(1).every((r) => r![0] === 'unknown')).toBe(true);
    expect(blind.results[1]![2]).toMatch(/^Outcome unknown \(a request that got no answer\) and Crego could not be checked/);

    sb.resetStats();
    const next = await pushSheet({ kind: KINDS.records, values: apply(values, blind.results, blind.layout.resultColumn), client: noRetry, chunkSize: 10 });
    expect(next.counts).toMatchObject({ posted: 30, alreadyThere: 30, failed: 0 });
    expect(next.requests.bulk).toBe(0);
    expect(sb.stats().byEndpoint['records.bulk_create'] ?? 0).toBe(0);
    expect(next.results[1]![2]).toBe(`Already in Crego: found by UTR ${rows[0][5]} after an earlier push that stopped before its answer; not sent again`);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '7004'), rows.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('after a lost bulk reply in the same push, looks the rows up and settles them without re-posting', async () => {
    const rows = recordRows(loans, 20, '7005');
    const noRetry = clientFor(sb, 0);
    sb.setFaults('lost=0.5,seed=3');
    const report = await pushSheet({ kind: KINDS.records, values: [RECORD_HEADERS, ...rows], client: noRetry, chunkSize: 5, concurrency: 1 });
    sb.setFaults({});
    expect(report.counts.posted + report.counts.failed + report.counts.unknown).toBe(20);
    // Under seed 3 some replies are lost and found by lookup; some lookups are lost too: those rows are `unknown`.
    expect(report.counts.alreadyThere).toBeGreaterThan(0);
    expect(report.counts.unknown).toBeGreaterThan(0);
    expect(report.results.filter((r) => r?.[0] === 'unknown')).toHaveLength(report.counts.unknown);
    const counts = await countsInSandbox(client, 'records', loans, '7005');
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Every row marked posted is really there.
    for (const [i, r] of report.results.entries()) if (r?.[0] === 'posted') expect(counts.get(String(rows[i - 1][5]))).toBe(1);
    // The next push settles the rest: all 20 exactly once.
    const values = apply([RECORD_HEADERS, ...rows], report.results, report.layout.resultColumn);
    const next = await pushSheet({ kind: KINDS.records, values, client: noRetry, chunkSize: 5 });
    expect(next.counts.posted + next.counts.skipped).toBe(20);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '7005'), rows.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('cancel after the write-ahead of chunk 3: chunks 1–2 posted, chunk 3 left `unknown` and reconciled next time', async () => {
    const rows = recordRows(loans, 50, '7006');
    const values = [RECORD_HEADERS, ...rows];
    const stop = new AbortController();
    let aheads = 0;
    const report = await pushSheet({
      kind: KINDS.records, values, client, chunkSize: 10, concurrency: 1, signal: stop.signal,
      persist: async (u) => {
        if (u.phase === 'write-ahead' && ++aheads === 3) stop.abort();
      },
    });
    expect(report.cancelled).toBe(true);
    expect(report.counts.posted).toBe(20);
    const statuses = report.results.slice(1).map((r) => r?.[0] ?? '');
    expect(statuses.slice(20, 30).every((s) => s === 'unknown')).toBe(true);
    expect(statuses.slice(30).every((s) => s === '')).toBe(true);

    const next = await pushSheet({ kind: KINDS.records, values: apply(values, report.results, report.layout.resultColumn), client, chunkSize: 10 });
    expect(next.counts).toMatchObject({ posted: 30, skipped: 20, failed: 0 });
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '7006'), rows.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('fees without a reference get a generated key written before sending, reused by the next push', async () => {
    const headers = ['Account', 'Fee type', 'Amount', 'Date', 'GST applicable', 'Reference'];
    const rows = Array.from({ length: 8 }, (_, i) => [loans[i % loans.length], 'late_fee', 250 + i, todayIso(), i % 2 === 0, i < 2 ? `7007-F${i}` : null]);
    const values = [headers, ...rows];
    const noRetry = clientFor(sb, 0);
    sb.setFaults('lost=1');
    const lost = await pushSheet({ kind: KINDS.fees, values, client: noRetry, chunkSize: 4 });
    sb.setFaults({});
    const keys = lost.results.slice(1).map((r) => r![5]);
    expect(keys.slice(0, 2)).toEqual(['7007-F0', '7007-F1']);
    expect(keys.slice(2).every((k) => /^XL-[0-9a-f]{16}$/.test(k))).toBe(true);

    const next = await pushSheet({ kind: KINDS.fees, values: apply(values, lost.results, lost.layout.resultColumn), client });
    expect(next.counts).toMatchObject({ posted: 8, alreadyThere: 8 });
    expect(next.results.slice(1).map((r) => r![5])).toEqual(keys);
    const all = new Map<string, number>();
    for (const prefix of ['7007-F', 'XL-']) for (const [k, n] of await countsInSandbox(client, 'fees', loans, prefix)) all.set(k, n);
    expect(exactlyOnce(all, keys)).toEqual({ missing: [], repeated: [], extra: [] });

    // The same fees from a copy without the result columns (a fresh export): the keys come out the same
    // from the rows' content, so Crego refuses every one as a duplicate and no fee is levied twice.
    sb.resetStats();
    const copy = await pushSheet({ kind: KINDS.fees, values, client });
    expect(copy.counts).toMatchObject({ posted: 8, alreadyThere: 8, failed: 0 });
    expect(copy.results.slice(1).map((r) => r![5])).toEqual(keys);
    const again = new Map<string, number>();
    for (const prefix of ['7007-F', 'XL-']) for (const [k, n] of await countsInSandbox(client, 'fees', loans, prefix)) again.set(k, n);
    expect(exactlyOnce(again, keys)).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('posts topups on credit lines keyed by reference', async () => {
    const headers = ['Account', 'Amount', 'Date', 'Tenure days', 'Reference'];
    const rows = lines.slice(0, 3).map((a, i) => [a, 1000 + i, todayIso(), 30, `7008-T${i}`]);
    const report = await pushSheet({ kind: KINDS.topups, values: [headers, ...rows], client });
    expect(report.counts).toMatchObject({ posted: rows.length, failed: 0 });
    const again = await pushSheet({ kind: KINDS.topups, values: [headers, ...rows], client });
    expect(again.counts).toMatchObject({ posted: rows.length, alreadyThere: rows.length });
    expect(exactlyOnce(await countsInSandbox(client, 'topups', lines, '7008-T'), rows.map((r) => String(r[4])))).toEqual({ missing: [], repeated: [], extra: [] });
  });
});
